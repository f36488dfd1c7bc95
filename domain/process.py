"""The period's decisions as pure functions: command in, events out (R-PROC-1..4).

The workflow only adds time (timers, deadlines) and durability around these; tests and
`vakt verify` call them directly.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.calendar import PeriodCalendar
from domain.events import (
    DeadlineExtended,
    DomainEvent,
    LotteryStarted,
    MeetingOpened,
    PhaseClosed,
    RoundCancelled,
    ShiftTaken,
)
from domain.lottery import LotteryEvent, draw_lottery
from domain.model import Phase, next_phase
from domain.quota import compute_quota
from domain.roster import publish
from domain.rules import ActionKind, RuleViolation, check_action
from domain.state import PeriodState, apply


def decide_action(
    state: PeriodState, calendar: PeriodCalendar, kind: ActionKind, doctor: str, shift: str, now: datetime
) -> ShiftTaken | RuleViolation:
    violation = check_action(state, calendar, kind, doctor, shift, now)
    if violation is not None:
        return violation
    return ShiftTaken(shift=shift, doctor=doctor, source=kind.source)


def open_meeting(state: PeriodState, calendar: PeriodCalendar) -> MeetingOpened:
    """R-PROC-2 entries are in: fix the quota for the invitation (R-PROC-6, R-LOAD-2)."""
    staff_held = {sid for sid, a in state.assignments.items() if a.source == "staff"}
    return MeetingOpened(quota=compute_quota(state.require_config(), calendar.shifts, staff_held))


def close_phase(
    state: PeriodState, by: str = "deadline", operator: str | None = None, reason: str | None = None
) -> PhaseClosed:
    """R-PROC-1: phases close in order; an early close is an operator action on record."""
    if state.phase not in (Phase.MEETING, Phase.OFFERING):
        raise ValueError(f"phase {state.phase.value} is not closed by a deadline")
    return PhaseClosed(
        phase=state.phase, next_phase=next_phase(state.phase), by=by, operator=operator, reason=reason
    )


def run_lottery(state: PeriodState, calendar: PeriodCalendar, seed: int) -> list[DomainEvent]:
    """R-PROC-4: draw every open shift, then publish. Returns the events in order."""
    if state.phase is not Phase.LOTTERY:
        raise ValueError("the lottery runs in phase lottery")
    open_count = sum(1 for s in calendar.shifts if s.id not in state.assignments)
    events: list[DomainEvent] = [LotteryStarted(seed=seed, open_shifts=open_count)]
    draws: list[LotteryEvent] = draw_lottery(state, calendar, seed)
    events.extend(draws)
    final = state
    for event in events:
        final = apply(final, event)
    events.append(publish(final, calendar))
    return events


def next_deadline(state: PeriodState) -> tuple[str | None, datetime | None]:
    """The step the period waits for and when it is due, with operator extensions applied."""
    config = state.require_config()
    period, policy = config.period, config.district.policy
    meeting_at = state.deadlines.get("meeting_at", period.meeting_at)
    if state.phase is Phase.MEETING and not state.meeting_open:
        return "meeting_at", meeting_at
    if state.phase is Phase.MEETING:
        closes = meeting_at + timedelta(hours=policy.meeting_duration_hours)
        return "meeting_closes", state.deadlines.get("meeting_closes", closes)
    if state.phase is Phase.OFFERING:
        return "offering_closes", state.deadlines.get("offering_closes", period.offering_closes)
    return None, None  # the lottery runs at once; published and cancelled rounds wait for nothing


def extend_deadline(
    state: PeriodState, until: datetime, operator: str, reason: str, now: datetime
) -> DeadlineExtended | RuleViolation:
    """An operator moves the current step's deadline later (R-PROC-1: closing early is `close`)."""
    step, current = next_deadline(state)
    if step is None or current is None:
        return RuleViolation(rule="R-PROC-1", message=f"phase {state.phase.value} has no deadline to extend")
    if until <= current or until <= now:
        return RuleViolation(
            rule="R-PROC-1",
            message=f"the new deadline must be later than the current one ({current:%Y-%m-%d %H:%M}) and than now; "
            "to end a phase early, close it",
        )
    return DeadlineExtended(step=step, previous=current, deadline=until, operator=operator, reason=reason)


def cancel_round(state: PeriodState, operator: str, reason: str) -> RoundCancelled | RuleViolation:
    if state.finished:
        return RuleViolation(rule="R-PROC-1", message=f"the round is already {state.phase.value}")
    return RoundCancelled(phase=state.phase, operator=operator, reason=reason)
