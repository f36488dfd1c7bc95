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


class RosterRows:
    """The roster's rows, each word looked up once per value (a year has ~10,000 rows and a
    handful of kinds, stations, sources and weekdays)."""

    def __init__(self, roster: RoundRoster, lang: str, stations: bool) -> None:
        self.roster, self.lang, self.stations = roster, lang, stations
        self.yes = text("export.yes", lang)
        self._words: dict[tuple[str, str | None], str] = {}

    def _word(self, kind: str, value: str | None) -> str:
        key = (kind, value)
        if key not in self._words:
            lang = self.lang
            self._words[key] = {
                "weekday": lambda: text(f"wdlong.{value}", lang),
                "station": lambda: words.station_name(value, lang),
                "kind": lambda: words.kind_name(value or "", lang),
                "source": lambda: words.source_word(value, lang),
            }[kind]()
        return self._words[key]

    def row(self, entry: RosterEntry) -> list[Cell]:
        shift = entry.shift
        start, end = shift.start.astimezone(OSLO_TZ), shift.end.astimezone(OSLO_TZ)
        return [
            shift.day.isoformat(), self._word("weekday", str(shift.day.weekday())), f"{start.hour:02d}:{start.minute:02d}",
            f"{end.hour:02d}:{end.minute:02d}", *([self._word("station", entry.station)] if self.stations else []),
            self._word("kind", entry.kind), self.roster.name(entry.doctor) if entry.doctor else "",
            entry.doctor or "", self._word("source", entry.source), entry.draw,
            self.yes if entry.uncovered else "", self.yes if entry.unsafe else "",
        ]


def roster_table(roster: RoundRoster, entries: Sequence[RosterEntry], lang: str) -> list[list[Cell]]:
    stations = any(e.station for e in entries)
    rows = RosterRows(roster, lang, stations)
    return [roster_header(lang, stations), *(rows.row(e) for e in entries)]


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
