"""Planning a district's next round (the scheduled starter's activity, R-PROC-5 and R-LOAD-1).

The round that comes next after `today` is built from the registry as of its start
(domain.registry.config, minimised), with each doctor's carried balance from the district's last
published round (domain.period.balance): what they carried into it, decayed, plus that round's
balance. A round whose period id is already stored is reported, not planned again. A starter
that runs late moves the round's deadlines, or starts nothing when the round no longer fits
(domain.district.dates_when_started): a round whose phases are over is never started.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from adapters.postgres.registry import RegistryStore
from activities.round_models import PlanRoundInput, RoundPlan, StartRoundInput
from adapters.postgres.event_store import EventStore
from domain.period.balance import balances_after
from domain.period.calendar import PeriodCalendar
from domain.clock import local_time
from domain.district import (
    CarryPolicy,
    dates_when_started,
    invitation_at,
    next_period_start,
    period_start_for,
    round_dates,
)
from domain.period.events import parse_event
from domain.model import OSLO_TZ, Phase
from domain.registry.records import RegistryError
from domain.registry.config import period_config_from_registry
from domain.period.state import fold
from workflows.messages import PeriodInput
from workflows.period import AllocationPeriodWorkflow

NO_SUCH_DISTRICT = "NoSuchDistrict"


async def carried_into(store: EventStore, district_id: str, start: date, policy: CarryPolicy) -> dict[str, float]:
    """Balances carried into the period starting on `start` (R-LOAD-1): from the district's
    newest published round before it, if it ended within `reset_after_months`."""
    if not policy.enabled:
        return {}
    for row in await store.projections.district_rounds(district_id, before=start):
        if row["phase"] != Phase.PUBLISHED.value:
            continue
        months = (start.year - row["period_end"].year) * 12 + start.month - row["period_end"].month
        if months > policy.reset_after_months:
            return {}
        state = fold(parse_event(e.data) for e in await store.read_stream(row["stream_id"]))
        return balances_after(state, PeriodCalendar.from_config(state.require_config()), policy)
    return {}


class RoundPlanner:
    def __init__(self, registry: RegistryStore, store: EventStore, client: Client) -> None:
        self.registry, self.store, self.client = registry, store, client

    def activities(self) -> list[Callable[..., Any]]:
        return [self.plan_next_round, self.start_round]

    @activity.defn(name="start_round")
    async def start_round(self, inp: StartRoundInput) -> str:
        """Start the round's workflow (id = period id) on this worker's task queue. Temporal
        refuses a second start of the id (REJECT_DUPLICATE): "already started"."""
        try:
            await self.client.start_workflow(
                AllocationPeriodWorkflow.run,
                PeriodInput.model_validate(inp.period_input),
                id=inp.period_id,
                task_queue=activity.info().task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except WorkflowAlreadyStartedError:
            return "already started"
        return "started"

    @activity.defn(name="plan_next_round")
    async def plan_next_round(self, inp: PlanRoundInput) -> RoundPlan:
        stored = await self.registry.district(inp.district_id)
        if stored is None:
            raise ApplicationError(f"no district {inp.district_id!r} in the registry", type=NO_SUCH_DISTRICT, non_retryable=True)
        district = stored.record
        rounds = district.policy.rounds
        now = inp.now or datetime.combine(inp.today, time(0, 0), tzinfo=OSLO_TZ)
        start = next_period_start(period_start_for(inp.today, rounds.months), rounds.months)
        dates = inp.dates or dates_when_started(district.id, start, rounds, now)
        if dates is None:
            regular = round_dates(district.id, start, rounds)
            following = round_dates(district.id, next_period_start(start, rounds.months), rounds)
            return RoundPlan(district_id=district.id, period_id=regular.id, invitation_at=invitation_at(regular, rounds), reason=(
                f"too late for {regular.id}: its invitation was due {local_time(invitation_at(regular, rounds))} and its "
                f"phases no longer fit before {regular.start}; the schedule starts {following.id} at its invitation, "
                f"{local_time(invitation_at(following, rounds))}"
            ))
        plan = RoundPlan(district_id=district.id, period_id=dates.id, invitation_at=invitation_at(dates, rounds), reason="due")
        if await self.store.stream_kind(dates.id) is not None:
            return plan.model_copy(update={"reason": "already started"})
        carried = await carried_into(self.store, district.id, dates.start, district.policy.carry)
        try:
            config = period_config_from_registry(district, await self.registry.doctors(district.id), dates, carried=carried)
        except RegistryError as e:
            return plan.model_copy(update={"reason": f"the registry cannot make {dates.id}: {'; '.join(e.problems[:3])}"})
        if not config.doctors:
            return plan.model_copy(update={"reason": f"no doctors on the roll for {dates.id}"})
        return plan.model_copy(update={"config": config})
