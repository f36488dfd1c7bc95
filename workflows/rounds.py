"""ScheduledRoundWorkflow: the action of a district's Temporal Schedule (R-PROC-5).

Each district has a Schedule (app/periods/schedules.py) that fires at the invitation time of each of its
rounds; an operator may also trigger it. Every firing runs this short workflow: an activity plans
the district's next round from the registry as of the round's start (minimised: no contact
data), and a second activity starts the round's AllocationPeriodWorkflow, whose id is the
period id (`mosse-2027-h1`). Starting an id that exists is refused by Temporal
(REJECT_DUPLICATE), so one district has one period per half-year, whatever the schedule or an
operator does: a duplicate start leaves the running round alone and reports it. (A child
workflow with ABANDON would do the same, but the time-skipping test server cannot follow an
abandoned child, and the starter must be testable there.)
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from activities.round_models import PlanRoundInput, RoundPlan, StartRoundInput
    from domain.model import OSLO_TZ, PeriodDates
    from workflows.messages import PeriodInput

PLAN_TIMEOUT = timedelta(minutes=2)


class RoundStarterInput(BaseModel):
    district_id: str
    search_attributes: bool = True
    clock_offset_seconds: float = 0.0  # passed on to the period: simulations, and tests run as on another day
    follow_through: bool = True  # the round stays open after publication (swaps, worked shifts)
    simulated: bool = False  # a demo's rounds: stored with the simulations, never notifying
    lottery_seed: int | None = None  # a demo fixes it (R-LOT-4); otherwise generated and recorded
    dates: PeriodDates | None = None  # a round to try by hand (`vakt dev`): these dates, not the policy's


class RoundStarterResult(BaseModel):
    district_id: str
    period_id: str | None  # the round started now, or None
    outcome: str  # "started", "already started", or why nothing was to start


@workflow.defn
class ScheduledRoundWorkflow:
    @workflow.run
    async def run(self, inp: RoundStarterInput) -> RoundStarterResult:
        now = (workflow.now() + timedelta(seconds=inp.clock_offset_seconds)).astimezone(OSLO_TZ)
        plan: RoundPlan = await workflow.execute_activity(
            "plan_next_round",
            PlanRoundInput(district_id=inp.district_id, today=now.date(), now=now, dates=inp.dates),
            result_type=RoundPlan,
            start_to_close_timeout=PLAN_TIMEOUT,
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1), non_retryable_error_types=["NoSuchDistrict"]),
        )
        if plan.config is None:
            return RoundStarterResult(district_id=inp.district_id, period_id=None, outcome=plan.reason)
        config = plan.config
        if inp.lottery_seed is not None:
            config = config.model_copy(update={"lottery_seed": inp.lottery_seed})
        period_input = PeriodInput(
            config=config,
            search_attributes=inp.search_attributes,
            clock_offset_seconds=inp.clock_offset_seconds,
            started_by="system:schedule",
            notify=not inp.simulated,
            simulated=inp.simulated,
            follow_through=inp.follow_through,
        )
        outcome: str = await workflow.execute_activity(
            "start_round",
            StartRoundInput(period_id=plan.config.period.id, period_input=period_input.model_dump(mode="json")),
            result_type=str,
            start_to_close_timeout=PLAN_TIMEOUT,
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
        )
        started = plan.config.period.id if outcome == "started" else None
        return RoundStarterResult(district_id=inp.district_id, period_id=started, outcome=outcome)
