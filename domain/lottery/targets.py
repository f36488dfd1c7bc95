"""The best outcome the lottery aims for (the targets), found by improving starting rosters.

Starts: the plain draw (every shift to its first-ranked candidate) and, in small periods, the
scarcest-first roster and the plain draw with seed + 1 and + 2; the best improved start wins.
A round of three phases improves a start, repeated while a round improves (docs/lottery.md §4):

1. Coverage: unheld shifts are `place`d in draw order (then with one nested split); doctors
   eligible for an unheld shift `reselect` their own shifts; as a last resort the window around
   an unheld shift is re-solved exactly (domain.lottery.window); with a weekly cap (R-LOAD-3),
   then a doctor re-chooses the unheld shifts first and hands their own on by chains, and (the
   lottery's algorithm 2, within the start's work) two doctors' shifts are re-solved exactly over
   the whole period (domain.lottery.pairs). The uncovered target is what is then left.
2. Largest deficit: while the largest deficit among the pool's doctors is T, every doctor above
   T - 1 unit is `feed`-ed, in number order, with the coverage target kept. When one fails, that
   round is undone and T is the target.
3. Largest overshoot: the same with `shed`, the coverage and deficit targets kept.

A deficit or overshoot round is skipped when a bound proves it cannot succeed: for the deficit,
more points needed than the open shifts hold, or a doctor who could not reach the target even
with every shift they may take (weighted interval scheduling under R-REST-1 and the (b) limit);
for the overshoot, a doctor already over it before the lottery, or too little room for the
covered shifts' points.
"""

from __future__ import annotations

import bisect

from domain.lottery.input import LotteryInput
from domain.lottery.pairs import improve_by_pairs
from domain.lottery.plan import Plan, Targets, bits
from domain.lottery.search import Work, feed, place, shed
from domain.lottery.window import improve_around


ROUNDS = 3  # the three phases are repeated while a round improves the outcome, at most this often


def find_targets(p: Plan, pairs: Work | None = None) -> Targets:
    """Improve the plan in place; return the targets it reaches. `pairs`: the work allowed for
    the exact re-solves of two doctors (R-LOAD-3 only; None: none)."""
    best: tuple | None = None
    targets = Targets()
    for _ in range(ROUNDS):
        targets = _one_round(p, pairs)
        score = (targets.uncovered, _key(targets.deficit), _key(targets.overshoot))
        if best is not None and score >= best:
            break
        best = score
    return targets


def _key(value: int | None) -> int:
    return -(10**12) if value is None else value


def _one_round(p: Plan, pairs: Work | None) -> Targets:
    inp = p.inp
    progress = True
    while progress:
        progress = False
        for k in range(p.fixed, len(inp.shifts)):
            if p.holder[k] < 0 and inp.eligible[k] and (place(p, k, Targets()) or place(p, k, Targets(), split=1)):
                progress = True
        wanted = 0
        for k in range(p.fixed, len(inp.shifts)):
            if p.holder[k] < 0:
                wanted |= inp.eligible[k]
        for d in bits(wanted):
            progress = reselect(p, d) or progress
        if not progress:
            for k in range(p.fixed, len(inp.shifts)):
                if p.holder[k] < 0 and inp.eligible[k] and improve_around(p, k, Targets()):
                    progress = True
        if not progress and inp.week_cap is not None:
            wanted = 0
            for k in range(p.fixed, len(inp.shifts)):
                if p.holder[k] < 0:
                    wanted |= inp.eligible[k]
            for d in bits(wanted):
                if reselect_unheld(p, d):
                    progress = True
                    break
            if not progress and pairs is not None:
                progress = improve_by_pairs(p, pairs)
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
    need = sum(max(0, inp.aim[d] - inp.load[d] - target) for d in p.members)
    if need > sum(u for u, e in zip(inp.units, inp.eligible) if e):
        return True
    for d in p.members:
        if p.deficit(d) > target and inp.aim[d] - inp.load[d] - most_points(p, d) > target:
            return True
    return False


