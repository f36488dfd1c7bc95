"""Exact re-solving of two doctors' shifts over the whole period, under a weekly cap (R-LOAD-3).

A weekly cap ties each doctor's shifts together over a week, so covering one more shift may need
two doctors to re-arrange many of their shifts at once: more than the chains of
domain.lottery.search or a window (domain.lottery.window) can express. For a pair of doctors the
most shifts they can hold together, among the open shifts they hold or nobody holds, is found
exactly by dynamic programming over the shifts in draw order, everyone else held as they are.

A doctor's past choices constrain the future only through three things, which are the state:
- when they are rested again after their latest shift (R-REST-1), dropped once it has passed;
- the dates of their draws in the past six days (R-LOAD-3), older ones dropped;
- for a doctor who gave wishes, the points drawn so far (R-LOT-1 (b)), up to the quota.
States with the same future merge, so a pair costs (shifts) x (states), not (choices)^(shifts).
"""

from __future__ import annotations

from itertools import combinations

from domain.lottery.plan import Plan, bits
from domain.lottery.search import Work
from domain.period.load_cap import WINDOW_DAYS

# One doctor's state: (rested again at, recent draw days, points drawn); 0 = no constraint.
Mine = tuple[float, tuple[int, ...], int]
FREE: Mine = (0.0, (), 0)
STATES = 40000  # states per step beyond which a pair is given up (never reached on small periods)
PAIR_WORK = 4_000_000  # state expansions for all pairs of one start: a count of work, never of time


class _Doctor:
    """One doctor of the pair: what their choices may not break."""

    def __init__(self, p: Plan, d: int) -> None:
        inp = p.inp
        self.d = d
        self.rest = inp.rest
        self.cap = inp.week_cap
        self.held_days = inp.held_days[d]
        base = inp.load[d] + sum(inp.units[k] for k in p.held[d] if k < p.fixed)
        # R-LOT-1 (b): a draw is allowed while the points before it stay below the quota.
        self.room = inp.quota[d] - base if (inp.capped >> d) & 1 else None
        self._windows: dict[int, tuple[int, ...]] = {}

    def _held_windows(self, day: int) -> tuple[int, ...]:
        """Shifts held before the lottery in each 7-day window holding `day`, earliest first;
        () when there are none."""
        got = self._windows.get(day)
        if got is None:
            got = tuple(sum(1 for h in self.held_days if first <= h < first + WINDOW_DAYS)
                        for first in range(day - WINDOW_DAYS + 1, day + 1))
            got = self._windows[day] = got if any(got) else ()
        return got

    def take(self, mine: Mine, start: float, end: float, day: int, units: int, drawn: bool = False) -> Mine | None:
        """The state after drawing this shift, or None when a rule forbids it. `drawn`: drawn for
        good already, so it stays whatever it meets (and its points are in `room` already)."""
        rested_at, recent, used = mine
        if drawn:
            return (max(rested_at, end + self.rest), (*recent, day), used)
        if start < rested_at:
            return None  # R-REST-1
        if self.room is not None and used >= self.room:
            return None  # R-LOT-1 (b)
        if self.cap is not None:
            held = self._held_windows(day)
            if not held:  # no shift held before near `day`: the draws of its past week count alone
                if sum(1 for r in recent if r > day - WINDOW_DAYS) + 1 > self.cap:
                    return None  # R-LOAD-3
            else:
                for first, n in zip(range(day - WINDOW_DAYS + 1, day + 1), held):  # every window holding `day`
                    if n + sum(1 for r in recent if r >= first) + 1 > self.cap:
                        return None  # R-LOAD-3
        used = min(used + units, self.room) if self.room is not None else 0
        return (max(rested_at, end + self.rest), (*recent, day), used)


def _age(mine: Mine, start: float, day: int) -> Mine:
    """Forget what no later shift (starting at `start` or after, dated `day` or after) can meet."""
    rested_at, recent, used = mine
    if rested_at <= start:
        rested_at = 0.0
    if recent and recent[0] <= day - WINDOW_DAYS:
        recent = tuple(r for r in recent if r > day - WINDOW_DAYS)
    return (rested_at, recent, used)


