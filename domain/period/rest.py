"""R-REST-1: no overlapping shifts, and a minimum rest between two shifts of one doctor."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from domain.model import Shift


def rest_conflict(
    shift: Shift, held: Iterable[Shift], min_rest_hours: float, allow_back_to_back: bool = False
) -> str | None:
    """Why `shift` cannot join `held` under R-REST-1, or None.

    Intervals are compared in UTC (`Shift` stores UTC), so the short spring night and the long
    autumn night give the true rest (R-TIME-1). `allow_back_to_back` (policy) lifts the rest
    minimum for voluntary picks only; an overlap is never allowed.
    """
    min_rest = timedelta(hours=min_rest_hours)
    for other in held:
        if other.id == shift.id:
            continue
        if shift.start < other.end and other.start < shift.end:
            return f"overlaps {other.id}"
        if allow_back_to_back:
            continue
        gap = shift.start - other.end if other.end <= shift.start else other.start - shift.end
        if gap < min_rest:
            hours = gap.total_seconds() / 3600
            return f"leaves {hours:g} h of rest next to {other.id} (minimum {min_rest_hours:g} h)"
    return None
