"""A district's standing policy: the engine's rule choices, when its rounds run (R-PROC-5), and
how a doctor's balance carries from one period to the next (R-LOAD-1).

Kept in the district registry and edited with `vakt district set-policy`; every period of the
district is built with the policy as it stood when the period started.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import Field

from domain.model import OSLO_TZ, Frozen, PeriodDates, Policy


class RoundPolicy(Frozen):
    """R-PROC-5: rounds of half a year from 1 January and 1 July by default. For a period that
    starts on `start`, the meeting is `meeting_weeks_before` weeks earlier, on `meeting_weekday`
    at `meeting_time`; the invitation goes out `invitation_weeks_before` weeks before the meeting,
    wishes are due the day before the meeting at `wishes_due_time`, and the offering closes
    `offering_weeks` weeks after the meeting at `offering_closes_time`."""

    months: Literal[3, 4, 6, 12] = 6  # a period's length; periods start on 1 January + k·months
    meeting_weeks_before: int = Field(5, ge=1, le=26)
    meeting_weekday: int = Field(1, ge=0, le=6)  # Monday = 0; default Tuesday
    meeting_time: time = time(18, 0)
    invitation_weeks_before: int = Field(4, ge=1, le=26)  # before the meeting
    wishes_due_time: time = time(12, 0)
    offering_weeks: int = Field(2, ge=1, le=12)
    offering_closes_time: time = time(12, 0)


class CarryPolicy(Frozen):
    """R-LOAD-1 across periods: a doctor's balance (worked points minus quota) carries into the
    district's next period, where the lottery's deficit includes it (R-LOT-3).

    carried = clamp(previous carried × `decay` + previous period's balance, ±`cap`). `decay` 1
    keeps the whole history, 0 only the last period; `reset_after_months` without a period
    (a doctor who left and came back) starts them at 0."""

    enabled: bool = True
    decay: float = Field(1.0, ge=0, le=1)
    cap: float = Field(10.0, ge=0, le=100)
    reset_after_months: int = Field(12, ge=1, le=60)


class DistrictPolicy(Policy):
    rounds: RoundPolicy = RoundPolicy()
    carry: CarryPolicy = CarryPolicy()

    def engine_policy(self) -> Policy:
        """The part of the policy a period's rules read (what a workflow carries)."""
        return Policy(**{name: getattr(self, name) for name in Policy.model_fields})


def period_start_for(day: date, months: int) -> date:
    """The start of the period that contains `day` (periods start on 1 January + k·months)."""
    index = (day.month - 1) // months
    return date(day.year, index * months + 1, 1)


def next_period_start(start: date, months: int) -> date:
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def round_dates(district_id: str, start: date, policy: RoundPolicy) -> PeriodDates:
    """The period beginning on `start` and its deadlines (Europe/Oslo wall-clock, R-TIME-1).
    Its id is `<district>-<year>-h1|h2` for half-years, `<district>-<year>-<month>` otherwise."""
    end = next_period_start(start, policy.months) - timedelta(days=1)
    target = start - timedelta(weeks=policy.meeting_weeks_before)
    meeting_day = target - timedelta(days=(target.weekday() - policy.meeting_weekday) % 7)
    meeting_at = datetime.combine(meeting_day, policy.meeting_time, tzinfo=OSLO_TZ)
    wishes_due = datetime.combine(meeting_day - timedelta(days=1), policy.wishes_due_time, tzinfo=OSLO_TZ)
    closes_day = meeting_day + timedelta(weeks=policy.offering_weeks)
    offering_closes = datetime.combine(closes_day, policy.offering_closes_time, tzinfo=OSLO_TZ)
    label = f"h{1 if start.month <= 6 else 2}" if policy.months == 6 else f"{start.month:02d}"
    return PeriodDates(
        id=f"{district_id}-{start.year}-{label}",
        start=start,
        end=end,
        wishes_due=wishes_due,
        meeting_at=meeting_at,
        offering_closes=offering_closes,
    )


def invitation_at(dates: PeriodDates, policy: RoundPolicy) -> datetime:
    return dates.meeting_at - timedelta(weeks=policy.invitation_weeks_before)


# -- when a round runs, seen from the moment its starter runs (R-PROC-5) ------------------------

ON_TIME_GRACE = timedelta(days=1)  # a starter this late still keeps the policy's dates
LATE_MIN_LEAD = timedelta(days=7)  # a moved offering must still close this long before the start


def first_start_on_time(now: datetime, policy: RoundPolicy) -> date:
    """The first period whose invitation is still ahead of `now`: a round that can run its whole
    timetable from the invitation on."""
    start = next_period_start(period_start_for(now.astimezone(OSLO_TZ).date(), policy.months), policy.months)
    while invitation_at(round_dates("x", start, policy), policy) <= now:
        start = next_period_start(start, policy.months)
    return start


def dates_when_started(district_id: str, start: date, policy: RoundPolicy, now: datetime) -> PeriodDates | None:
    """The dates of the round beginning on `start` if its starter runs at `now`, or None when it
    is too late to run that round at all.

    - On time (at most `ON_TIME_GRACE` after the invitation time, or before it): the policy's
      dates.
    - Late (the worker was down when the schedule fired, the district was imported after the
      invitation time, an operator triggers it by hand): every deadline moves by the delay rounded
      up to whole weeks, so each phase keeps its length and the meeting its weekday and hour —
      provided the offering still closes `LATE_MIN_LEAD` before the period starts.
    - Too late for that: None. Nothing is started; the schedule starts the next round at its own
      invitation time. A round whose phases are already over is never started."""
    dates = round_dates(district_id, start, policy)
    delay = now - invitation_at(dates, policy)
    if delay <= ON_TIME_GRACE:
        return dates
    weeks = timedelta(weeks=math.ceil(delay / timedelta(weeks=1)))
    moved = dates.model_copy(update={
        "wishes_due": _same_wall_clock(dates.wishes_due, weeks),
        "meeting_at": _same_wall_clock(dates.meeting_at, weeks),
        "offering_closes": _same_wall_clock(dates.offering_closes, weeks),
    })
    if moved.offering_closes + LATE_MIN_LEAD > datetime.combine(start, time(0, 0), tzinfo=OSLO_TZ):
        return None
    return moved


def trial_round_dates(district_id: str, now: datetime, policy: RoundPolicy) -> PeriodDates:
    """A round to try by hand (`vakt dev`'s sample): invited now, advance wishes due in two days,
    the meeting the day after, the offering closing four days later — every phase within a week,
    at the policy's times of day. The period is the first whose start is at least
    `LATE_MIN_LEAD` after the offering closes."""
    today = now.astimezone(OSLO_TZ).date()
    wishes_due = datetime.combine(today + timedelta(days=2), policy.wishes_due_time, tzinfo=OSLO_TZ)
    meeting_at = datetime.combine(today + timedelta(days=3), policy.meeting_time, tzinfo=OSLO_TZ)
    offering_closes = datetime.combine(today + timedelta(days=7), policy.offering_closes_time, tzinfo=OSLO_TZ)
    start = next_period_start(period_start_for(today, policy.months), policy.months)
    while datetime.combine(start, time(0, 0), tzinfo=OSLO_TZ) < offering_closes + LATE_MIN_LEAD:
        start = next_period_start(start, policy.months)
    return round_dates(district_id, start, policy).model_copy(
        update={"wishes_due": wishes_due, "meeting_at": meeting_at, "offering_closes": offering_closes}
    )


def _same_wall_clock(moment: datetime, by: timedelta) -> datetime:
    """`moment` moved by whole days at the same Oslo wall-clock time (DST-correct, R-TIME-1)."""
    local = moment.astimezone(OSLO_TZ)
    return datetime.combine(local.date() + by, local.time().replace(tzinfo=None), tzinfo=OSLO_TZ)