def _overshoot_bound(p: Plan, target: int) -> bool:
    """True when no roster with the coverage kept can hold every pool doctor to `target`."""
    inp = p.inp
    if any(inp.load[d] - inp.aim[d] > target for d in p.members):
        return True
    room = sum(max(0, inp.aim[d] - inp.load[d] + target) for d in p.members)
    covered = sorted(u for u, h in zip(inp.units, p.holder) if h >= 0)
    return room < sum(covered)


def reselect(p: Plan, d: int) -> bool:
    """Coverage for one doctor: re-choose, among the open shifts d holds or nobody holds, the most
    d can take together (R-REST-1, the (b) limit), everyone else unchanged. True when that covers
    more. Without the (b) limit: interval scheduling by earliest end. With it: the longest chain
    in start order whose points before its last shift stay below the quota (dynamic programming
    over the points used)."""
    inp = p.inp
    fixed_mine = [k for k in p.held[d] if k < p.fixed]
    free = [k for k in range(p.fixed, len(inp.shifts))
            if (inp.eligible[k] >> d) & 1 and p.holder[k] in (-1, d)
            and not any(p.clash(f, k) for f in fixed_mine)]
    now = [k for k in free if p.holder[k] == d]
    if (inp.capped >> d) & 1:
        room = inp.quota[d] - inp.load[d] - sum(inp.units[k] for k in fixed_mine)  # points before the last < room
        if inp.week_cap is not None:
            chosen = _week_greedy(p, d, free, fixed_mine, room) if room > 0 else []
        else:
            chosen = _capped_chain(p, free, room) if room > 0 else []
    elif inp.week_cap is not None:
        chosen = _week_greedy(p, d, free, fixed_mine)
    else:
        chosen, end = [], None
        for k in sorted(free, key=lambda k: (inp.end[k], k)):
            if end is None or inp.start[k] >= end:
                chosen.append(k)
                end = inp.end[k] + inp.rest
    if len(chosen) <= len(now) or not p.week_ok(d, fixed_mine + chosen):  # R-LOAD-3 is counted, not scheduled
        return False
    for k in now:
        p.assign(k, -1)
    for k in chosen:
        p.assign(k, d)
    return True


def reselect_unheld(p: Plan, d: int) -> bool:
    """R-LOAD-3: the cap ties a doctor's shifts together over weeks, so covering one more shift
    may need a doctor to exchange several of their shifts at once. Doctor d re-chooses as in
    `reselect`, the unheld shifts first and then their own where they still fit; the shifts d
    gives up are then placed by chains. Kept only when fewer shifts are left unheld."""
    inp = p.inp
    fixed_mine = [k for k in p.held[d] if k < p.fixed]
    free = [k for k in range(p.fixed, len(inp.shifts))
            if (inp.eligible[k] >> d) & 1 and p.holder[k] in (-1, d)
            and not any(p.clash(f, k) for f in fixed_mine)]
    unheld = [k for k in free if p.holder[k] < 0]
    now = [k for k in free if p.holder[k] == d]
    if not unheld or not now:
        return False
    room = None
    if (inp.capped >> d) & 1:
        room = inp.quota[d] - inp.load[d] - sum(inp.units[k] for k in fixed_mine)
        if room <= 0:
            return False
    first = _week_greedy(p, d, unheld, fixed_mine, room)
    chosen = _week_greedy(p, d, now, fixed_mine + first, room, keep=first)
    if not first or not p.week_ok(d, fixed_mine + chosen):
        return False
    before, mark = p.unheld, p.mark()
    for k in now:
        p.assign(k, -1)
    for k in chosen:
        p.assign(k, d)
    if not (p.cap_ok(d) and p.week_ok(d)):
        p.undo(mark)
        return False
    for k in now:
        if p.holder[k] < 0 and inp.eligible[k] & ~(1 << d):
            place(p, k, Targets(), locked=frozenset(chosen), used=frozenset([d]))
    if p.unheld < before:
        return True
    p.undo(mark)
    return False


