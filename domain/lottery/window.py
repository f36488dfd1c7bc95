"""Exact re-solving of a short stretch of the plan: the shifts within a time window, everything
else held as it is.

Rest (R-REST-1) ties a doctor's shifts together only over a day or so, so many improvements
the chains of domain.lottery.search cannot express — several doctors re-arranging a weekend at
once — are found by trying every assignment of the shifts in a window. Depth-first over the
window's shifts in draw order; for each, its planned holder first, then the other candidates by
largest deficit and number, then nobody. A branch ends when it cannot beat the goal any more
(covered so far plus shifts left); the search gives up after `NODES` assignments tried.
"""

from __future__ import annotations

from domain.lottery.plan import Plan, Targets, bits
from domain.lottery.search import shed

SPAN = 36 * 3600  # a window reaches this far before and after its centre shift, seconds
WEEK_SPAN = 4 * 24 * 3600  # the same with a weekly cap (R-LOAD-3)
NODES = 3000  # assignments tried per window
LEAF = 100  # what checking one finished assignment counts for against NODES


def improve_around(p: Plan, k: int, t: Targets, extra: int = 1, needy: list[int] | None = None) -> bool:
    """Re-solve the window around shift k so it covers at least `extra` more shifts (0: as many)
    and, with `needy`, brings those doctors within the deficit target. Applies the first such
    assignment found; False, and the plan unchanged, otherwise."""
    inp = p.inp
    # R-LOAD-3 ties a doctor's shifts together over a week: the window reaches further.
    span = SPAN if inp.week_cap is None else WEEK_SPAN
    lo, hi = inp.start[k] - span, inp.start[k] + span
    window = [j for j in range(p.fixed, len(inp.shifts)) if lo <= inp.start[j] < hi]
    before = {j: p.holder[j] for j in window}
    goal = sum(1 for j in window if before[j] >= 0) + extra
    losers = {h for h in before.values() if h >= 0}
    mark = p.mark()
    for j in window:
        p.assign(j, -1)
    nodes = [0]

    def candidates(j: int) -> list[int]:
        others = sorted((d for d in bits(inp.eligible[j]) if d != before[j]), key=lambda d: (-p.deficit(d), d))
        return ([before[j]] if before[j] >= 0 else []) + others + [-1]

    def done() -> bool:
        touched = sorted(losers | set(p.holder[j] for j in window if p.holder[j] >= 0))
        # A doctor one shift over the (b) limit or the overshoot target hands a shift on
        # outside the window (as by `shed`); the window's own shifts stay as they are.
        mark_leaf = p.mark()
        for d in touched:
            if not p.upper_ok(d, t) and not shed(p, d, t, frozenset(window), budget=200):
                p.undo(mark_leaf)
                return False
        if any(not p.lower_ok(d, t) for d in touched) or (needy is not None and not all(p.lower_ok(d, t) for d in needy)):
            p.undo(mark_leaf)
            return False
        return True

    def dfs(i: int, covered: int) -> bool:
        if covered + len(window) - i < goal:
            return False
        if i == len(window):
            nodes[0] += LEAF  # a finished assignment costs more to check
            return nodes[0] <= NODES and done()
        j = window[i]
        for d in candidates(j):
            nodes[0] += 1
            if nodes[0] > NODES:
                return False
            if d < 0:
                if dfs(i + 1, covered):
                    return True
                continue
            if p.conflicts(d, j):
                continue
            mark_j = p.mark()
            p.assign(j, d)
            if (p.upper_ok(d, t) or _one_over(p, d, t)) and dfs(i + 1, covered + 1):
                return True
            p.undo(mark_j)
        return False

    if dfs(0, 0):
        return True
    p.undo(mark)
    return False


def _one_over(p: Plan, d: int, t: Targets) -> bool:
    """Over the (b) limit or the overshoot target by no more than the doctor's latest shift."""
    mine = p.held[d]
    if not mine or mine[-1] < p.fixed:
        return False
    mark = p.mark()
    p.assign(mine[-1], -1)
    ok = p.upper_ok(d, t)
    p.undo(mark)
    return ok
