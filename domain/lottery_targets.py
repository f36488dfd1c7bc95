"""The best outcome the lottery aims for, found by improving the plain draw's roster.

Starting from the plan the plain draw gives (every shift to its first-ranked candidate), three
phases improve it in order and fix the targets the draw must then keep (R-PROC-4, R-LOT-3):

1. Coverage: every unheld shift with a candidate gets `place`d, in draw order, in passes until a
   pass covers none. The uncovered target is what is then left.
2. Largest deficit: while the largest deficit among the pool's doctors is T, every doctor at T
   is `feed`-ed to strictly below T, in number order, with the coverage target kept. When one
   fails, that round is undone and T is the target.
3. Largest overshoot: the same with `shed` for the doctors at the largest overshoot, the
   coverage and deficit targets kept.

A round is skipped when a bound proves it cannot succeed: for the deficit, more points needed
than the open shifts hold, or a doctor who could not reach the target even with every shift
they may take (weighted interval scheduling under R-REST-1 and the (b) limit); for the
overshoot, a doctor already over it before the lottery, or too little room for the covered
shifts' points.
"""

from __future__ import annotations

import bisect

from domain.lottery_plan import Plan, Targets
from domain.lottery_search import feed, place, shed


def find_targets(p: Plan) -> Targets:
    """Improve the plan in place; return the targets it reaches."""
    inp = p.inp
    progress = True
    while progress:
        progress = False
        for k in range(p.fixed, len(inp.shifts)):
            if p.holder[k] < 0 and inp.eligible[k] and place(p, k, Targets()):
                progress = True
    uncovered = p.unheld
    deficit = p.max_deficit()
    while deficit is not None and not _deficit_bound(p, deficit - 1):
        t = Targets(uncovered=uncovered, deficit=deficit - 1)
        if not _round(p, [d for d in p.members if p.deficit(d) > t.deficit], lambda d: feed(p, d, t)):
            break
        deficit = p.max_deficit()
    overshoot = p.max_overshoot()
    while overshoot is not None and not _overshoot_bound(p, overshoot - 1):
        t = Targets(uncovered=uncovered, deficit=deficit, overshoot=overshoot - 1)
        if not _round(p, [d for d in p.members if -p.deficit(d) > t.overshoot], lambda d: shed(p, d, t)):
            break
        overshoot = p.max_overshoot()
    return Targets(uncovered=uncovered, deficit=deficit, overshoot=overshoot)


def _round(p: Plan, doctors: list[int], fix) -> bool:
    mark = p.mark()
    for d in doctors:
        if not fix(d):
            p.undo(mark)
            return False
    return True


def _deficit_bound(p: Plan, target: int) -> bool:
    """True when no roster can bring every pool doctor to `target` or below."""
    inp = p.inp
    need = sum(max(0, inp.quota[d] - inp.load[d] - target) for d in p.members)
    if need > sum(u for u, e in zip(inp.units, inp.eligible) if e):
        return True
    for d in p.members:
        if p.deficit(d) > target and inp.quota[d] - inp.load[d] - most_points(p, d) > target:
            return True
    return False


def _overshoot_bound(p: Plan, target: int) -> bool:
    """True when no roster with the coverage kept can hold every pool doctor to `target`."""
    inp = p.inp
    if any(inp.load[d] - inp.quota[d] > target for d in p.members):
        return True
    room = sum(max(0, inp.quota[d] - inp.load[d] + target) for d in p.members)
    covered = sorted(u for u, h in zip(inp.units, p.holder) if h >= 0)
    return room < sum(covered)


def most_points(p: Plan, d: int) -> int:
    """The most points doctor d could draw with no one else drawn: weighted interval scheduling
    over the shifts d may take (R-REST-1), capped by the (b) limit (R-LOT-1)."""
    inp = p.inp
    mine = sorted(p.eligible_for(d), key=lambda k: (inp.end[k], k))
    ends = [inp.end[k] + inp.rest for k in mine]
    best = [0] * (len(mine) + 1)
    for i, k in enumerate(mine):
        j = bisect.bisect_right(ends, inp.start[k], 0, i)  # shifts resting before k starts
        best[i + 1] = max(best[i], best[j] + inp.units[k])
    most = best[-1]
    if (inp.capped >> d) & 1:
        most = min(most, inp.quota[d] - inp.load[d] - 1 + max((inp.units[k] for k in mine), default=0))
    return most
