"""A district's standing policy: the engine's rule choices, when its rounds run (R-PROC-5), and
how a doctor's balance carries from one period to the next (R-LOAD-1).

Kept in the district registry and edited with `vakt district set-policy`; every period of the
district is built with the policy as it stood when the period started.
"""

from __future__ import annotations

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