def _week_greedy(p: Plan, d: int, free: list[int], fixed_mine: list[int], room: int | None = None,
                 keep: list[int] = ()) -> list[int]:
    """R-LOAD-3 in `reselect`: greedy by the time each shift keeps the doctor from another.
    With a cap of one that is the start of the day a week later (two shifts clash within a
    week), so taking shifts by date is interval scheduling and exact; with a larger cap, by end,
    each taken while the week still has room."""
    inp = p.inp
    key = (lambda k: (inp.day[k], inp.end[k], k)) if inp.week_cap == 1 else (lambda k: (inp.end[k], k))
    chosen: list[int] = list(keep)  # already chosen (`fixed_mine` holds them too)
    for k in sorted(free, key=key):
        if room is not None and (sum(inp.units[c] for c in chosen) >= room or (chosen and k < max(chosen))):
            continue  # the (b) limit counts the points before the last shift, in draw order
        if not any(p.clash(c, k) for c in chosen) and p.week_ok(d, fixed_mine + chosen[len(keep):] + [k]):
            chosen.append(k)
    return sorted(chosen)


def _capped_chain(p: Plan, free: list[int], room: int) -> list[int]:
    """The longest rest-compatible chain of `free` (draw order) whose points before its last
    shift total less than `room`. best[j][v]: longest chain ending at j with v points before j."""
    inp = p.inp
    order = sorted(free)  # draw order = start order
    by_release = sorted(range(len(order)), key=lambda i: (inp.end[order[i]] + inp.rest, i))
    reach: list[int] = [0] * room  # reach[v]: longest compatible chain so far with v points (all of it)
    came: list[tuple[int, int] | None] = [None] * room  # (chain end, its v) realising reach[v]
    best: list[list[int]] = []
    parent: list[list[tuple[int, int] | None]] = []
    released = 0
    top = (0, -1, 0)
    for j, k in enumerate(order):
        while released < len(by_release) and inp.end[order[by_release[released]]] + inp.rest <= inp.start[k]:
            i = by_release[released]
            released += 1
            if i >= j:
                continue
            w = inp.units[order[i]]
            for v in range(room - 1, -1, -1):
                if best[i][v] and v + w < room and best[i][v] > reach[v + w]:
                    reach[v + w] = best[i][v]
                    came[v + w] = (i, v)
        row = [0] * room
        back: list[tuple[int, int] | None] = [None] * room
        row[0] = 1
        for v in range(1, room):
            if reach[v]:
                row[v] = reach[v] + 1
                back[v] = came[v]
        best.append(row)
        parent.append(back)
        for v in range(room):
            if row[v] > top[0]:
                top = (row[v], j, v)
    chain: list[int] = []
    _, j, v = top
    while j >= 0:
        chain.append(order[j])
        step = parent[j][v]
        if step is None:
            break
        j, v = step
    return sorted(chain)


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


def scarce_plan(inp: LotteryInput) -> Plan:
    """A second start for the plan: the shift with the fewest candidates first (ties: draw order),
    each to its candidate with the largest deficit (ties: number)."""
    plan = Plan(inp)
    left = set(range(len(inp.shifts)))

    def candidates(k: int) -> list[int]:
        return [d for d in bits(inp.eligible[k]) if not plan.conflicts(d, k) and _room(plan, d, k)]

    pools = {k: candidates(k) for k in left}
    while left:
        k = min(left, key=lambda j: (len(pools[j]), j))
        left.discard(k)
        options = pools.pop(k)
        if options:
            d = max(options, key=lambda x: (plan.deficit(x), -x))
            plan.assign(k, d)
            for j in left:
                if d in pools[j] and (plan.conflicts(d, j) or not _room(plan, d, j)):
                    pools[j].remove(d)
    plan.log.clear()
    return plan


def _room(plan: Plan, d: int, k: int) -> bool:
    mark = plan.mark()
    plan.assign(k, d)
    ok = plan.cap_ok(d) and plan.week_ok(d)
    plan.undo(mark)
    return ok
