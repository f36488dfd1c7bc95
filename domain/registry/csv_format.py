"""The registry's CSV format (docs/registry-csv.md): one row per doctor, as a clinic exports its
spreadsheet. Parsing is pure: text in, records out, or a `RegistryError` that names every bad row
by row number and column — never the value, which may be personal data. One bad row fails the
whole file, so an import stores all of it or nothing.

Row numbers are the spreadsheet's: the header is row 1, the first doctor row 2.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from domain.limits import MAX_DOCTORS
from domain.registry.records import (
    ENTRY_SEPARATOR,
    AbsenceRecord,
    ExemptionRecord,
    Problem,
    RegistryDoctor,
    RegistryError,
    StandInRecord,
    parse_doctor,
    roll_problems,
)

COLUMNS: tuple[str, ...] = (
    "id", "role", "name", "mobile", "email", "birth_date",
    "specialist_gp", "violence_course", "acute_course", "clinical_months", "duty_shifts_done", "gp_months",
    "exemptions", "absences", "stand_ins", "joined_on", "left_on",
)
QUALIFICATION_COLUMNS = ("specialist_gp", "violence_course", "acute_course", "clinical_months", "duty_shifts_done", "gp_months")
DATE_COLUMNS = frozenset({"birth_date", "specialist_gp", "violence_course", "acute_course", "joined_on", "left_on"})
COUNT_COLUMNS = frozenset({"clinical_months", "duty_shifts_done", "gp_months"})
REQUIRED_CELLS = frozenset({"id", "role", "name", "mobile", "email", "clinical_months", "duty_shifts_done", "gp_months"})
RANGE = ".."
# A spreadsheet evaluates a cell that starts with one of these as a formula (CSV injection): the
# export writes such a cell with a leading apostrophe, and reading takes the apostrophe off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

EXEMPTION_SYNTAX = "REASON FROM..[TO] [granted] [applied DATE] [decided DATE by NAME]"
ABSENCE_SYNTAX = "FROM..TO REASON"
STAND_IN_SYNTAX = "GP-ID FROM..[TO]"
_EXEMPTION = re.compile(
    r"^(?P<reason>\S+)\s+(?P<range>\S+)(?P<granted>\s+granted)?(?:\s+applied\s+(?P<applied>\S+))?"
    r"(?:\s+decided\s+(?P<decided>\S+)\s+by\s+(?P<by>.+))?$",
    re.IGNORECASE,
)
_ABSENCE = re.compile(r"^(?P<range>\S+)\s+(?P<reason>.+)$")
_STAND_IN = re.compile(r"^(?P<gp>\S+)\s+(?P<range>\S+)$")


class CellError(ValueError):
    """A cell that does not parse; the message says what was expected, never what was there."""


# ------------------------------------------------------------------------------- cells


def parse_date(text: str) -> date:
    """ISO `2027-01-04`, or `04.01.2027` as a Norwegian spreadsheet shows it."""
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError("not a date (YYYY-MM-DD or DD.MM.YYYY)")


def _range(text: str, *, open_end: bool) -> tuple[date, date | None]:
    start, sep, end = text.partition(RANGE)
    if not sep:
        raise CellError(f"not a date range FROM..{'[TO]' if open_end else 'TO'}")
    if not end and not open_end:
        raise CellError("the range needs an end date (FROM..TO)")
    return parse_date(start), parse_date(end) if end else None


def _entries(cell: str) -> list[str]:
    return [e.strip() for e in cell.split(ENTRY_SEPARATOR) if e.strip()]


def _each(cell: str, parse: Callable[[str], dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for n, entry in enumerate(_entries(cell), start=1):
        try:
            out.append(parse(" ".join(entry.split())))
        except CellError as e:
            raise CellError(f"entry {n}: {e}") from None
    return out


def _exemption(entry: str) -> dict[str, Any]:
    m = _EXEMPTION.match(entry)
    if not m:
        raise CellError(f"not {EXEMPTION_SYNTAX}")
    start, end = _range(m["range"], open_end=True)
    return {
        "reason": m["reason"].lower(),
        "from": start,
        "to": end,
        "granted": m["granted"] is not None,
        "applied_on": parse_date(m["applied"]) if m["applied"] else None,
        "decided_at": parse_date(m["decided"]) if m["decided"] else None,
        "decided_by": m["by"],
    }


def _absence(entry: str) -> dict[str, Any]:
    m = _ABSENCE.match(entry)
    if not m:
        raise CellError(f"not {ABSENCE_SYNTAX}")
    start, end = _range(m["range"], open_end=False)
    return {"from": start, "to": end, "reason": m["reason"]}


def _stand_in(entry: str) -> dict[str, Any]:
    m = _STAND_IN.match(entry)
    if not m:
        raise CellError(f"not {STAND_IN_SYNTAX}")
    start, end = _range(m["range"], open_end=True)
    return {"substitute_for": m["gp"], "from": start, "to": end}


LIST_CELLS: dict[str, Callable[[str], dict[str, Any]]] = {
    "exemptions": _exemption,
    "absences": _absence,
    "stand_ins": _stand_in,
}


def _cell_value(column: str, text: str) -> Any:
    if column in DATE_COLUMNS:
        return parse_date(text) if text else None
    if column in COUNT_COLUMNS:
        if not re.fullmatch(r"\d{1,7}", text):
            raise CellError("not a whole number")
        return int(text)
    if column in LIST_CELLS:
        return _each(text, LIST_CELLS[column])
    return text


def _record_data(row: int, cells: dict[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    data: dict[str, Any] = {}
    problems = []
    for column in COLUMNS:
        text = unguarded(cells.get(column, "").strip())
        if not text and column in REQUIRED_CELLS:
            problems.append(Problem(row, column, "missing"))
            continue
        try:
            data[column] = _cell_value(column, text)
        except CellError as e:
            problems.append(Problem(row, column, str(e)))
    data["qualification"] = {c: data.pop(c) for c in QUALIFICATION_COLUMNS if c in data}
    return data, problems


# ------------------------------------------------------------------------------- the file


def _delimiter(header_line: str) -> str:
    """Comma, or semicolon as a spreadsheet in a Norwegian locale saves CSV."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _header(cells: list[str]) -> dict[int, str]:
    """Column position → column name; RegistryError naming every header problem by position
    (a file without a header would otherwise show a doctor's data here)."""
    problems, positions = [], {}
    for i, raw in enumerate(cells, start=1):
        name = raw.strip().lower()
        if name not in COLUMNS:
            problems.append(f"header: column {i} is not a column of the registry format (see docs/registry-csv.md)")
        elif name in positions.values():
            problems.append(f"header: column {i} repeats column {name}")
        else:
            positions[i - 1] = name
    missing = [c for c in COLUMNS if c not in positions.values()]
    if missing:
        problems.append(f"header: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    if problems:
        raise RegistryError(problems)
    return positions


def _rows(text: str) -> tuple[dict[int, str], list[tuple[int, list[str]]]]:
    text = text.removeprefix("\ufeff")  # the byte-order mark spreadsheets write
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(reader, None)
        if header is None:
            raise RegistryError(["the file is empty: a registry CSV starts with a header row"])
        columns = _header(header)
        for number, cells in enumerate(reader, start=2):
            if any(c.strip() for c in cells):  # spreadsheets export empty rows; skip them
                rows.append((number, cells))
            if len(rows) > MAX_DOCTORS:
                raise RegistryError([f"more than {MAX_DOCTORS:,} doctors; a district may have at most {MAX_DOCTORS:,}"])
    except csv.Error as e:
        raise RegistryError([f"line {reader.line_num}: not valid CSV ({e})"]) from None
    return columns, rows


def parse_registry_csv(text: str) -> tuple[RegistryDoctor, ...]:
    """Every doctor of the file, or RegistryError naming every bad row and column."""
    columns, rows = _rows(text)
    if not rows:
        raise RegistryError(["no doctors: the file has a header and no rows"])
    problems: list[Problem] = []
    doctors: list[RegistryDoctor] = []
    numbers: list[int] = []
    for number, cells in rows:
        if any(c.strip() for c in cells[len(columns):]):
            problems.append(Problem(number, "(row)", f"{len(cells)} cells; the header has {len(columns)} columns"))
            continue
        data, cell_problems = _record_data(number, {columns[i]: c for i, c in enumerate(cells) if i in columns})
        doctor, model_problems = parse_doctor(number, data)
        failed = {p.field for p in cell_problems}
        problems += cell_problems + [p for p in model_problems if p.field not in failed]
        if doctor is not None and not cell_problems:
            doctors.append(doctor)
            numbers.append(number)
    if not problems:  # across rows: only once every row is valid, so no problem is a side effect
        problems = [
            Problem(numbers[p.index], p.field, p.reason)
            for p in roll_problems(doctors, lambda i: f"row {numbers[i]}")
        ]
    if problems:
        raise RegistryError(_messages(problems), bad_records=len({p.index for p in problems}))
    return tuple(doctors)


def _messages(problems: Iterable[Problem]) -> list[str]:
    order = {c: i for i, c in enumerate(COLUMNS)}

    def key(p: Problem) -> tuple[int, int]:
        return p.index, order.get(p.field, -1)

    return [
        f"row {p.index}: {p.reason}" if p.field == "(row)" else f"row {p.index} column {p.field}: {p.reason}"
        for p in sorted(problems, key=key)
    ]


# ------------------------------------------------------------------------------- writing


def guarded(text: str) -> str:
    """The cell as a spreadsheet shows it as text, never runs it: `'` before a formula's start."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unguarded(text: str) -> str:
    """A cell written by `guarded`, as it was."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _span(start: date, end: date | None) -> str:
    return f"{start.isoformat()}{RANGE}{_date(end)}"


def format_exemption(e: ExemptionRecord) -> str:
    parts = [e.reason, _span(e.from_, e.to)]
    if e.granted:
        parts.append("granted")
    if e.applied_on:
        parts.append(f"applied {e.applied_on.isoformat()}")
    if e.decided_at and e.decided_by:
        parts.append(f"decided {e.decided_at.isoformat()} by {e.decided_by}")
    return " ".join(parts)


def format_absence(a: AbsenceRecord) -> str:
    return f"{_span(a.from_, a.to)} {a.reason}"


def format_stand_in(s: StandInRecord) -> str:
    return f"{s.substitute_for} {_span(s.from_, s.to)}"


def _joined(items: Sequence[str]) -> str:
    return f" {ENTRY_SEPARATOR} ".join(items)


def doctor_row(d: RegistryDoctor) -> dict[str, str]:
    q = d.qualification
    return {
        "id": d.id,
        "role": d.role.value,
        "name": d.name,
        "mobile": d.mobile,
        "email": d.email,
        "birth_date": _date(d.birth_date),
        "specialist_gp": _date(q.specialist_gp),
        "violence_course": _date(q.violence_course),
        "acute_course": _date(q.acute_course),
        "clinical_months": str(q.clinical_months),
        "duty_shifts_done": str(q.duty_shifts_done),
        "gp_months": str(q.gp_months),
        "exemptions": _joined([format_exemption(e) for e in d.exemptions]),
        "absences": _joined([format_absence(a) for a in d.absences]),
        "stand_ins": _joined([format_stand_in(s) for s in d.stand_ins]),
        "joined_on": _date(d.joined_on),
        "left_on": _date(d.left_on),
    }


def write_registry_csv(doctors: Iterable[RegistryDoctor], *, guard: bool = False) -> str:
    """The doctors as CSV in this format: comma-separated, UTF-8, with the header row. `guard`:
    every cell that would start a formula is written with a leading apostrophe (`guarded`)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for d in doctors:
        row = doctor_row(d)
        writer.writerow({k: guarded(v) for k, v in row.items()} if guard else row)
    return out.getvalue()
