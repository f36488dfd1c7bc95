"""The sample round, the multi-year demo and the scheduled starter on any day of the year.

"Today" is set through the one clock (domain.clock.FixedClock) to the days that broke or could
break a calendar: new year, a leap day, midsummer's eve of a half-year, the days just before and
after a half-year's invitation and meeting, and new year's eve late at night. Each time the
round is planned, built from the sample roll as the worker would build it, and stepped to
"now" with the workflow's own pure stepper: it must open in its first phase with every deadline
ahead, and the sample doctor's advance wish must be accepted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.demo.multiyear import demo_starts
from app.demo.samples import sample_doctor, sample_roll, sample_trial_round
from domain.period.calendar import PeriodCalendar
from domain.clock import FixedClock, oslo_now
from domain.district import (
    LATE_MIN_LEAD,
    DistrictPolicy,
    RoundPolicy,
    dates_when_started,
    invitation_at,
    next_period_start,
    period_start_for,
    round_dates,
    trial_round_dates,
)
from domain.period.events import PeriodOpened
from domain.model import OSLO_TZ, PeriodConfig, PeriodDates, Phase
from domain.period.process import decide_action, next_deadline, steps_due
from domain.registry.records import DistrictRecord
from domain.registry.config import period_config_from_registry
from domain.period.rules import ActionKind, RuleViolation
from domain.period.state import PeriodState, apply

TODAYS = [
    datetime(2027, 1, 1, 0, 5),
    datetime(2028, 2, 29, 12, 0),
    datetime(2027, 6, 30, 23, 30),
    datetime(2026, 11, 24, 9, 0),
    datetime(2026, 12, 5, 10, 0),
    datetime(2026, 12, 31, 23, 59),
    datetime(2027, 3, 28, 2, 30),  # the hour that does not exist in Oslo (DST starts)
    datetime(2027, 10, 31, 2, 30),  # the hour that happens twice (DST ends)
]
IDS = [t.strftime("%Y-%m-%d_%H%M") for t in TODAYS]


def _clock(naive: datetime) -> FixedClock:
    return FixedClock(naive.replace(tzinfo=OSLO_TZ))


def _config(dates: PeriodDates, roll) -> PeriodConfig:
    district = DistrictRecord(id="mosse", name="Mosseregionens legevakt")
    return period_config_from_registry(district, roll, dates, carried={})


def _opened_at(config: PeriodConfig, now: datetime) -> tuple[PeriodState, PeriodCalendar]:
    """What the workflow does when it starts at `now`: record PeriodOpened, take the steps due."""
    calendar = PeriodCalendar.from_config(config)
    state = apply(PeriodState(), PeriodOpened(config=config))
    state, _ = steps_due(state, calendar, now)
    return state, calendar


def _assert_deadlines_ahead(dates: PeriodDates, now: datetime) -> None:
    assert now < dates.wishes_due < dates.meeting_at < dates.offering_closes, dates
    start = datetime.combine(dates.start, datetime.min.time(), tzinfo=OSLO_TZ)
    assert dates.offering_closes + LATE_MIN_LEAD <= start, dates


@pytest.mark.parametrize("today", TODAYS, ids=IDS)
def test_the_sample_round_opens_before_its_meeting_with_every_deadline_ahead(today):
    now = oslo_now(_clock(today))
    dates = trial_round_dates("mosse", now, RoundPolicy())
    _assert_deadlines_ahead(dates, now)
    # Every phase can be tried within a week.
    assert dates.offering_closes - now <= timedelta(days=8)
    assert period_start_for(dates.start, 6) == dates.start

    roll = sample_trial_round(sample_roll(dates.start), dates)
    state, calendar = _opened_at(_config(dates, roll), now)
    assert state.phase is Phase.MEETING and not state.meeting_open
    step, deadline = next_deadline(state)
    assert deadline is not None and deadline > now, (step, deadline)

    # The sample doctor is away on a course on the meeting's day (R-MEET-1) and may give an
    # advance wish now (R-MEET-2).
    doctor = sample_doctor(roll).id
    profile = next(d for d in state.require_config().doctors if d.id == doctor)
    assert profile.valid_meeting_absence
    wished = next(
        decision for shift in calendar.shifts[:40]
        if not isinstance(decision := decide_action(state, calendar, ActionKind.ADVANCE_WISH, doctor, shift.id, now),
                          RuleViolation)
    )
    assert wished.doctor == doctor


@pytest.mark.parametrize("today", TODAYS, ids=IDS)
def test_the_multi_year_demo_starts_with_a_round_whose_invitation_is_ahead(today):
    now = oslo_now(_clock(today))
    policy = DistrictPolicy().rounds
    starts = demo_starts(now, policy, 4)
    assert starts == sorted(starts) and len(set(starts)) == 4
    for start in starts:
        dates = round_dates("yeardemo", start, policy)
        invited = invitation_at(dates, policy)
        assert invited > now
        _assert_deadlines_ahead(dates, invited)
    # At its invitation time, the first round opens in its first phase, deadlines ahead.
    dates = round_dates("yeardemo", starts[0], policy)
    invited = invitation_at(dates, policy) + timedelta(seconds=1)
    state, _ = _opened_at(_config(dates, sample_roll(starts[0])), invited)
    assert state.phase is Phase.MEETING and not state.meeting_open
    assert next_deadline(state)[1] > invited


@pytest.mark.parametrize("today", TODAYS, ids=IDS)
def test_a_late_starter_moves_the_deadlines_or_starts_nothing(today):
    """The schedule's action runs at `today` for the next half-year: on time it keeps the
    policy's dates; late, the deadlines move by whole weeks (the meeting keeps its weekday and
    hour); too late, nothing starts. Never a round whose phases are over."""
    now = oslo_now(_clock(today))
    policy = RoundPolicy()
    start = next_period_start(period_start_for(now.date(), policy.months), policy.months)
    regular = round_dates("mosse", start, policy)
    dates = dates_when_started("mosse", start, policy, now)
    if dates is None:
        assert now > invitation_at(regular, policy)
        return
    _assert_deadlines_ahead(dates, now)
    moved = dates.meeting_at - regular.meeting_at
    assert moved.days % 7 == 0 and moved >= timedelta(0)
    assert dates.meeting_at.astimezone(OSLO_TZ).weekday() == regular.meeting_at.astimezone(OSLO_TZ).weekday()
    assert dates.meeting_at.astimezone(OSLO_TZ).time() == regular.meeting_at.astimezone(OSLO_TZ).time()


def test_a_starter_on_time_keeps_the_policys_dates_and_one_too_late_starts_nothing():
    policy = RoundPolicy()
    regular = round_dates("mosse", datetime(2027, 7, 1).date(), policy)
    invited = invitation_at(regular, policy)
    assert dates_when_started("mosse", regular.start, policy, invited + timedelta(seconds=5)) == regular
    late = dates_when_started("mosse", regular.start, policy, invited + timedelta(days=10))
    assert late is not None and late.meeting_at == regular.meeting_at + timedelta(weeks=2)
    assert dates_when_started("mosse", regular.start, policy, regular.meeting_at) is None
