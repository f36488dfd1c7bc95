"""R-LOAD-3: a district may cap how many shifts a doctor holds in any 7 consecutive days.

The cap is policy (`Policy.max_shifts_per_week`, off by default). The lottery never draws a
doctor beyond it while the shift can be covered otherwise (domain.lottery); voluntary picks,
claims and swaps beyond it are allowed, but shown to the doctor and on the fairness report.
Days are the shifts' Oslo dates (R-TIME-1): two shifts fall in one 7-day window when their
dates are at most 6 days apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

WINDOW_DAYS = 7


def breached(fixed: Sequence[int], drawn: Sequence[int], cap: int) -> bool:
    """True when some 7-day window holding at least one of `drawn` holds more than `cap` shifts.

    `fixed` and `drawn` are day numbers. Windows of `fixed` days alone are not counted: a
    doctor who volunteered beyond the cap may still be drawn in another week (R-LOAD-3 counts
    voluntary shifts, but a draw is refused only where it adds to a full window)."""
    if len(fixed) + len(drawn) <= cap or not drawn:
        return False
    if not fixed:  # every shift drawn (the lottery's usual case): cap + 1 of them within 6 days
        ds = sorted(drawn)
        for i in range(len(ds) - cap):
            if ds[i + cap] - ds[i] < WINDOW_DAYS:
                return True
        return False
    days = sorted([(d, 0) for d in fixed] + [(d, 1) for d in drawn])
    marks = [0]
    for _, m in days:
        marks.append(marks[-1] + m)
    for i in range(len(days) - cap):
        j = i + cap  # cap + 1 shifts from i to j
        if days[j][0] - days[i][0] < WINDOW_DAYS and marks[j + 1] > marks[i]:
            return True
    return False


@dataclass(frozen=True)
class CapExcess:
    """A 7-day window in which a doctor holds more shifts than the cap (R-LOAD-3)."""

    first_day: date
    last_day: date
    shifts: int
    cap: int


def excesses(days: Iterable[date], cap: int | None) -> list[CapExcess]:
    """The windows over the cap, each starting at a shift's date, not overlapping (earliest
    first), for the doctor's board and the fairness report."""
    if cap is None:
        return []
    ordered = sorted(days)
    out: list[CapExcess] = []
    i = 0
    while i < len(ordered):
        start = ordered[i]
        last = start + timedelta(days=WINDOW_DAYS - 1)
        inside = [d for d in ordered[i:] if d <= last]
        if len(inside) > cap:
            out.append(CapExcess(first_day=start, last_day=last, shifts=len(inside), cap=cap))
            i += len(inside)
        else:
            i += 1
    return out


def over_cap_report(held: dict[str, list[tuple[date, str]]], cap: int | None) -> dict[str, list[dict]]:
    """R-LOAD-3 on the operators' fairness report: per doctor, each 7-day window above the cap
    with its shifts' sources (a voluntary pick, claim or swap, or a draw beyond the cap when
    nothing else could cover it). `held`: doctor -> (date, source) of every shift held."""
    if cap is None:
        return {}
    out: dict[str, list[dict]] = {}
    for doctor, shifts in sorted(held.items()):
        for window in excesses((d for d, _ in shifts), cap):
            sources = sorted({src for d, src in shifts if window.first_day <= d <= window.last_day})
            out.setdefault(doctor, []).append({
                "first": window.first_day.isoformat(), "last": window.last_day.isoformat(),
                "shifts": window.shifts, "cap": cap, "sources": sources,
            })
    return out
