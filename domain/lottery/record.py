"""The record of each draw (R-LOT-4): the events, their reasons in plain words, and reading them.

Doctor sets are `DoctorSet`s over the period's doctors sorted by id (domain.period.events). Reasons
name shifts and doctor ids only, never personal data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from domain.period.events import DeficitLevel, DoctorSet, LotteryDrawn, PassedOver, ShiftLeftUncovered
from domain.lottery.input import LotteryInput
from domain.lottery.settle import Failure
from domain.model import ShiftKind


def points(inp: LotteryInput, units: int) -> float:
    """Units as points, as the events record them (exact for the usual weights)."""
    return round(units / inp.scale, 6)


@dataclass
class Passed:
    """Candidates passed over for one reason, gathered while the draw tries them in order."""

    rule: str
    why: str
    members: int = 0


def failure_reason(inp: LotteryInput, f: Failure, deficit: int | None, overshoot: int | None) -> tuple[str, str]:
    """(rule, why) of a candidate whose draw could not be settled within the targets."""
    if f.kind == "coverage":
        return "R-PROC-4", f"{inp.shifts[f.subject].id} would be left uncovered"
    who = inp.ids[f.subject]
    if f.kind == "deficit":
        return "R-LOT-3", f"{who} would end more than {points(inp, deficit or 0):g} below the quota, the best reachable"
    if f.kind == "overshoot":
        return "R-LOT-3", f"{who} would end more than {points(inp, overshoot or 0):g} above the quota, the best reachable"
    if f.kind == "week":
        return "R-LOAD-3", f"{who} would hold more shifts in 7 days than the district's cap: their other shifts could not be handed on"
    return "R-LOT-1", f"{who} gave wishes and would pass the quota: their other shifts could not be handed on"


def group_passed(groups: list[Passed], rule: str, why: str, doctor: int) -> None:
    for g in groups:
        if g.rule == rule and g.why == why:
            g.members |= 1 << doctor
            return
    groups.append(Passed(rule, why, 1 << doctor))


def drawn_event(
    inp: LotteryInput, draw: int, k: int, doctor: int, pool: int, levels: list[tuple[int, int]], passed: list[Passed]
) -> LotteryDrawn:
    return LotteryDrawn(
        draw=draw,
        shift=inp.shifts[k].id,
        doctor=inp.ids[doctor],
        pool=DoctorSet.of(pool),
        levels=[DeficitLevel(deficit=points(inp, d), doctors=DoctorSet.of(m)) for d, m in levels],
        passed=[PassedOver(doctors=DoctorSet.of(g.members), rule=g.rule, why=g.why) for g in passed],
    )


def uncovered_event(inp: LotteryInput, k: int, pool: int, blockers: Counter[str], passed: list[Passed]) -> ShiftLeftUncovered:
    """R-PROC-4: the shift, the count of candidates each rule kept out, and who was passed over."""
    shift = inp.shifts[k]
    if pool:
        blockers = blockers + Counter({"R-PROC-4": pool.bit_count()})
    parts = [f"{n} × {rule}" for rule, n in sorted(blockers.items(), key=lambda kv: (-kv[1], kv[0]))]
    if pool:
        headline = (
            f"each of the {pool.bit_count()} doctors who could legally take it was needed elsewhere: drawing any "
            "of them would have left more shifts uncovered or a doctor further from the quota than the best outcome"
        )
    elif shift.kind is ShiftKind.BACKUP and blockers.get("R-QUAL-2"):
        headline = "no independently qualified doctor in the pool could take it"
    else:
        headline = "no doctor in the lottery pool could legally take it"
    return ShiftLeftUncovered(
        shift=shift.id,
        rule="R-PROC-4",
        reason=f"{headline} (excluded: {', '.join(parts)})" if parts else headline,
        pool=DoctorSet.of(pool),
        passed=[PassedOver(doctors=DoctorSet.of(g.members), rule=g.rule, why=g.why) for g in passed],
    )


def blockers(inp: LotteryInput, k: int, busy: int, full: int, staff: int, week: int = 0) -> Counter[str]:
    """Why each non-staff doctor is kept out of shift k's pool: the first rule that applies, in the
    order of `domain.lottery.phase.exclusion` (R-LOT-1, R-EX-4, R-QUAL-2/3, R-LOT-2, R-REST-1),
    then the weekly cap (R-LOAD-3)."""
    left = inp.everyone & ~staff
    counts: Counter[str] = Counter()
    qual_rule = "R-QUAL-2" if inp.shifts[k].kind is ShiftKind.BACKUP else "R-QUAL-3"
    steps = [
        ("R-LOT-1", ~(inp.member & inp.role_ok[k]) | full),
        ("R-EX-4", inp.exempt[k]),
        (qual_rule, ~inp.qualified[k] if inp.needs_qualified[k] else 0),
        ("R-LOT-2", inp.absent[k]),
        ("R-REST-1", inp.held_clash[k] | busy),
        ("R-LOAD-3", (inp.cap_out[k] if inp.week_cap is not None else 0) | week),
    ]
    for rule, out in steps:
        hit = left & out
        if hit:
            counts[rule] += hit.bit_count()
            left &= ~hit
    return counts


def doctor_ids(config_doctors: Sequence) -> list[str]:
    """The period's doctor ids in the order the events' doctor sets use."""
    return sorted(d.id for d in config_doctors)
