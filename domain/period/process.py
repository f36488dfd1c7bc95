"""The period's decisions as pure functions: command in, events out (R-PROC-1..4).

The workflow only adds time (timers, deadlines) and durability around these; tests and
`vakt verify` call them directly.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from domain.period.calendar import PeriodCalendar
from domain.period.events import (
    DeadlineExtended,
    DomainEvent,
    LotteryDrawn,
    LotteryStarted,
    MeetingOpened,
    PhaseClosed,
    RoundCancelled,
    ShiftLeftUncovered,
    ShiftTaken,
    Source,
)
from domain.lottery.phase import ALGORITHM, LotteryEvent, draw_lottery
from domain.model import Phase, next_phase
from domain.period.quota import compute_quota
from domain.period.roster import publish
from domain.period.rules import ActionKind, RuleViolation, check_action
from domain.period.state import Assignment, PeriodState, apply, fold


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


def advance(
    state: PeriodState, calendar: PeriodCalendar, *, by: str = "deadline", operator: str | None = None,
    reason: str | None = None,
) -> DomainEvent:
    """The phase stepper (R-PROC-1): the one event that takes the period to its next step —
    the meeting opens, or the meeting or the offering closes. The workflow takes it on a
    deadline or an operator's close; `vakt restart` replays the deadlines that passed. The
    lottery that follows the offering is `draw` (heavy: the workflow runs it in an activity)."""
    if state.phase is Phase.MEETING and not state.meeting_open:
        return open_meeting(state, calendar)
    return close_phase(state, by=by, operator=operator, reason=reason)


def steps_due(state: PeriodState, calendar: PeriodCalendar, now: datetime) -> tuple[PeriodState, list[DomainEvent]]:
    """Every deadline step whose deadline had passed by `now`, up to (not including) the lottery."""
    steps: list[DomainEvent] = []
    while True:
        step, deadline = next_deadline(state)
        if deadline is None or deadline > now or step == "offering_closes":
            return state, steps
        event = advance(state, calendar)
        state = apply(state, event)
        steps.append(event)


def draw(state: PeriodState, calendar: PeriodCalendar, seed: int) -> list[DomainEvent]:
    """R-PROC-4: LotteryStarted and every draw or uncovered shift, in order (not published yet)."""
    if state.phase is not Phase.LOTTERY:
        raise ValueError("the lottery runs in phase lottery")
    open_count = sum(1 for s in calendar.shifts if s.id not in state.assignments)
    events: list[DomainEvent] = [LotteryStarted(seed=seed, open_shifts=open_count, algorithm=ALGORITHM)]
    outcomes: list[LotteryEvent] = draw_lottery(state, calendar, seed, algorithm=ALGORITHM)
    events.extend(outcomes)
    return events


def run_lottery(state: PeriodState, calendar: PeriodCalendar, seed: int) -> list[DomainEvent]:
    """R-PROC-4: draw every open shift, then publish. Returns the events in order."""
    events = draw(state, calendar, seed)
    events.append(publish(fold(events, state), calendar))
    return events


class LotteryOutcome(BaseModel):
    """What the period's state takes from a stored lottery, compactly: the draws' pools stay in
    the event log, so a large district's lottery never swells a workflow payload.
    `apply_lottery_outcome(state, outcome)` equals folding the lottery's events."""

    seed: int
    first_version: int  # the LotteryStarted event's version
    last_version: int
    drawn: list[tuple[str, str]]  # (shift, doctor) in draw order
    uncovered: list[ShiftLeftUncovered]


def lottery_outcome(events: list[DomainEvent], first_version: int) -> LotteryOutcome:
    started = events[0]
    if not isinstance(started, LotteryStarted):
        raise ValueError("a lottery begins with LotteryStarted")
    return LotteryOutcome(
        seed=started.seed,
        first_version=first_version,
        last_version=first_version + len(events) - 1,
        drawn=[(e.shift, e.doctor) for e in events if isinstance(e, LotteryDrawn)],
        uncovered=[e for e in events if isinstance(e, ShiftLeftUncovered)],
    )


def apply_lottery_outcome(state: PeriodState, outcome: LotteryOutcome) -> PeriodState:
    if outcome.first_version != state.version + 1:
        raise ValueError(f"lottery outcome starts at v{outcome.first_version}, the state is at v{state.version}")
    return state.model_copy(
        update={
            "seed": outcome.seed,
            "assignments": {
                **state.assignments,
                **{shift: Assignment(doctor=doctor, source=Source.LOTTERY) for shift, doctor in outcome.drawn},
            },
            "drawn": state.drawn + len(outcome.drawn),
            "uncovered": [*state.uncovered, *outcome.uncovered],
            "version": outcome.last_version,
        }
    )


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


def next_step_text(phase: Phase | str | None, meeting_open: bool | None) -> str | None:
    """What happens at the next deadline, in an operator's words."""
    match phase:
        case Phase.MEETING:
            return "meeting closes, offering opens" if meeting_open else "meeting opens"
        case Phase.OFFERING:
            return "offering closes, lottery draws the open shifts"
        case Phase.LOTTERY:
            return "roster is published"
        case Phase.CANCELLED:
            return "none: the round was cancelled"
        case Phase.PUBLISHED:
            return "none: the roster is published"
    return None


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
    if state.phase is Phase.LOTTERY:
        return RuleViolation(rule="R-PROC-1", message="the lottery is being drawn; the roster is published next")
    return RoundCancelled(phase=state.phase, operator=operator, reason=reason)
