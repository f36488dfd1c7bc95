"""Vacancies after publication (R-VAC-1..3) as pure decisions: state and time in, event or
refusal out. The workflow adds timers and durability (workflows/period/vacancies.py).

- R-VAC-1: the holder (or an operator for them) declares a published shift vacant with a
  reason; the holder keeps it until someone takes it over (R-SWAP-1), so no load changes.
- R-VAC-2: every doctor who may legally take it is offered it: not staff (R-PROC-2), not exempt
  or absent on the day and qualified and rested as the lottery requires (R-LOT-2, R-QUAL-2/3,
  R-REST-1, through `rules.eligibility_violation`, the lottery's own test). The first valid
  acceptance wins (R-PROC-3); a later one is refused.
- R-VAC-3: at the policy's lead time before the start (elapsed hours, across DST) an open
  vacancy is escalated; an operator may then assign it to a doctor who may legally take it. A
  vacancy still open when its shift starts is reported uncovered, never dropped.
Refusals name nobody but the actor.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.model import Phase, Role, Shift
from domain.period.availability import exemption_on
from domain.period.calendar import PeriodCalendar
from domain.period.rules import RuleViolation, eligibility_violation
from domain.period.state import PeriodState
from domain.period.vacancy_events import (
    REASON_LIMIT,
    VacancyAssigned,
    VacancyDeclared,
    VacancyEscalated,
    VacancyTaken,
    VacancyUncovered,
)

VacancyStep = VacancyEscalated | VacancyUncovered


def _no(rule: str, message: str, code: str) -> RuleViolation:
    return RuleViolation(rule=rule, message=message, code=code)


def is_live(state: PeriodState, vacancy) -> bool:
    """Open, and its holder still holds the shift: a vacant shift given away in a swap meanwhile
    is no longer anybody's vacancy (nothing to take, escalate or report uncovered)."""
    held = state.assignments.get(vacancy.shift)
    return vacancy.open and held is not None and held.doctor == vacancy.holder


def escalation_time(shift: Shift, lead_hours: float) -> datetime:
    """R-VAC-3: `lead_hours` of elapsed time before the start (computed in UTC, so the night the
    clocks change is counted as it is lived, R-TIME-1)."""
    return shift.start.astimezone(UTC) - timedelta(hours=lead_hours)


def may_take(
    state: PeriodState, calendar: PeriodCalendar, doctor_id: str, shift: Shift, *, held: list[Shift] | None = None
) -> RuleViolation | None:
    """R-VAC-2: whether this doctor may legally take the vacant shift over (None: they may)."""
    config = state.require_config()
    doctor = config.doctor(doctor_id)
    if doctor is None:
        return _no("R-PROC-7", f"{doctor_id} is not on the roll of district {config.district.id}", "not_on_roll")
    if doctor.role is Role.STAFF:
        return _no("R-PROC-2", f"{doctor_id} is a staff doctor; staff shifts are entered by the clinic", "role_staff")
    if exemption_on(doctor, shift.day) is not None:
        return _no("R-VAC-2", f"{doctor_id} is exempt on {shift.day.isoformat()} (as in R-LOT-2)", "vacancy_exempt")
    if held is None:
        held = [calendar.by_id[s] for s in state.held_by(doctor_id) if s != shift.id]
    return eligibility_violation(config.district.policy, calendar, doctor, shift, held, voluntary=True)


def eligible_doctors(state: PeriodState, calendar: PeriodCalendar, shift_id: str) -> list[str]:
    """R-VAC-2: everyone but the holder who may legally take the shift, in id order (their held
    shifts gathered in one pass, not one scan of the roster per doctor)."""
    shift = calendar.by_id[shift_id]
    holder = state.assignments[shift_id].doctor if shift_id in state.assignments else None
    held: dict[str, list[Shift]] = {}
    for sid, a in state.assignments.items():
        held.setdefault(a.doctor, []).append(calendar.by_id[sid])
    return [
        d.id for d in sorted(state.require_config().doctors, key=lambda d: d.id)
        if d.id != holder and may_take(state, calendar, d.id, shift, held=held.get(d.id, [])) is None
    ]


def declare_vacancy(
    state: PeriodState, calendar: PeriodCalendar, *, vacancy_id: str, holder: str, shift_id: str, reason: str,
    now: datetime,
) -> VacancyDeclared | RuleViolation:
    """R-VAC-1: the holder's shift, published and not started, neither vacant nor offered yet."""
    config = state.require_config()
    if state.phase is not Phase.PUBLISHED:
        return _no("R-VAC-1", f"vacancies are declared after publication; the round is in phase {state.phase.value}",
                   "vacancy_not_published")
    shift = calendar.get(shift_id)
    if shift is None:
        return _no("R-PROC-7", f"{shift_id} is not a shift of period {config.period.id}", "no_such_shift")
    held = state.assignments.get(shift_id)
    if held is None or held.doctor != holder:
        return _no("R-VAC-1", "only the shift's holder, or an operator for them, declares it vacant", "vacancy_not_holder")
    if shift.start <= now:
        return _no("R-VAC-1", "the shift has started; it can no longer change hands", "vacancy_started")
    if any(v.shift == shift_id and is_live(state, v) for v in state.vacancies.values()):
        return _no("R-VAC-1", "the shift is already declared vacant", "vacancy_already_declared")
    if any(s.shift == shift_id for s in state.swaps.values()):
        return _no("R-VAC-1", "the shift is offered as a swap; withdraw that offer first", "vacancy_swap_open")
    reason = " ".join(reason.split())
    if not reason or len(reason) > REASON_LIMIT:
        return _no("R-VAC-1", f"a reason of 1 to {REASON_LIMIT} characters is required", "vacancy_reason")
    lead = config.district.policy.vacancy_alert_hours
    return VacancyDeclared(
        vacancy=vacancy_id, shift=shift_id, holder=holder, reason=reason,
        escalate_at=escalation_time(shift, lead), offered=len(eligible_doctors(state, calendar, shift_id)),
    )


