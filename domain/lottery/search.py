"""Shortest-chain search on the plan: cover a shift, feed a doctor below target, relieve one above.

Every change is a chain of transfers in which each doctor takes one shift and gives up at most
one, so each doctor's rules can be checked on its own (R-REST-1, the (b) limit of R-LOT-1, and
the targets). Breadth-first, the shortest chain is found:

- `place(k)`: the unheld shift k needs a holder. A doctor x of its eligibility takes it. If x
  then breaks a rule or the upper targets (a clash, the (b) limit, the overshoot target), x gives
  up one of its planned shifts z that mends it, and z needs a holder in turn. The chain ends
  with a doctor who takes a shift and gives up nothing, or — where the coverage target leaves
  room — with a shift left unheld.
- `shed(o)`: doctor o, over the (b) limit or the overshoot target, gives up a planned shift,
  which then needs a holder exactly as in `place`.
- `feed(u)`: doctor u, above the deficit target, takes a shift it may take without a clash: an
  unheld one (the chain ends, one shift more covered), or one whose holder stays within the
  deficit target (ends), or else from a holder who must take a shift in turn.

Every doctor and shift appears at most once in a chain. The order is fixed — takers by largest
deficit, then number; shifts by draw order, for `feed` unheld first, then from the holder
furthest above the quota — and each search gives up after `budget` checks of a doctor and a
shift: a count of work, never of time, so every machine finds the same plan.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from domain.lottery.plan import Plan, Targets

BUDGET = 8000  # checks per search while improving the plan
REPAIR = 2000  # checks per search while settling a forced draw


def _takers(p: Plan, y: int, used: set[int]) -> Iterator[int]:
    candidates = p.inp.eligible[y]
    for d in used:
        candidates &= ~(1 << d)
    return p.by_need(candidates)


Changes = dict[int, tuple[list[int], list[int]]]  # doctor -> (shifts taken, shifts given up) on a chain


def swap_ok(p: Plan, x: int, gain: int, lose: int | None, t: Targets, changes: Changes | None = None) -> bool:
    """Whether doctor x keeps the (b) limit and the targets after its changes on the chain so far,
    taking `gain` and giving up `lose` (the clash check is the caller's)."""
    inp = p.inp
    added, removed = (changes or {}).get(x, ((), ()))
    gone = set(removed)
    if lose is not None:
        gone.add(lose)
    load = p.load[x] + inp.units[gain] + sum(inp.units[a] for a in added) - sum(inp.units[r] for r in gone)
    last = max(gain, *added) if added else gain
    for y in reversed(p.held[x]):
        if y not in gone:
            last = max(last, y)
            break
    if (inp.capped >> x) & 1 and load - inp.units[last] >= inp.quota[x]:
        return False
    if inp.week_cap is not None and not p.week_ok(x, [y for y in p.held[x] if y not in gone] + [gain, *added]):
        return False  # R-LOAD-3
    if t.overshoot is not None and load - inp.aim[x] > t.overshoot:
        return False
    return t.deficit is None or not (inp.pool >> x) & 1 or inp.aim[x] - load <= t.deficit


VISITS = 3  # times one shift may be reached on different chains in one search


def _changes(nodes: list[tuple[int, int, int]], i: int) -> tuple[Changes, set[int]]:
    """Each doctor's changes on the chain that brought node i's shift into transit, and the
    shifts on that chain."""
    out: Changes = {}
    on_chain = {nodes[i][0]}
    y, prev, taker = nodes[i]
    while prev >= 0:
        added, removed = out.setdefault(taker, ([], []))
        given = nodes[prev][0]
        added.append(given)
        removed.append(y)
        on_chain.add(given)
        y, prev, taker = nodes[prev]
    return out, on_chain


class Work:
    """Checks left for one search, shared with the searches nested in it."""

    def __init__(self, checks: int) -> None:
        self.left = checks

    def spend(self, n: int = 1) -> bool:
        self.left -= n
        return self.left >= 0


def _move_chain(p: Plan, starts: list[tuple[int, int | None]], t: Targets, locked: frozenset[int],
                used: set[int], budget: int | Work, split: int = 0) -> bool:
    """Breadth-first from shifts in transit: (shift, doctor giving it up or None). Applies the
    first complete chain found; False (and nothing changed) when there is none.

    A doctor may appear more than once on a chain; each check counts the doctor's changes on
    the chain so far (shifts taken and given up), so the applied chain keeps every rule. As the
    same shift can be reached in different states, a shift is expanded up to VISITS times."""
    nodes: list[tuple[int, int, int]] = []  # (shift in transit, previous node, doctor taking the previous shift)
    queue: deque[int] = deque()
    visits: dict[int, int] = {}
    for y, _ in starts:
        if y not in locked and y not in visits:
            visits[y] = 1
            nodes.append((y, -1, -1))
            queue.append(len(nodes) - 1)
    work = budget if isinstance(budget, Work) else Work(budget)
    while queue:
        i = queue.popleft()
        y = nodes[i][0]
        if t.uncovered is not None and p.unheld + 1 <= t.uncovered and p.holder[y] >= 0:
            return _apply(p, nodes, i, -1)  # room to leave it unheld
        changes, on_chain = _changes(nodes, i)
        for x in _takers(p, y, used):
            if not work.spend():
                return False
            if x == p.holder[y]:
                continue
            added, removed = changes.get(x, ((), ()))
            clashing = [z for z in p.conflicts(x, y) if z not in removed] + [a for a in added if p.clash(a, y)]
            if not clashing and swap_ok(p, x, y, None, t, changes):
                return _apply(p, nodes, i, x)
            if len(clashing) == 1:
                options = clashing
            elif clashing:
                # Two clashing shifts: x takes y and gives up both; each must then be placed
                # (at most `split` times nested).
                if split and len(clashing) == 2 and _split(p, nodes, i, x, clashing, t, locked | on_chain, used, split,
                                                           work):
                    return True
                continue
            else:
                options = [z for z in reversed(p.held[x]) if z not in removed]
            for z in options:
                if z < p.fixed or z in locked or z in on_chain or visits.get(z, 0) >= VISITS:
                    continue
                work.spend()
                if swap_ok(p, x, y, z, t, changes):
                    visits[z] = visits.get(z, 0) + 1
                    nodes.append((z, i, x))
                    queue.append(len(nodes) - 1)
    return False


def _split(p: Plan, nodes: list[tuple[int, int, int]], i: int, x: int, both: list[int], t: Targets,
           locked: frozenset[int] | set[int], used: set[int], split: int, work: Work) -> bool:
    if any(z < p.fixed or z in locked for z in both):
        return False
    mark = p.mark()
    for z in both:
        p.assign(z, -1)
    _apply(p, nodes, i, x)
    held = frozenset(locked) | {nodes[j][0] for j in range(len(nodes)) if j == i}
    if p.upper_ok(x, t) and p.lower_ok(x, t) and all(
            place(p, z, t, held, frozenset(used) | {x}, budget=work, split=split - 1) for z in both):
        return True
    p.undo(mark)
    return False


def _apply(p: Plan, nodes: list[tuple[int, int, int]], i: int, x: int) -> bool:
    y, prev, taker = nodes[i]
    p.assign(y, x)
    while prev >= 0:
        given = nodes[prev][0]
        p.assign(given, taker)
        y, prev, taker = nodes[prev]
    return True


def place(p: Plan, k: int, t: Targets, locked: frozenset[int] = frozenset(), used: frozenset[int] = frozenset(),
          budget: int | Work = BUDGET, split: int = 0) -> bool:
    """Give the unheld shift k a holder without breaking a rule or a target."""
    return _move_chain(p, [(k, None)], Targets(deficit=t.deficit, overshoot=t.overshoot), locked, set(used), budget,
                       split)


def shed(p: Plan, o: int, t: Targets, locked: frozenset[int] = frozenset(), budget: int = BUDGET) -> bool:
    """Bring doctor o within the (b) limit and the overshoot target by handing shifts on: o gives
    up one planned shift (the latest first) it can spare within the deficit target, and that
    shift is placed as by `place`, or left unheld where the coverage target allows."""
    while not p.upper_ok(o, t):
        starts = [(y, o) for y in reversed(p.held[o]) if y >= p.fixed and y not in locked and _loss_ok(p, o, y, t)]
        if not starts or not _move_chain(p, starts, t, locked, {o}, budget):
            return False
    return True


def feed(p: Plan, u: int, t: Targets, locked: frozenset[int] = frozenset(), budget: int = BUDGET) -> bool:
    """Bring doctor u within the deficit target by taking shifts, or — with weighted shifts —
    by trading a lighter shift for a heavier one."""
    while not p.lower_ok(u, t):
        if not (_gain(p, u, t, locked, budget) or (p.inp.weighted and _trade(p, u, t, locked, budget))
                or _gain_by_ejection(p, u, t, locked, budget)):
            return False
    return True


def _gain_by_ejection(p: Plan, u: int, t: Targets, locked: frozenset[int], budget: int) -> bool:
    """u takes a shift k that clashes with exactly one of its planned shifts y, gives y up, and y
    is placed as by `place` (its chain may hand u another shift). Kept when u's deficit falls and
    every rule and target holds. Shifts k in draw order."""
    inp = p.inp
    before = p.deficit(u)
    checks = 0
    for k in range(p.fixed, len(inp.shifts)):
        h = p.holder[k]
        if h == u or k in locked or not (inp.eligible[k] >> u) & 1:
            continue
        clashing = p.conflicts(u, k)
        if len(clashing) != 1 or clashing[0] < p.fixed or clashing[0] in locked:
            continue
        checks += 1
        if checks > budget // 100:
            return False
        y = clashing[0]
        mark = p.mark()
        p.assign(y, -1)
        p.assign(k, u)
        if (p.upper_ok(u, t) and (h < 0 or p.lower_ok(h, t))
                and place(p, y, t, locked | {k}, budget=budget // 10, split=0)
                and p.deficit(u) < before and p.upper_ok(u, t)):
            return True
        p.undo(mark)
    return False


def _trade(p: Plan, u: int, t: Targets, locked: frozenset[int], budget: int) -> bool:
    """With weighted shifts (R-LOAD-2): u gains points by a chain of trades and takes, breadth-first.
    A step gives doctor a shift k of holder h: h gets one of a's planned shifts z in return (a
    gains the difference; the heaviest z first) or just loses k. The chain ends at an unheld k or
    a holder within the deficit target. Each step is checked on the plan with the chain so far
    applied, so the applied chain keeps every rule; a doctor is reached at most VISITS times."""
    inp = p.inp
    # node: (doctor needing points, previous node, shift it gave, shift it got or -1)
    nodes: list[tuple[int, int, int, int]] = [(u, -1, -1, -1)]
    queue: deque[int] = deque([0])
    visits = {u: VISITS}
    root = Targets(overshoot=t.overshoot)
    checks = 0

    def moves(i: int) -> list[tuple[int, int, int, int]]:
        """(shift, taker, shift back, giver) of the chain ending at node i, root first."""
        out = []
        while nodes[i][1] >= 0:
            h, prev, k, z = nodes[i]
            out.append((k, nodes[prev][0], z, h))
            i = prev
        return out[::-1]

    while queue:
        i = queue.popleft()
        a = nodes[i][0]
        so_far = moves(i)
        moved = {m[0] for m in so_far} | {m[2] for m in so_far}
        mine = sorted((z for z in p.held[a] if z >= p.fixed and z not in locked and z not in moved),
                      key=lambda z: (-inp.units[z], z)) + [-1]
        for k in range(p.fixed, len(inp.shifts)):
            h = p.holder[k]
            if h == a or k in locked or k in moved or not (inp.eligible[k] >> a) & 1:
                continue
            for z in mine:
                if z >= 0 and (h < 0 or inp.units[z] >= inp.units[k] or not (inp.eligible[z] >> h) & 1):
                    continue
                checks += 1
                if checks > budget:
                    return False
                mark = p.mark()
                for k2, taker, z2, giver in so_far + [(k, a, z, h)]:
                    p.assign(k2, taker)
                    if z2 >= 0:
                        p.assign(z2, giver)
                ok = (not p.conflicts(a, k) and (z < 0 or not p.conflicts(h, z)) and p.upper_ok(a, root if a == u else t)
                      and (a == u or p.lower_ok(a, t)) and (h < 0 or p.upper_ok(h, t)))
                if ok and (h < 0 or p.lower_ok(h, t)):
                    return True
                p.undo(mark)
                if ok and visits.get(h, 0) < VISITS:
                    visits[h] = visits.get(h, 0) + 1
                    nodes.append((h, i, k, z))
                    queue.append(len(nodes) - 1)
    return False


def _gain(p: Plan, u: int, t: Targets, locked: frozenset[int], budget: int) -> bool:
    """One more shift for u, breadth-first over the doctors it could come from. Each doctor's
    shifts are searched in draw order, first for one that ends the chain (unheld, or its holder
    stays within the deficit target), then for ones whose holder must be fed in turn."""
    parent: dict[int, tuple[int, int] | None] = {u: None}  # doctor -> (shift it gives up, its taker)
    queue: deque[int] = deque([u])
    eligible, holder, total = p.inp.eligible, p.holder, len(p.inp.shifts)
    root = Targets(overshoot=t.overshoot)  # u itself may need more than one shift
    checks = 0
    while queue:
        a = queue.popleft()
        given = parent[a][0] if parent[a] is not None else None
        limits = root if a == u else t

        def takes(k: int) -> bool:
            clashing = p.conflicts(a, k)
            return (not clashing or clashing == [given]) and swap_ok(p, a, k, given, limits)

        later: list[int] = []
        for k in range(p.fixed, total):
            h = holder[k]
            if h == a or h in parent or k in locked or not (eligible[k] >> a) & 1:
                continue
            checks += 1
            if checks > budget:
                return False
            if h >= 0 and not _loss_ok(p, h, k, t):
                later.append(k)
            elif takes(k):
                p.assign(k, a)
                step = parent[a]
                while step is not None:
                    shift, taker = step
                    p.assign(shift, taker)
                    step = parent[taker]
                return True
        for k in later:
            h = holder[k]
            if h in parent:
                continue
            checks += 1
            if checks > budget:
                return False
            if takes(k):
                parent[h] = (k, a)
                queue.append(h)
    return False


def _loss_ok(p: Plan, h: int, k: int, t: Targets, gain: int = 0) -> bool:
    """Whether h stays within the deficit target after giving up shift k (and taking `gain` units)."""
    return t.deficit is None or not (p.inp.pool >> h) & 1 or p.deficit(h) + p.inp.units[k] - gain <= t.deficit
