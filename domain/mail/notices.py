"""Who is told what, and when: the invitation (R-PROC-6), the reminders before a deadline, and
each doctor's results. Pure: the workflow sends what these return (workflows/period/notices.py).

- **Invitation**, when the round starts: every doctor who carries a GP's duty in the period
  (R-LOAD-2 participants), with their quota as it stands once the staff shifts are in (the
  quota recorded when the meeting opens; before that, the projection from the shifts entered so
  far) and their carried balance (R-LOAD-1).
- **Reminder before wishes are due** (R-MEET-2): the doctors with a valid absence from the
  meeting whose advance wishes do not yet reach their quota — only they can still act.
- **Reminder before the offering closes** (R-PROC-3): everyone with a quota who holds less than
  it: they can still claim, or be drawn in the lottery.
- **Results**, at publication: every doctor who holds a shift or has a quota, with their shifts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.period.calendar import PeriodCalendar
from domain.mail.facts import InvitationFacts, Quota, ReminderFacts, ResultsFacts, ShiftFact
from domain.period.process import next_deadline
from domain.period.quota import QuotaSnapshot, compute_quota, shift_weight
from domain.period.state import PeriodState

Notice = tuple[str, InvitationFacts | ReminderFacts | ResultsFacts]  # (doctor id, facts)


def quota_now(state: PeriodState, calendar: PeriodCalendar) -> QuotaSnapshot:
    if state.quota is not None:
        return state.quota
    staff = {sid for sid, a in state.assignments.items() if a.source == "staff"}
    return compute_quota(state.require_config(), calendar.shifts, staff)


def _points(state: PeriodState, calendar: PeriodCalendar, doctor: str) -> float:
    weights = state.require_config().district.policy.weights
    return sum(shift_weight(calendar.by_id[s], weights) for s in state.held_by(doctor))


def _quota(snapshot: QuotaSnapshot, state: PeriodState, doctor: str) -> Quota:
    profile = state.require_config().doctor(doctor)
    return Quota(quota=snapshot.of(doctor), weighted=snapshot.weighted, carried=profile.carried if profile else 0.0)


def invitations(state: PeriodState, calendar: PeriodCalendar) -> list[Notice]:
    period = state.require_config().period
    snapshot = quota_now(state, calendar)
    meeting_at = state.deadlines.get("meeting_at", period.meeting_at)
    return [
        (
            doctor,
            InvitationFacts(
                quota=_quota(snapshot, state, doctor),
                wishes_due=period.wishes_due,
                meeting_at=meeting_at,
                offering_closes=state.deadlines.get("offering_closes", period.offering_closes),
            ),
        )
        for doctor in sorted(snapshot.per_doctor)
        if snapshot.of(doctor) > 0
    ]


def wishes_reminders(state: PeriodState, calendar: PeriodCalendar) -> list[Notice]:
    config = state.require_config()
    snapshot = quota_now(state, calendar)
    out = []
    for doctor in sorted(snapshot.per_doctor):
        profile = config.doctor(doctor)
        quota = snapshot.of(doctor)
        if profile is None or not profile.valid_meeting_absence or quota <= 0:
            continue
        taken = _points(state, calendar, doctor)
        if taken < quota:
            out.append(
                (doctor, ReminderFacts(kind="reminder-wishes", deadline=config.period.wishes_due,
                                       quota=_quota(snapshot, state, doctor), taken=taken))
            )
    return out


def offering_reminders(state: PeriodState, calendar: PeriodCalendar) -> list[Notice]:
    if state.quota is None:
        return []
    _, deadline = next_deadline(state)
    open_shifts = sum(1 for s in calendar.shifts if s.id not in state.assignments)
    out = []
    for doctor in sorted(state.quota.per_doctor):
        quota = state.quota.of(doctor)
        taken = _points(state, calendar, doctor)
        if quota > 0 and taken < quota and deadline is not None:
            out.append(
                (doctor, ReminderFacts(kind="reminder-offering", deadline=deadline, quota=_quota(state.quota, state, doctor),
                                       taken=taken, open_shifts=open_shifts))
            )
    return out


def results(state: PeriodState, calendar: PeriodCalendar, published_at: datetime) -> list[Notice]:
    holders = {a.doctor for a in state.assignments.values()}
    with_quota = {d for d in (state.quota.per_doctor if state.quota else {}) if state.quota.of(d) > 0}
    out = []
    for doctor in sorted(holders | with_quota):
        shifts = sorted((calendar.by_id[s] for s in state.held_by(doctor)), key=lambda s: (s.start, s.id))
        out.append(
            (
                doctor,
                ResultsFacts(
                    published_at=published_at,
                    shifts=tuple(ShiftFact(shift_id=s.id, name=s.name, kind=s.kind, start=s.start, end=s.end) for s in shifts),
                    quota=_quota(state.quota, state, doctor) if state.quota and doctor in with_quota else None,
                    taken=_points(state, calendar, doctor),
                ),
            )
        )
    return out


def reminder_times(state: PeriodState, lead: timedelta) -> dict[str, datetime]:
    """When each reminder is due: `lead` before wishes are due, and before the offering closes
    (with an operator's extension)."""
    period = state.require_config().period
    return {
        "reminder-wishes": period.wishes_due - lead,
        "reminder-offering": state.deadlines.get("offering_closes", period.offering_closes) - lead,
    }
