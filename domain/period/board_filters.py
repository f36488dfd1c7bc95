"""The kinds a doctor filters their board by, defined once from the shift template.

A template has a free name and one of two kinds (duty, backup), so the words doctors use map
from both:

- `evening`: the template named `evening` (kveld);
- `night`: the template named `night` (natt);
- `weekend`: any shift whose date — the day it starts — is a Saturday or Sunday (helg). So the
  night from Sunday to Monday is a weekend shift, the night from Friday to Saturday is not: a
  rota lists a shift under the day it starts on;
- `backup`: every shift of kind backup (templates `backup`, `backup-day`, …) (bakvakt).

A shift can answer to several (a Saturday night is `night` and `weekend`). A template of another
name (`day`, a station's own) answers to `weekend` and `backup` by its day and kind only.
"""

from __future__ import annotations

from datetime import date

from domain.model import Shift, ShiftKind
from domain.period.shifts import WEEKDAYS

KINDS = ("evening", "night", "weekend", "backup")
_BY_NAME = {"evening": "evening", "night": "night"}


def shift_kinds(shift: Shift) -> frozenset[str]:
    kinds = set()
    if shift.name in _BY_NAME:
        kinds.add(_BY_NAME[shift.name])
    if shift.day.weekday() >= 5:
        kinds.add("weekend")
    if shift.kind is ShiftKind.BACKUP:
        kinds.add("backup")
    return frozenset(kinds)


def matches(kinds: list[str] | frozenset[str], day: date, kind: str | None, weekday: str | None) -> bool:
    """Whether a shift with these kinds on this day passes the filters (None: no filter)."""
    if kind is not None and kind not in kinds:
        return False
    return weekday is None or WEEKDAYS[day.weekday()] == weekday
