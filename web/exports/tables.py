"""The export's tables, in words and numbers: one header and one row per shift (the roster), per
doctor (the fairness ledger) or per doctor and month (the payroll). Pure: the same rows go into
the CSV, the workbook and the PDF.

Formula injection (OWASP "CSV Injection"): a text cell that begins with `=`, `+`, `-`, `@`, a
tab or a carriage return would be run as a formula by a spreadsheet; such a cell is written with
a leading apostrophe, so it shows as the text it is. Numbers stay numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from app.roster.views import RoundRoster
from domain.model import OSLO_TZ
from domain.period.ledger import COLUMNS, RosterEntry, Standing
from web import roster_words as words
from web.i18n import text

Cell = str | int | float | None
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe(value: Cell) -> Cell:
    """A cell a spreadsheet shows as written: text that would start a formula gets a `'`."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def roster_header(lang: str, stations: bool) -> list[str]:
    keys = ["date", "weekday", "start", "end", *(["station"] if stations else []), "shift", "doctor", "doctor_id",
            "how", "draw", "uncovered", "unsafe"]
    return [text(f"export.col.{k}", lang) for k in keys]


def roster_row(entry: RosterEntry, roster: RoundRoster, lang: str, stations: bool) -> list[Cell]:
    start, end = entry.shift.start.astimezone(OSLO_TZ), entry.shift.end.astimezone(OSLO_TZ)
    yes = text("export.yes", lang)
    return [
        entry.shift.day.isoformat(), text(f"wdlong.{entry.shift.day.weekday()}", lang), start.strftime("%H:%M"),
        end.strftime("%H:%M"), *([words.station_name(entry.station, lang)] if stations else []),
        words.kind_name(entry.kind, lang), roster.name(entry.doctor) if entry.doctor else "",
        entry.doctor or "", words.source_word(entry.source, lang), entry.draw,
        yes if entry.uncovered else "", yes if entry.unsafe else "",
    ]


def roster_table(roster: RoundRoster, entries: Sequence[RosterEntry], lang: str) -> list[list[Cell]]:
    stations = any(e.station for e in entries)
    return [roster_header(lang, stations), *(roster_row(e, roster, lang, stations) for e in entries)]


def fairness_table(roster: RoundRoster, rows: Iterable[Standing], lang: str) -> list[list[Cell]]:
    header = [text("roster.doctor", lang), text("export.col.doctor_id", lang),
              *(text(f"fairness.col.{c}", lang) for c in COLUMNS)]
    body = [[roster.name(r.doctor), r.doctor, *(getattr(r, c) for c in COLUMNS)] for r in rows]
    return [header, *body]


def payroll_table(roster: RoundRoster, table: dict[str, dict[str, tuple[int, float]]], lang: str) -> list[list[Cell]]:
    header = [text("roster.doctor", lang), text("export.col.doctor_id", lang), text("export.col.month", lang),
              text("export.col.shifts", lang), text("export.col.points", lang)]
    body = []
    for doctor in sorted(table, key=lambda d: (roster.name(d).casefold(), d)):
        for month, (n, points) in sorted(table[doctor].items()):
            body.append([roster.name(doctor), doctor, month, n, points])
    return [header, *body]
