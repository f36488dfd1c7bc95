"""Live periods from the command line: start one, submit a doctor's action, operator actions.

Each talks to the Temporal cluster (TEMPORAL_ADDRESS, or the dev server of `vakt dev`); the
workflow validates and records; a refusal comes back naming its rule.
"""

from __future__ import annotations

from datetime import datetime

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError

from activities.rejections import RejectionLog
from activities.store import EventStore
from domain.scenario import Scenario, to_period_config
from infra.settings import Settings
from workflows.messages import (
    ActionInput,
    CancelRoundInput,
    ClosePhaseInput,
    ExtendDeadlineInput,
    PeriodInput,
)
from workflows.period import RULE_VIOLATION, AllocationPeriodWorkflow

ACTIONS = {
    "staff": AllocationPeriodWorkflow.enter_staff_shift,
    "wish": AllocationPeriodWorkflow.submit_advance_wish,
    "pick": AllocationPeriodWorkflow.make_meeting_pick,
    "claim": AllocationPeriodWorkflow.claim_offered_shift,
}


class Refused(Exception):
    """The workflow refused the request; `rule` names the rulebook entry."""

    def __init__(self, rule: str, message: str):
        self.rule, self.message = rule, message
        super().__init__(f"{rule}: {message}")


class StartRefused(Exception):
    pass


async def start_live_period(client: Client, store: EventStore, settings: Settings, scenario: Scenario) -> str:
    """Start the period's workflow (id = period id). Scripted actions in the file are not sent."""
    config = to_period_config(scenario)
    period_id = config.period.id
    if await store.stream_kind(period_id) == "simulation":
        raise StartRefused(
            f"period id {period_id!r} holds a simulation in this database; give the live period its own id"
        )
    try:
        await client.start_workflow(
            AllocationPeriodWorkflow.run,
            PeriodInput(config=config, search_attributes=True),
            id=period_id,
            task_queue=settings.temporal_task_queue,
            # A period id is used once: a finished round is never started again by accident.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        raise StartRefused(f"period {period_id!r} has already been started") from None
    return period_id


async def _update(client: Client, period: str, update, arg):
    handle = client.get_workflow_handle(period)
    try:
        return await handle.execute_update(update, arg)
    except WorkflowUpdateFailedError as e:
        cause = e.cause
        if isinstance(cause, ApplicationError) and cause.type == RULE_VIOLATION and cause.details:
            raise Refused(cause.details[0]["rule"], cause.details[0]["message"]) from None
        raise


ACTION_KINDS = {"staff": "staff_entry", "wish": "advance_wish", "pick": "meeting_pick", "claim": "offering_claim"}


async def submit_action(client: Client, store: EventStore, period: str, kind: str, doctor: str, shift: str):
    """Send the action; a refusal is logged for `vakt explain` and raised as Refused."""
    try:
        return await _update(client, period, ACTIONS[kind], ActionInput(doctor=doctor, shift=shift))
    except Refused as refusal:
        await RejectionLog(store.pool).append(period, ACTION_KINDS[kind], doctor, shift, refusal.rule, refusal.message)
        raise


async def close_phase(client: Client, period: str, operator: str, reason: str):
    return await _update(
        client, period, AllocationPeriodWorkflow.close_phase_early, ClosePhaseInput(operator=operator, reason=reason)
    )


async def extend_deadline(client: Client, period: str, until: datetime, operator: str, reason: str):
    return await _update(
        client,
        period,
        AllocationPeriodWorkflow.extend_deadline,
        ExtendDeadlineInput(until=until, operator=operator, reason=reason),
    )


async def cancel_round(client: Client, period: str, operator: str, reason: str):
    return await _update(
        client, period, AllocationPeriodWorkflow.cancel_round, CancelRoundInput(operator=operator, reason=reason)
    )
