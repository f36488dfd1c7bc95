"""The draw itself: the open shifts one at a time, in time order, each to the first admissible
candidate in the R-LOT-3 order (docs/lottery.md has the full description).

For each shift, the candidates are its pool (R-LOT-1/R-LOT-2 with R-QUAL-2/3 and R-REST-1
against every shift drawn or held so far), ranked by deficit (quota minus load), largest first;
within a deficit the seed orders them: sampling without replacement, the j-th pick being
`tie_index(seed, shift, remaining, j)`. A candidate is admissible when the plan can be made to
give them the shift and still reach the targets (domain.lottery.targets): the plan's own choice
always is; anyone else is checked by releasing the shift from the planned holder (once per
shift) and settling the forced draw (domain.lottery.search). The first admissible candidate is
drawn; when there is none, the shift is reported uncovered (R-PROC-4).
"""

from __future__ import annotations

import hashlib
import heapq
from collections import deque
from collections.abc import Callable, Iterator

from domain.lottery.input import LotteryInput
from domain.lottery.plan import Plan, Targets, bits
from domain.lottery.record import Passed, blockers, drawn_event, failure_reason, group_passed, uncovered_event
from domain.period.load_cap import WINDOW_DAYS, breached
from domain.lottery.settle import Failure, exchange, release, take
from domain.period.events import LotteryDrawn, ShiftLeftUncovered


def tie_index(seed: int, shift_id: str, tied: int, attempt: int = 1) -> int:
    """R-LOT-4: the attempt-th pick among `tied` remaining candidates, from seed and shift id.

    SHA-256 of "<seed>:<shift id>" (first pick) or "<seed>:<shift id>:<attempt>" (later picks)
    as a big-endian integer, modulo the number of candidates left.
    """
    text = f"{seed}:{shift_id}" if attempt == 1 else f"{seed}:{shift_id}:{attempt}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big") % tied


def nth_bit(x: int, n: int) -> int:
    """The position of the n-th (0-based) set bit of x, counting from the lowest."""
    base = 0
    while x.bit_length() > 64:
        half = x.bit_length() >> 1
        low = x & ((1 << half) - 1)
        c = low.bit_count()
        if n < c:
            x = low
        else:
            n -= c
            x >>= half
            base += half
    while True:
        low = x & -x
        if n == 0:
            return base + low.bit_length() - 1
        x ^= low
        n -= 1


class Standing:
    """Loads, deficit levels, rest and the (b) limit after the draws made so far."""

    def __init__(self, inp: LotteryInput) -> None:
        self.inp = inp
        self.load = list(inp.load)
        self.levels: dict[int, int] = {}  # deficit (units) -> pool doctors with it
        for d in bits(inp.pool):
            key = inp.aim[d] - inp.load[d]
            self.levels[key] = self.levels.get(key, 0) | (1 << d)
        self.free = inp.everyone
        self.full = 0  # (b) doctors who reached the quota in the lottery (R-LOT-1)
        self.resting: list[tuple[float, int]] = []  # (free again at, doctor)
        self.drawn_days: list[list[int]] = [[] for _ in inp.ids]  # R-LOAD-3: days of each doctor's draws
        self.recent: deque[tuple[int, int]] = deque()  # (day, doctor) of draws in the last week

    def pool(self, k: int) -> int:
        start = self.inp.start[k]
        while self.resting and self.resting[0][0] <= start:
            self.free |= 1 << heapq.heappop(self.resting)[1]
        return self.inp.eligible[k] & self.free & ~self.full & ~self.week_full(k)

    def week_full(self, k: int) -> int:
        """R-LOAD-3: the doctors one more draw on shift k's date would take beyond the cap. Only
        a doctor drawn in the week before can be (the static rules cover the held shifts)."""
        inp = self.inp
        if inp.week_cap is None:
            return 0
        day = inp.day[k]
        while self.recent and self.recent[0][0] <= day - WINDOW_DAYS:
            self.recent.popleft()
        out = 0
        for d in {d for _, d in self.recent}:
            if breached(inp.held_days[d], self.drawn_days[d] + [day], inp.week_cap):
                out |= 1 << d
        return out

    def ranked(self, pool: int) -> list[tuple[int, int]]:
        """(deficit, members) of the pool by deficit, largest first; empty levels left out."""
        out = []
        for key in sorted(self.levels, reverse=True):
            members = pool & self.levels[key]
            if members:
                out.append((key, members))
                pool &= ~members
                if not pool:
                    break
        return out

    def draw(self, k: int, d: int) -> None:
        inp, bit = self.inp, 1 << d
        old = inp.aim[d] - self.load[d]
        self.load[d] += inp.units[k]
        new = old - inp.units[k]
        left = self.levels[old] & ~bit
        if left:
            self.levels[old] = left
        else:
            del self.levels[old]
        self.levels[new] = self.levels.get(new, 0) | bit
        self.free &= ~bit
        heapq.heappush(self.resting, (inp.end[k] + inp.rest, d))
        if inp.week_cap is not None:
            self.drawn_days[d].append(inp.day[k])
            self.recent.append((inp.day[k], d))
        if (inp.capped >> d) & 1 and self.load[d] >= inp.quota[d]:
            self.full |= bit