def best_for_pair(p: Plan, a: int, b: int, work: Work) -> tuple[int, dict[int, int]] | None:
    """The most shifts doctors a and b can hold together, each within every rule, with the other
    doctors' shifts and everything drawn for good unchanged, when that is more than they hold
    now: (count, shift -> a, b or -1). None when it is not more, the pair is too large to solve,
    or the work runs out.

    A state that cannot end above what the two hold now is dropped: its count plus what is left
    to take — the shifts still to come, and with a cap at most cap shifts per doctor in each
    7 days still to come — is no more than that."""
    inp = p.inp
    pair = (_Doctor(p, a), _Doctor(p, b))
    ours = (1 << a) | (1 << b)
    shifts = [k for k in range(len(inp.shifts))
              if (k < p.fixed and p.holder[k] in (a, b))
              or (k >= p.fixed and inp.eligible[k] & ours and p.holder[k] in (-1, a, b))]
    if not work.spend(len(inp.shifts)):  # the scan above counts too, so the work bounds the time
        return None
    now = sum(1 for k in shifts if p.holder[k] in (a, b))
    beyond = _left_after(p, shifts)
    states: dict[tuple[Mine, Mine], int] = {(FREE, FREE): 0}
    steps: list[dict[tuple[Mine, Mine], tuple[tuple[Mine, Mine], int]]] = []
    for j, k in enumerate(shifts):
        floor = now - beyond[j]  # a state must hold more than this after step j
        start, end, day, units = inp.start[k], inp.end[k], inp.day[k], inp.units[k]
        if k < p.fixed:
            options = [0 if p.holder[k] == a else 1]  # drawn for good: stays with its holder
        else:
            options = [i for i, d in enumerate((a, b)) if (inp.eligible[k] >> d) & 1]
            if p.holder[k] in (a, b):  # the current holder first: ties keep the plan as it is
                options.sort(key=lambda i: (a, b)[i] != p.holder[k])
            options.append(-1)
        if not work.spend(len(states) * len(options)):
            return None
        nxt: dict[tuple[Mine, Mine], int] = {}
        back: dict[tuple[Mine, Mine], tuple[tuple[Mine, Mine], int]] = {}
        for key, count in states.items():
            aged = (_age(key[0], start, day), _age(key[1], start, day))
            for i in options:
                if i < 0:
                    new, gain = aged, 0
                else:
                    took = pair[i].take(aged[i], start, end, day, units, drawn=k < p.fixed)
                    if took is None:
                        continue
                    new, gain = ((took, aged[1]) if i == 0 else (aged[0], took)), 1
                if count + gain > floor and nxt.get(new, -1) < count + gain:
                    nxt[new] = count + gain
                    back[new] = (key, i)
        if not nxt or len(nxt) > STATES:
            return None
        states = nxt
        steps.append(back)
    key = max(states, key=lambda s: states[s])  # the first best: dicts keep insertion order
    best = states[key]
    if best <= now:
        return None
    roster: dict[int, int] = {}
    for k, back in zip(reversed(shifts), reversed(steps)):
        key, i = back[key]
        roster[k] = -1 if i < 0 else (a, b)[i]
    return best, roster


def _left_after(p: Plan, shifts: list[int]) -> list[int]:
    """For each step, the most shifts the pair could still take after it."""
    inp = p.inp
    cap = inp.week_cap
    out = []
    last = inp.day[shifts[-1]] if shifts else 0
    for j in range(len(shifts)):
        left = len(shifts) - j - 1
        if cap is not None and left:
            span = last - inp.day[shifts[j + 1]] + 1
            left = min(left, 2 * cap * -(-span // WINDOW_DAYS))  # R-LOAD-3: cap per doctor and week
        out.append(left)
    return out


def improve_by_pairs(p: Plan, work: Work) -> bool:
    """R-LOAD-3 coverage: the first pair of doctors whose exact re-solve holds more shifts than
    they do now; applies it, True if found. A pair is tried when a is eligible for a shift nobody
    holds and b holds a shift a may take, or is eligible for an unheld shift too — the pairs most
    likely to gain; others (b taking over a shift that blocks a, say) are left to the chains of
    domain.lottery.search. In number order; after a gain, the caller starts again from the first."""
    inp = p.inp
    wanted = 0
    for k in range(p.fixed, len(inp.shifts)):
        if p.holder[k] < 0:
            wanted |= inp.eligible[k]
    if not wanted:
        return False
    for a, b in combinations(bits(inp.pool), 2):
        if not (_helps(p, a, b, wanted) or _helps(p, b, a, wanted)):
            continue
        found = best_for_pair(p, a, b, work)
        if found is None:
            if work.left < 0:
                return False
            continue
        _, roster = found
        for k, d in roster.items():
            if k >= p.fixed and p.holder[k] != d:
                p.assign(k, d)
        return True
    return False


def _helps(p: Plan, a: int, b: int, wanted: int) -> bool:
    """Whether a, wanted for an unheld shift, could gain from b: b is wanted too, or holds an
    open shift a may take."""
    if not (wanted >> a) & 1:
        return False
    if (wanted >> b) & 1:
        return True
    return any((p.inp.eligible[k] >> a) & 1 for k in p.held[b] if k >= p.fixed)
