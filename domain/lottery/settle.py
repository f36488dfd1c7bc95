"""Settling a forced draw: the draw picks someone other than the plan's holder of a shift.

Three steps, each keeping every rule (R-REST-1, the (b) limit of R-LOT-1) and the targets
(fewest uncovered shifts, largest deficit, largest overshoot), or failing with the limit that
would break:
- `exchange`: the drawn doctor hands the planned holder one of their later shifts in return;
- `release`: the planned holder gives the shift up and is fed if now above the deficit target
  (the same for every candidate of the shift, so the draw works it out once);
- `take`: the drawn doctor takes the shift, gives up what clashes with it, sheds while over a
  limit; the given-up shifts are placed and the doctor fed as needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.lottery.plan import Plan, Targets
from domain.lottery.search import REPAIR, swap_ok, feed, place, shed


@dataclass(frozen=True)
class Failure:
    """Why a forced draw could not be settled: the limit that would break, and for what."""

    kind: str  # "coverage" (a shift), "deficit" / "overshoot" / "quota" / "week" (a doctor)
    subject: int  # shift index for coverage, doctor number otherwise


def exchange(p: Plan, k: int, c: int, t: Targets) -> bool:
    """The direct way to draw c for shift k instead of its planned holder h: c hands h one of its
    later planned shifts z (the earliest that works) in return. Both keep every rule and target."""
    h = p.holder[k]
    if h < 0:
        return False
    inp = p.inp
    clashing = p.conflicts(c, k)
    if len(clashing) > 1:
        return False
    for z in p.held[c]:
        if z < p.fixed or (clashing and clashing != [z]) or not (inp.eligible[z] >> h) & 1:
            continue
        theirs = p.conflicts(h, z)
        if theirs and theirs != [k]:
            continue
        if swap_ok(p, h, z, k, t) and swap_ok(p, c, k, z, t):
            p.assign(k, c)
            p.assign(z, h)
            return True
    return False


def release(p: Plan, k: int, t: Targets) -> Failure | None:
    """Step A of a forced draw: the planned holder of shift k gives it up and is fed if needed.

    Leaves k unheld. Independent of who is drawn instead, so the draw does it once per shift.
    """
    h = p.holder[k]
    if h < 0:
        return None
    p.assign(k, -1)
    if not p.lower_ok(h, t) and not feed(p, h, t, frozenset({k}), REPAIR):
        return Failure("deficit", h)
    return None


def take(p: Plan, k: int, c: int, t: Targets) -> Failure | None:
    """Step B of a forced draw: doctor c takes the unheld shift k; settle what that breaks.

    The planned shifts of c that clash with k are given up (R-REST-1); c sheds shifts while over
    the (b) limit or the overshoot target; given-up shifts are placed while more shifts are
    unheld than the coverage target allows; c is fed if now above the deficit target.
    """
    ejected = p.conflicts(c, k)
    for y in ejected:
        p.assign(y, -1)
    p.assign(k, c)
    locked = frozenset({k})
    if not p.upper_ok(c, t) and not shed(p, c, t, locked, REPAIR):
        return Failure("quota" if not p.cap_ok(c) else "week" if not p.week_ok(c) else "overshoot", c)
    for y in ejected:
        if t.uncovered is None or p.unheld <= t.uncovered:
            break
        if p.holder[y] < 0 and not place(p, y, t, locked, frozenset({c}), REPAIR):
            return Failure("coverage", y)
    if t.uncovered is not None and p.unheld > t.uncovered:
        return Failure("coverage", ejected[-1] if ejected else k)
    if not p.lower_ok(c, t) and not feed(p, c, t, locked, REPAIR):
        return Failure("deficit", c)
    return None