def _order(seed: int, shift_id: str, ranked: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """(doctor, deficit level) in the order candidates are tried (R-LOT-3, R-LOT-4)."""
    for key, members in ranked:
        count = members.bit_count()
        first = nth_bit(members, tie_index(seed, shift_id, count))
        yield first, key
        if count == 1:
            continue
        left = [d for d in bits(members) if d != first]
        attempt = 2
        while left:
            yield left.pop(tie_index(seed, shift_id, len(left), attempt)), key
            attempt += 1


def run_draw(
    inp: LotteryInput, plan: Plan, targets: Targets, seed: int, staff: int,
    on_draw: Callable[[int, int], None] | None = None,
) -> list[LotteryDrawn | ShiftLeftUncovered]:
    """Draw every open shift against the plan; the plan ends as the drawn roster."""
    standing = Standing(inp)
    events: list[LotteryDrawn | ShiftLeftUncovered] = []
    total = len(inp.shifts)
    draws = 0
    for k in range(total):
        plan.fixed = k
        pool = standing.pool(k)
        ranked = standing.ranked(pool)
        chosen, level, passed = _choose(inp, plan, targets, seed, k, ranked)
        plan.fixed = k + 1
        if chosen < 0:
            counts = blockers(inp, k, inp.everyone & ~standing.free, standing.full, staff, standing.week_full(k))
            events.append(uncovered_event(inp, k, pool, counts, passed))
        else:
            shown = [(key, m) for key, m in ranked if key >= level]
            draws += 1
            events.append(drawn_event(inp, draws, k, chosen, pool, shown, passed))
            standing.draw(k, chosen)
        if on_draw:
            on_draw(k + 1, total)
    return events


def plain_plan(inp: LotteryInput, seed: int) -> Plan:
    """The plan of the plain draw: every shift to its first-ranked candidate (R-LOT-3)."""
    standing = Standing(inp)
    plan = Plan(inp)
    for k in range(len(inp.shifts)):
        ranked = standing.ranked(standing.pool(k))
        if ranked:
            d, _ = next(_order(seed, inp.shifts[k].id, ranked))
            plan.assign(k, d)
            standing.draw(k, d)
    plan.log.clear()
    return plan


def _choose(
    inp: LotteryInput, plan: Plan, targets: Targets, seed: int, k: int, ranked: list[tuple[int, int]]
) -> tuple[int, int, list[Passed]]:
    """The drawn doctor for shift k (-1: none) and their level; the plan follows the choice.

    Each candidate in turn: the planned holder is drawn at once. Anyone else first tries the
    direct exchange with the planned holder; failing that, the shift is released from the
    planned holder (worked out once, then replayed) and the forced draw is settled.
    """
    planned = plan.holder[k]
    passed: list[Passed] = []
    before = plan.mark()
    released: Failure | list[tuple[int, int]] | None = None  # not yet worked out
    for c, key in _order(seed, inp.shifts[k].id, ranked):
        if c == planned:
            return c, key, passed
        if exchange(plan, k, c, targets):
            return c, key, passed
        if released is None:
            outcome = release(plan, k, targets)
            released = outcome if outcome is not None else [(y, plan.holder[y]) for y, _ in plan.log[before:]]
        else:
            for y, d in released if isinstance(released, list) else ():
                plan.assign(y, d)
        if isinstance(released, Failure):
            # The planned holder could not be made whole. Say so, unless drawing c would also
            # leave a shift uncovered: coverage comes first (R-PROC-4).
            failure = take(plan, k, c, Targets(uncovered=targets.uncovered))
            if failure is None or failure.kind != "coverage":
                failure = released
        else:
            failure = take(plan, k, c, targets)
            if failure is None:
                return c, key, passed
        plan.undo(before)
        rule, why = failure_reason(inp, failure, targets.deficit, targets.overshoot)
        group_passed(passed, rule, why, c)
    return -1, 0, passed

