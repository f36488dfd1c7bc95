"""The roster in words and in a month's grid, for the pages and the exports alike: a shift's
short name and station, how its holder came to hold it, its marks; the filters an operator
narrows it by (station, kind, doctor), the months of the period and the weeks of one month.

Every word is from the catalogue (roster.po); pure functions of the entries and the language.
Filtering and grouping are one pass over the entries (a year of 8 stations is ~10,000).
"""

from __future__ import annotations

import calendar as stdlib_calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.period.ledger import RosterEntry
from web import shift_names
from web.i18n import has, text

_STATION = re.compile(r"s(\d{1,3})")
_MONTH = re.compile(r"\d{4}-\d{2}")


def station_name(station: str | None, lang: str) -> str:
    if station is None:
        return ""
    found = _STATION.fullmatch(station)
    return text("roster.station_n", lang, n=found.group(1)) if found else station


def kind_name(kind: str, lang: str) -> str:
    return shift_names.kind_word(kind, lang)


def shift_short(entry: RosterEntry, lang: str) -> str:
    """`Kveld 16–23`."""
    return shift_names.shift_short(entry.kind, entry.shift.start, entry.shift.end, lang)


def shift_full(entry: RosterEntry, lang: str) -> str:
    """`Kveld fre 1. jan 16–23, Stasjon 3`: unique within the round."""
    return shift_names.shift_name(entry.kind, entry.shift.start, entry.shift.end, lang,
                                  place=station_name(entry.station, lang) or None)


def source_word(source: str | None, lang: str) -> str:
    key = f"roster.source.{source}"
    return text(key, lang) if source and has(key) else ""


def marks(entry: RosterEntry, lang: str) -> list[str]:
    """The marks in words: uncovered, unsafe (R-QUAL-3), drawn with its number."""
    out = []
    if entry.uncovered:
        out.append(text("roster.mark.uncovered", lang))
    if entry.unsafe:
        out.append(text("roster.mark.unsafe", lang))
    if entry.draw is not None:
        out.append(text("roster.mark.drawn", lang, n=str(entry.draw)))
    return out


def holder_text(entry: RosterEntry, name: str, lang: str) -> str:
    if entry.doctor is not None:
        return name
    return text("roster.uncovered" if entry.uncovered else "roster.open", lang)


@dataclass(frozen=True)
class Filters:
    station: str | None = None
    kind: str | None = None
    doctor: str | None = None

    def keep(self, entry: RosterEntry) -> bool:
        return ((self.station is None or entry.station == self.station)
                and (self.kind is None or entry.kind == self.kind)
                and (self.doctor is None or entry.doctor == self.doctor))

    def query(self) -> dict[str, str]:
        return {k: v for k, v in (("station", self.station), ("kind", self.kind), ("doctor", self.doctor)) if v}


def filters_of(entries: list[RosterEntry], names: dict[str, str], station: str | None, kind: str | None,
               doctor: str | None) -> tuple[Filters, dict[str, list]]:
    """The filters asked for, each kept only when it is one of the round's (an unknown value
    means no filter, so an old link still shows the roster), and every choice for the form."""
    stations = sorted({e.station for e in entries if e.station}, key=_station_order)
    kinds = list(dict.fromkeys(e.kind for e in entries))
    held = {e.doctor for e in entries if e.doctor}
    doctors = sorted(held, key=lambda d: (names.get(d, d).casefold(), d))
    chosen = Filters(station=station if station in stations else None, kind=kind if kind in kinds else None,
                     doctor=doctor if doctor in held else None)
    return chosen, {"stations": stations, "kinds": kinds, "doctors": doctors}


def _station_order(station: str) -> tuple[int, str]:
    found = _STATION.fullmatch(station)
    return (int(found.group(1)) if found else 10**6, station)


def months(start: date, end: date) -> list[str]:
    out, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def month_of(value: str | None, all_months: list[str]) -> str:
    return value if value and _MONTH.fullmatch(value) and value in all_months else all_months[0]


def weeks(month: str) -> list[list[date | None]]:
    """The month's weeks, Monday first; days of other months are None."""
    year, number = (int(p) for p in month.split("-"))
    grid = stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, number)
    return [[d if d.month == number else None for d in week] for week in grid]


def by_day(entries: Iterable[RosterEntry], filters: Filters, month: str | None = None) -> dict[date, list[RosterEntry]]:
    """The kept entries by the day they start (within `month` when given), in calendar order."""
    out: dict[date, list[RosterEntry]] = {}
    for entry in entries:
        if (month is None or entry.shift.day.isoformat()[:7] == month) and filters.keep(entry):
            out.setdefault(entry.shift.day, []).append(entry)
    return out


def counts(entries: Iterable[RosterEntry]) -> dict[str, int]:
    total = covered = uncovered = unsafe = drawn = 0
    for e in entries:
        total += 1
        covered += e.doctor is not None and not e.uncovered  # a vacancy that started uncovered has a holder (R-VAC-3)
        uncovered += e.uncovered
        unsafe += e.unsafe
        drawn += e.draw is not None
    return {"total": total, "covered": covered, "open": total - covered - uncovered, "uncovered": uncovered,
            "unsafe": unsafe, "drawn": drawn}