def _open_vacancy(state: PeriodState, calendar: PeriodCalendar, vacancy_id: str, now: datetime):
    """(vacancy, shift) while it can still change hands, or the refusal."""
    vacancy = state.vacancies.get(vacancy_id)
    if vacancy is None:
        return _no("R-VAC-2", "no such vacancy in this period", "vacancy_unknown")
    if not vacancy.open:
        # R-PROC-3: first valid acceptance wins; whoever comes later hears it is gone.
        return _no("R-VAC-2", "the vacancy is no longer open: someone has taken it", "vacancy_closed")
    shift = calendar.by_id[vacancy.shift]
    held = state.assignments.get(vacancy.shift)
    if held is None or held.doctor != vacancy.holder:
        return _no("R-VAC-1", "the shift has changed hands since it was declared vacant", "vacancy_holder_gone")
    if shift.start <= now:
        return _no("R-VAC-3", "the shift has started; it can no longer change hands", "vacancy_started")
    return vacancy, shift


def take_vacancy(
    state: PeriodState, calendar: PeriodCalendar, *, vacancy_id: str, doctor: str, now: datetime
) -> VacancyTaken | RuleViolation:
    """R-VAC-2: a doctor takes the vacancy for themselves; the first valid acceptance wins."""
    found = _open_vacancy(state, calendar, vacancy_id, now)
    if isinstance(found, RuleViolation):
        return found
    vacancy, shift = found
    if doctor == vacancy.holder:
        return _no("R-VAC-2", "you hold this shift already", "vacancy_own")
    violation = may_take(state, calendar, doctor, shift)
    if violation is not None:
        return violation
    return VacancyTaken(vacancy=vacancy_id, shift=vacancy.shift, holder=vacancy.holder, doctor=doctor)


def assign_vacancy(
    state: PeriodState, calendar: PeriodCalendar, *, vacancy_id: str, doctor: str, reason: str, now: datetime
) -> VacancyAssigned | RuleViolation:
    """R-VAC-3: once escalated, an operator gives the vacancy to a doctor who may legally take it."""
    found = _open_vacancy(state, calendar, vacancy_id, now)
    if isinstance(found, RuleViolation):
        return found
    vacancy, shift = found
    if not vacancy.escalated:
        return _no("R-VAC-3", "an operator assigns a vacancy once it has been escalated; until then it is offered",
                   "vacancy_not_escalated")
    if doctor == vacancy.holder:
        return _no("R-VAC-3", "the doctor chosen holds this shift already", "vacancy_own")
    violation = may_take(state, calendar, doctor, shift)
    if violation is not None:
        return violation
    reason = " ".join(reason.split())
    if not reason or len(reason) > REASON_LIMIT:
        return _no("R-VAC-3", f"a reason of 1 to {REASON_LIMIT} characters is required", "vacancy_reason")
    return VacancyAssigned(vacancy=vacancy_id, shift=vacancy.shift, holder=vacancy.holder, doctor=doctor, reason=reason)


def vacancies_due(state: PeriodState, calendar: PeriodCalendar, now: datetime) -> list[VacancyStep]:
    """What time has brought: open vacancies whose shift has started are uncovered; those past
    their lead time and not yet escalated are escalated (R-VAC-3). In shift order."""
    lead = state.require_config().district.policy.vacancy_alert_hours
    steps: list[VacancyStep] = []
    for vid, v in sorted(state.vacancies.items(), key=lambda kv: (kv[1].escalate_at, kv[0])):
        if not is_live(state, v):
            continue
        if calendar.by_id[v.shift].start <= now:
            steps.append(VacancyUncovered(vacancy=vid, shift=v.shift, holder=v.holder))
        elif v.escalate_at <= now and not v.escalated:
            steps.append(VacancyEscalated(vacancy=vid, shift=v.shift, lead_hours=lead))
    return steps


def next_vacancy_time(state: PeriodState, calendar: PeriodCalendar) -> datetime | None:
    """When an open vacancy is next due: its escalation, or its shift's start."""
    times = [
        v.escalate_at if not v.escalated else calendar.by_id[v.shift].start
        for v in state.vacancies.values() if is_live(state, v)
    ]
    return min(times, default=None)
