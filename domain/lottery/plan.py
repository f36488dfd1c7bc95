"""The plan: one complete roster of the open shifts that the draw keeps reachable.

The lottery draws the open shifts one at a time (domain.lottery.draw). The plan is a witness
that the best outcome found — fewest uncovered shifts (R-PROC-4), then the smallest largest
deficit, then the smallest largest overshoot among the pool's doctors (R-LOT-3) — can still be
reached from the draws made so far. Shifts before `fixed` are drawn for good; the search
(domain.lottery.search) only ever moves the others.

Every rule the draw respects holds in the plan at all times:
- a shift is held by a doctor of its static eligibility (domain.lottery.input), or by nobody;
- R-REST-1: no two shifts of one doctor overlap or leave less than the minimum rest;
- R-LOT-1 (b): a doctor who gave wishes holds shifts only while below the quota when each is
  drawn. Draws go in time order, so the load before the doctor's last shift must be below quota.
- R-LOAD-3 (a policy cap): no 7-day window with a lottery shift holds more than the cap; with a
  cap of one this is a pairwise clash like rest, with more it is counted per window.
Changes are logged so that a failed search can be undone exactly.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass

from domain.lottery.input import LotteryInput
from domain.period.load_cap import WINDOW_DAYS, breached


@dataclass(frozen=True)
class Targets:
    """Limits the plan must keep, in units; None is no limit."""

    uncovered: int | None = None  # shifts left unheld, in all
    deficit: int | None = None  # largest quota - load among doctors holding lottery shifts
    overshoot: int | None = None  # largest load - quota among them


def iter_bits(x: int) -> Iterator[int]:
    """The members of a doctor set in increasing order, lazily."""
    while x:
        low = x & -x
        yield low.bit_length() - 1
        x ^= low


def bits(x: int) -> list[int]:
    """The members of a doctor set, in increasing order."""
    out = []
    while x:
        low = x & -x
        out.append(low.bit_length() - 1)
        x ^= low
    return out


class Plan:
    def __init__(self, inp: LotteryInput) -> None:
        self.inp = inp
        self.holder = [-1] * len(inp.shifts)
        self.held: list[list[int]] = [[] for _ in inp.ids]  # shift indices, increasing
        self.load = list(inp.load)
        self.fixed = 0
        self.unheld = len(inp.shifts)
        self.log: list[tuple[int, int]] = []
        self.members = bits(inp.pool)  # the pool's doctors, whose deficits and overshoots count
        self.levels: dict[int, int] = {}  # deficit -> pool doctors with it
        for d in self.members:
            self._level(d, 0, add=True)
        self._eligible_for: dict[int, list[int]] = {}

    # ------------------------------------------------------------------ changes
    def assign(self, k: int, d: int) -> None:
        """Give shift k to doctor d (-1: nobody), logged."""
        old = self.holder[k]
        self.log.append((k, old))
        self._set(k, old, d)

    def _set(self, k: int, old: int, d: int) -> None:
        u = self.inp.units[k]
        if old >= 0:
            mine = self.held[old]
            del mine[bisect.bisect_left(mine, k)]
            self._level(old, -u)
        else:
            self.unheld -= 1
        if d >= 0:
            bisect.insort(self.held[d], k)
            self._level(d, u)
        else:
            self.unheld += 1
        self.holder[k] = d

    def _level(self, d: int, change: int, add: bool = False) -> None:
        """Move doctor d between deficit levels as its load changes by `change` units."""
        bit = 1 << d
        if not add:
            key = self.inp.aim[d] - self.load[d]
            left = self.levels[key] & ~bit
            if left:
                self.levels[key] = left
            else:
                del self.levels[key]
            self.load[d] += change
        key = self.inp.aim[d] - self.load[d]
        self.levels[key] = self.levels.get(key, 0) | bit

    def by_need(self, candidates: int) -> Iterator[int]:
        """The candidates by largest deficit, then number, lazily (pool doctors only)."""
        for key in sorted(self.levels, reverse=True):
            members = candidates & self.levels[key]
            if members:
                yield from iter_bits(members)

    def mark(self) -> int:
        return len(self.log)

    def undo(self, mark: int) -> None:
        while len(self.log) > mark:
            k, old = self.log.pop()
            self._set(k, self.holder[k], old)

    # ------------------------------------------------------------------ rules
    def clash(self, i: int, j: int) -> bool:
        """R-REST-1: shifts i and j overlap or leave less than the minimum rest between them."""
        inp = self.inp
        if inp.week_cap == 1 and abs(inp.day[i] - inp.day[j]) < WINDOW_DAYS:
            return True  # R-LOAD-3 with a cap of one: two shifts in one week clash like rest
        return inp.start[j] < inp.end[i] + inp.rest and inp.start[i] < inp.end[j] + inp.rest

    def conflicts(self, d: int, k: int) -> list[int]:
        """The shifts doctor d holds that clash with shift k (k itself excluded)."""
        inp, mine = self.inp, self.held[d]
        out = []
        pos = bisect.bisect_left(mine, k)
        j = pos - 1
        while j >= 0 and inp.start[mine[j]] + inp.longest > inp.start[k]:
            if self.clash(mine[j], k):
                out.append(mine[j])
            j -= 1
        j = pos
        limit = inp.end[k] + inp.rest
        while j < len(mine) and inp.start[mine[j]] < limit:
            if mine[j] != k and self.clash(mine[j], k):
                out.append(mine[j])
            j += 1
        out.sort()
        if inp.week_cap is not None:
            out = self._week_conflicts(d, k, out)
        return out

    def _week_conflicts(self, d: int, k: int, out: list[int]) -> list[int]:
        """R-LOAD-3: what d must also give up to take k within the weekly cap: nothing, one
        shift (the latest of those that would do, as chains hand on the latest first), or every
        lottery shift within a week of k (always enough: the static rules keep k clear of a window
        that the held shifts fill alone)."""
        inp = self.inp
        kept = [x for x in self.held[d] if x != k and x not in out]
        if self.week_ok(d, [*kept, k]):
            return out
        near = [x for x in kept if abs(inp.day[x] - inp.day[k]) < WINDOW_DAYS]
        if inp.week_cap != 1:
            for z in reversed(near):
                if self.week_ok(d, [x for x in kept if x != z] + [k]):
                    return sorted([*out, z])
        return sorted([*out, *near])

    def week_ok(self, d: int, shifts: list[int] | None = None) -> bool:
        """R-LOAD-3: doctor d's lottery shifts (default: those planned) keep the weekly cap."""
        inp = self.inp
        if inp.week_cap is None:
            return True
        mine = self.held[d] if shifts is None else shifts
        return not breached(inp.held_days[d], [inp.day[k] for k in mine], inp.week_cap)

    def cap_ok(self, d: int) -> bool:
        """R-LOT-1 (b): the load before the doctor's last lottery shift is below the quota."""
        mine = self.held[d]
        if not mine or not (self.inp.capped >> d) & 1:
            return True
        return self.load[d] - self.inp.units[mine[-1]] < self.inp.quota[d]

    def deficit(self, d: int) -> int:
        return self.inp.aim[d] - self.load[d]

    def upper_ok(self, d: int, t: Targets) -> bool:
        return self.cap_ok(d) and self.week_ok(d) and (t.overshoot is None or -self.deficit(d) <= t.overshoot)

    def lower_ok(self, d: int, t: Targets) -> bool:
        return t.deficit is None or not (self.inp.pool >> d) & 1 or self.deficit(d) <= t.deficit

    def eligible_for(self, d: int) -> list[int]:
        """Open shifts doctor d may be drawn for on the static rules, in draw order (cached)."""
        got = self._eligible_for.get(d)
        if got is None:
            got = [k for k, e in enumerate(self.inp.eligible) if (e >> d) & 1]
            self._eligible_for[d] = got
        return got

    # ------------------------------------------------------------------ measures
    def max_deficit(self) -> int | None:
        return max((self.deficit(d) for d in self.members), default=None)

    def max_overshoot(self) -> int | None:
        return max((-self.deficit(d) for d in self.members), default=None)
