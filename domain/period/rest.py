"""R-REST-1: no overlapping shifts, and a minimum rest between two shifts of one doctor."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import NamedTuple

from domain.model import Shift


class RestClash(NamedTuple):
    """What breaks R-REST-1, as data: `overlap` or `short` rest next to `other` (one of the
    doctor's own shifts), with the rest left in hours (0 for an overlap)."""

    kind: str  # overlap | short
    other: str
    hours: float
    minimum: float

    def text(self) -> str:
        if self.kind == "overlap":
            return f"overlaps {self.other}"
        return f"leaves {self.hours:g} h of rest next to {self.other} (minimum {self.minimum:g} h)"


def rest_conflict(
    shift: Shift, held: Iterable[Shift], min_rest_hours: float, allow_back_to_back: bool = False
) -> str | None:
    """Why `shift` cannot join `held` under R-REST-1, or None (in words: `rest_clash`'s text)."""
    clash = rest_clash(shift, held, min_rest_hours, allow_back_to_back)
    return clash.text() if clash else None


def rest_clash(
    shift: Shift, held: Iterable[Shift], min_rest_hours: float, allow_back_to_back: bool = False
) -> RestClash | None:
    """The first clash of `shift` with `held` under R-REST-1, or None.

    Intervals are compared in UTC (`Shift` stores UTC), so the short spring night and the long
    autumn night give the true rest (R-TIME-1). `allow_back_to_back` (policy) lifts the rest
    minimum for voluntary picks only; an overlap is never allowed.
    """
    min_rest = timedelta(hours=min_rest_hours)
    for other in held:
        if other.id == shift.id:
            continue
        if shift.start < other.end and other.start < shift.end:
            return RestClash("overlap", other.id, 0.0, min_rest_hours)
        if allow_back_to_back:
            continue
        gap = shift.start - other.end if other.end <= shift.start else other.start - shift.end
        if gap < min_rest:
            return RestClash("short", other.id, gap.total_seconds() / 3600, min_rest_hours)
    return None
