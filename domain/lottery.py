"""Phase C, the lottery: a pure function of the period's state and a seed (R-LOT-4).

How a draw is made, so anyone can recompute it from the stored events:
1. The open shifts are drawn one at a time, the shift with the fewest legal candidates first
   (ties: earliest start, then shift id) — scarce shifts such as backups are filled before
   their few candidates are used up elsewhere.
2. The pool of a shift is every doctor who may be drawn for it right now: in the lottery pool
   (R-LOT-1) and not excluded (R-LOT-2).
3. R-LOT-3: the pool members with the largest deficit (individual quota minus load, in
   points) are tied; one of them is chosen by `tie_index(seed, shift, len(tied))`:
   SHA-256 of "<seed>:<shift id>" read as a big-endian integer, modulo the number tied, into
   the tied ids sorted as strings.
4. The chosen doctor's load grows; their candidacy for the remaining shifts is re-checked.
A shift whose pool is empty is reported uncovered with the reason (R-PROC-4).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable

from domain.availability import exemption_on, replaced_on, stands_in_on
from domain.calendar import PeriodCalendar
from domain.events import LotteryDrawn, ShiftLeftUncovered
from domain.model import DoctorProfile, PeriodConfig, Role, Shift, ShiftKind
from domain.quota import QuotaSnapshot, shift_weight
from domain.rules import eligibility_violation
from domain.state import PeriodState

LotteryEvent = LotteryDrawn | ShiftLeftUncovered


def tie_index(seed: int, shift_id: str, tied: int) -> int:
    """R-LOT-4: uniform choice among `tied` candidates, reproducible from seed and shift id."""
    digest = hashlib.sha256(f"{seed}:{shift_id}".encode()).digest()
    return int.from_bytes(digest, "big") % tied


def in_lottery_pool(
    config: PeriodConfig, state: PeriodState, doctor: DoctorProfile, shift: Shift, quota: QuotaSnapshot, load: float
) -> str | None:
    """R-LOT-1 (with R-EX-5 stand-ins): None when the doctor is in the pool, else why not."""
    if doctor.role is Role.STAFF:
        return "staff doctors are never drawn (R-LOT-2)"
    if doctor.role is Role.SUBSTITUTE and stands_in_on(doctor, shift.day) is None:
        return "substitutes are drawn only while standing in for a GP (R-LOT-2, R-EX-5)"
    if doctor.role is Role.GP and replaced_on(config, doctor.id, shift.day) is not None:
        return "a substitute stands in for this GP on that date (R-EX-5)"
    wishes = state.wishes.get(doctor.id, 0)
    if wishes == 0:
        if doctor.valid_meeting_absence:
            return "had a valid absence from the meeting and gave no wishes (R-LOT-1)"
        return None  # R-LOT-1 (a)
    if load < quota.of(doctor.id):
        return None  # R-LOT-1 (b): gave wishes, but too few
    return "gave wishes and has reached the quota (R-LOT-1)"


def exclusion(
    config: PeriodConfig,
    calendar: PeriodCalendar,
    state: PeriodState,
    doctor: DoctorProfile,
    shift: Shift,
    quota: QuotaSnapshot,
    load: float,
    held: list[Shift],
) -> str | None:
    """None when `doctor` may be drawn for `shift`, else the rule that keeps them out."""
    not_in_pool = in_lottery_pool(config, state, doctor, shift, quota, load)
    if not_in_pool:
        return "R-LOT-1"
    if exemption_on(doctor, shift.day) is not None:
        return "R-EX-4"  # exempt doctors may volunteer but are never drawn (R-LOT-2)
    violation = eligibility_violation(config.district.policy, calendar, doctor, shift, held, voluntary=False)
    return violation.rule if violation else None


def draw_lottery(
    state: PeriodState, calendar: PeriodCalendar, seed: int, on_draw: Callable[[int, int], None] | None = None
) -> list[LotteryEvent]:
    """Draw every open shift (R-PROC-4). Pure: the same state and seed give the same draws."""
    config = state.require_config()
    quota = state.quota
    if quota is None:
        raise ValueError("the lottery needs the quota recorded when the meeting opened")
    weights = config.district.policy.weights
    candidates = [d for d in config.doctors if d.role is not Role.STAFF]
    load: dict[str, float] = {d.id: 0.0 for d in config.doctors}
    held: dict[str, list[Shift]] = {d.id: [] for d in config.doctors}
    for shift_id, assignment in state.assignments.items():
        shift = calendar.by_id[shift_id]
        load[assignment.doctor] = load.get(assignment.doctor, 0.0) + shift_weight(shift, weights)
        held.setdefault(assignment.doctor, []).append(shift)

    def excluded(doctor: DoctorProfile, shift: Shift) -> str | None:
        return exclusion(config, calendar, state, doctor, shift, quota, load[doctor.id], held[doctor.id])

    remaining = {s.id: s for s in calendar.shifts if s.id not in state.assignments}
    pools = {sid: {d.id for d in candidates if excluded(d, s) is None} for sid, s in remaining.items()}
    total = len(remaining)
    events: list[LotteryEvent] = []
    draw_no = 0
    while remaining:
        shift = min(remaining.values(), key=lambda s: (len(pools[s.id]), s.start, s.id))
        del remaining[shift.id]
        pool = pools.pop(shift.id)
        if not pool:
            events.append(_uncovered(shift, [excluded(d, shift) or "R-PROC-4" for d in candidates]))
        else:
            draw_no += 1
            deficits = {d: round(quota.of(d) - load[d], 6) for d in sorted(pool)}
            best = max(deficits.values())
            tied = sorted(d for d, deficit in deficits.items() if deficit == best)
            chosen = tied[tie_index(seed, shift.id, len(tied))]
            events.append(
                LotteryDrawn(
                    draw=draw_no, shift=shift.id, pool=sorted(pool), deficits=deficits, tied=tied, doctor=chosen
                )
            )
            load[chosen] += shift_weight(shift, weights)
            held[chosen].append(shift)
            # Drawing only ever removes candidacy (more load, less rest), so re-check just the
            # chosen doctor, and only where they were still a candidate.
            doctor = config.doctors_by_id[chosen]
            for other in remaining.values():
                if chosen in pools[other.id] and excluded(doctor, other) is not None:
                    pools[other.id].discard(chosen)
        if on_draw:
            on_draw(total - len(remaining), total)
    return events


def _uncovered(shift: Shift, blockers: list[str]) -> ShiftLeftUncovered:
    counts = Counter(blockers)
    parts = [f"{n} × {rule}" for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    if shift.kind is ShiftKind.BACKUP and counts.get("R-QUAL-2"):
        headline = "no independently qualified doctor in the pool could take it"
    else:
        headline = "no doctor in the lottery pool could legally take it"
    return ShiftLeftUncovered(shift=shift.id, rule="R-PROC-4", reason=f"{headline} (excluded: {', '.join(parts)})")
