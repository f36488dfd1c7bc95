"""Publication: the roster, its uncovered and unsafe shifts, and per-doctor load (R-PROC-4)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel

from domain.period.calendar import PeriodCalendar, covers
from domain.period.load_cap import over_cap_report
from domain.period.events import DoctorSet, LotteryDrawn, RosterPublished
from domain.model import ShiftKind
from domain.period.qualification import is_independently_qualified
from domain.period.quota import shift_weight
from domain.period.state import PeriodState


def unsafe_shifts(state: PeriodState, calendar: PeriodCalendar) -> list[str]:
    """R-QUAL-3: duty shifts held by a not-qualified doctor whose time no held backup covers."""
    config = state.require_config()
    policy = config.district.policy
    unsafe = []
    for shift_id, assignment in state.assignments.items():
        shift = calendar.by_id[shift_id]
        if shift.kind is not ShiftKind.DUTY:
            continue
        doctor = config.doctor(assignment.doctor)
        if doctor is None or is_independently_qualified(doctor.qualification, shift.day, policy):
            continue
        held_backups = [b for b in calendar.backups_covering(shift) if b.id in state.assignments]
        if not covers(held_backups, shift.start, shift.end):
            unsafe.append(shift_id)
    return sorted(unsafe, key=lambda sid: (calendar.by_id[sid].start, sid))


def publish(state: PeriodState, calendar: PeriodCalendar) -> RosterPublished:
    return RosterPublished(
        assigned=len(state.assignments),
        uncovered=len(state.uncovered),
        unsafe=unsafe_shifts(state, calendar),
    )


class DoctorLoad(BaseModel):
    """R-LOAD-1: shifts held (physically worked) and their points, against the quota."""

    doctor: str
    shifts: int
    points: float
    quota: int
    deviation: float  # points minus quota; negative = below quota


def loads(state: PeriodState, calendar: PeriodCalendar) -> dict[str, DoctorLoad]:
    config = state.require_config()
    weights = config.district.policy.weights
    counts: dict[str, int] = {d.id: 0 for d in config.doctors}
    points: dict[str, float] = {d.id: 0.0 for d in config.doctors}
    for shift_id, assignment in state.assignments.items():
        counts[assignment.doctor] = counts.get(assignment.doctor, 0) + 1
        points[assignment.doctor] = points.get(assignment.doctor, 0.0) + shift_weight(calendar.by_id[shift_id], weights)
    result = {}
    for doctor_id in counts:
        quota = state.quota.of(doctor_id) if state.quota else 0
        result[doctor_id] = DoctorLoad(
            doctor=doctor_id,
            shifts=counts[doctor_id],
            points=round(points[doctor_id], 3),
            quota=quota,
            deviation=round(points[doctor_id] - quota, 3),
        )
    return result


def fairness(
    state: PeriodState, calendar: PeriodCalendar, by_doctor: dict[str, DoctorLoad] | None = None
) -> dict:
    """Per duty-bound doctor: quota, shifts, points and deviation; the period's max−min spread.

    Only doctors with a quota are compared (staff and exempt doctors have none). `by_doctor`
    saves recomputing the loads when the caller has them.
    """
    by_doctor = by_doctor if by_doctor is not None else loads(state, calendar)
    table = {d: load for d, load in by_doctor.items() if load.quota > 0}
    deviations = [load.deviation for load in table.values()]
    out = {
        "doctors": {d: load.model_dump(exclude={"doctor"}) for d, load in sorted(table.items())},
        "spread": round(max(deviations) - min(deviations), 3) if deviations else 0.0,
        "weighted": bool(state.quota and state.quota.weighted),
    }
    cap, over = over_cap(state, calendar)
    if cap is not None:
        out["cap"] = cap
        out["over_cap"] = over
    return out


def over_cap(state: PeriodState, calendar: PeriodCalendar) -> tuple[int | None, dict[str, list[dict]]]:
    """R-LOAD-3 on the operators' fairness report: the district's weekly cap (None when off) and
    each doctor's 7-day windows above it, with how those shifts came to be held."""
    cap = state.require_config().district.policy.max_shifts_per_week
    if cap is None:
        return None, {}
    held: dict[str, list[tuple[date, str]]] = {}
    for shift_id, a in state.assignments.items():
        held.setdefault(a.doctor, []).append((calendar.by_id[shift_id].day, a.source.value))
    return cap, over_cap_report(held, cap)


def lottery_section(state: PeriodState, draws: Sequence[LotteryDrawn]) -> dict:
    """The seed, the lottery's algorithm and every draw in order (R-LOT-4). The doctor sets are
    written as the events store them, compactly — `{"size", "bits"}`, bit i standing for `doctors[i]`, the period's
    doctor ids sorted (`members` reads one back) — so a year of draws among a thousand doctors
    is not a thousand ids per draw: `pool` (who could legally be drawn), `tied` (the pool members
    sharing the drawn doctor's deficit), `deficit`, and `passed` (candidates tried first and
    passed over, with rule and reason)."""
    return {
        "seed": state.seed,
        # A state folded before the algorithm was recorded drew by algorithm 1 (docs/lottery.md §6.2).
        "algorithm": state.lottery_algorithm or (1 if state.seed is not None else None),
        "doctors": sorted(d.id for d in state.require_config().doctors),
        "draws": [
            {
                "draw": d.draw,
                "shift": d.shift,
                "pool": d.pool.model_dump(),
                "tied": d.tied.model_dump(),
                "deficit": d.deficit,
                "doctor": d.doctor,
                **({"beyond_cap": True} if d.beyond_cap else {}),  # R-LOAD-3
                **({"passed": [{"doctors": p.doctors.model_dump(), "rule": p.rule, "why": p.why} for p in d.passed]}
                   if d.passed else {}),
            }
            for d in draws
        ],
    }


def members(lottery: dict, recorded: dict) -> list[str]:
    """The ids of a doctor set as `lottery_section` writes it, given that section."""
    return DoctorSet.model_validate(recorded).ids(lottery["doctors"])


def roster_document(state: PeriodState, calendar: PeriodCalendar, draws: Sequence[LotteryDrawn] = ()) -> dict:
    """The result document of `docs/scenario-format.md` (less `rejected`, which the caller adds).

    Built from the folded state and the draws of the event log (`domain.period.state.lottery_draws`), so
    the simulation, `vakt roster` and a rebuild from stored events print the same thing.
    """
    config = state.require_config()
    order = {s.id: i for i, s in enumerate(calendar.shifts)}
    by_doctor = loads(state, calendar)
    return {
        "period": config.period.id,
        "district": config.district.id,
        "simulated": state.simulated,
        "phase": state.phase.value,
        "quota": state.quota.base if state.quota else None,
        "quotas": dict(sorted(state.quota.per_doctor.items())) if state.quota else {},
        # Every shift with its local times and true length (R-TIME-1), for auditors.
        "shifts": [
            {
                "id": s.id,
                "kind": s.kind.value,
                "start": s.local_start.isoformat(),
                "end": s.local_end.isoformat(),
                "hours": s.hours,
            }
            for s in calendar.shifts
        ],
        "assignments": [
            {"shift": shift_id, "doctor": a.doctor, "source": a.source.value}
            for shift_id, a in sorted(state.assignments.items(), key=lambda kv: order[kv[0]])
        ],
        "uncovered": [
            {"shift": u.shift, "reason": u.reason, "rule": u.rule}
            for u in sorted(state.uncovered, key=lambda u: order[u.shift])
        ],
        "unsafe": list(state.unsafe),
        # R-VAC-1..3: shifts declared vacant after publication; "uncovered" ones started so.
        "vacancies": [
            {"shift": v.shift, "holder": v.holder, "status": v.status, "taken_by": v.taken_by}
            for v in sorted(state.vacancies.values(), key=lambda v: order[v.shift])
        ],
        "load": {d: load.shifts for d, load in sorted(by_doctor.items())},
        "lottery": lottery_section(state, draws),
        "fairness": fairness(state, calendar, by_doctor),
        "version": state.version,
    }
