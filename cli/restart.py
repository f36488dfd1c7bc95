"""`vakt restart PERIOD [--apply]`: put a stuck round back on track.

Two remedies, chosen from the diagnosis (`cli.status.diagnose`):
- **reset** — the workflow task fails for a reason the fixed code no longer has (a bug, a
  crash): reset the run to its last good workflow task so the fixed code continues from there;
- **rebuild** — the history itself is the problem (it no longer replays: non-determinism), or
  the run has ended without publishing: terminate it (if running) and start a new run of the
  same workflow id whose state is the fold of the events stored in PostgreSQL. It continues at
  the stored phase with the remaining deadlines; versions continue from the last stored one.
A dry run (the default) only explains. Applying twice is safe: the second run finds the round
healthy and does nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy

from activities.store import EventStore
from domain.events import parse_event
from domain.process import next_deadline
from domain.state import fold
from infra.settings import Settings
from workflows.messages import CarriedState, PeriodInput
from workflows.period import AllocationPeriodWorkflow

Action = Literal["none", "reset", "rebuild"]


class RestartPlan(BaseModel):
    period: str
    verdict: str
    action: Action
    explanation: str  # what is wrong and what --apply will do, in an operator's words
    run_id: str | None = None
    reset_to_event: int | None = None
    stored_events: int = 0
    phase: str | None = None
    next_deadline: datetime | None = None


def _nondeterministic(failure: dict | None) -> bool:
    if not failure:
        return False
    text = f"{failure.get('cause', '')} {failure.get('message', '')}".lower()
    return "nondetermin" in text or "non_determin" in text or "non-determin" in text


async def plan_restart(diagnosis, store: EventStore) -> RestartPlan:
    period = diagnosis.period
    events = await store.read_stream(period)
    state = fold(parse_event(e.data) for e in events) if events else None
    step, deadline = next_deadline(state) if state and state.opened else (None, None)
    base = dict(
        period=period,
        verdict=diagnosis.verdict,
        run_id=diagnosis.run_id,
        stored_events=len(events),
        phase=state.phase.value if state else None,
        next_deadline=deadline,
    )
    where = f"phase {state.phase.value}" if state else "its first phase"
    if deadline is not None:
        where += f", next deadline {deadline:%Y-%m-%d %H:%M} ({step.replace('_', ' ')})"
    if state is None:
        return RestartPlan(**base, action="none", explanation="Nothing is stored for this period; nothing to restart.")
    if state.finished:
        return RestartPlan(
            **base, action="none", explanation=f"The round is {state.phase.value}; there is nothing to restart."
        )
    status = (diagnosis.status or "").upper()
    failure = diagnosis.last_workflow_task_failure
    failure = failure.model_dump() if hasattr(failure, "model_dump") else failure
    if status == "RUNNING" and not diagnosis.stuck:
        return RestartPlan(**base, action="none", explanation=f"The round is {diagnosis.verdict}; nothing to do.")
    if status == "RUNNING" and failure and _nondeterministic(failure):
        return RestartPlan(
            **base,
            action="rebuild",
            explanation=(
                "The workflow's history no longer replays with the deployed code (non-determinism after a "
                f"deployment), so it is stuck. --apply will terminate run {diagnosis.run_id} and start a new run "
                f"of {period} rebuilt from the {len(events)} events stored in PostgreSQL; it continues in {where}."
            ),
        )
    if status == "RUNNING" and failure and diagnosis.last_good_workflow_task_event_id:
        return RestartPlan(
            **base,
            action="reset",
            reset_to_event=diagnosis.last_good_workflow_task_event_id,
            explanation=(
                f"The workflow task keeps failing ({failure.get('message', '').splitlines()[0][:120]}). Once the fix "
                f"is deployed, --apply will reset run {diagnosis.run_id} to its last good workflow task (history "
                f"event {diagnosis.last_good_workflow_task_event_id}) so the fixed code continues from there; "
                "events already stored are not stored again."
            ),
        )
    if status == "RUNNING":
        return RestartPlan(
            **base,
            action="none",
            explanation=(
                f"The round is {diagnosis.verdict}. Restarting would not help: fix the cause (start a worker, "
                "bring the database back); the workflow resumes by itself."
            ),
        )
    ended = status.lower() or "not found in Temporal"
    return RestartPlan(
        **base,
        action="rebuild",
        explanation=(
            f"The workflow is {ended} but the period was never published. --apply will start a new run of "
            f"{period} rebuilt from the {len(events)} events stored in PostgreSQL; it continues in {where}."
        ),
    )


async def apply_restart(plan: RestartPlan, client: Client, store: EventStore, settings: Settings) -> str:
    """Carry out the plan; returns what was done, in one sentence."""
    if plan.action == "none":
        return "Nothing done."
    handle = client.get_workflow_handle(plan.period)
    if plan.action == "reset":
        response = await client.workflow_service.reset_workflow_execution(
            ResetWorkflowExecutionRequest(
                namespace=settings.temporal_namespace,
                workflow_execution=WorkflowExecution(workflow_id=plan.period, run_id=plan.run_id or ""),
                reason="vakt restart: reset to the last good workflow task",
                workflow_task_finish_event_id=plan.reset_to_event,
                # The same request twice is one reset.
                request_id=f"vakt-restart-{plan.run_id}-{plan.reset_to_event}",
            )
        )
        return f"Reset run {plan.run_id} to event {plan.reset_to_event}; the new run is {response.run_id}."
    if plan.run_id:
        description = await handle.describe()
        if description.status is not None and description.status.name == "RUNNING":
            await handle.terminate(reason="vakt restart: history no longer replays; rebuilding from stored events")
    # Read after terminating, so an append that was still in flight is included.
    events = await store.read_stream(plan.period)
    state = fold(parse_event(e.data) for e in events)
    config = state.require_config()
    new = await client.start_workflow(
        AllocationPeriodWorkflow.run,
        PeriodInput(
            config=config,
            simulated=state.simulated,
            search_attributes=True,
            carried=CarriedState(state=state, stored_version=events[-1].version),
        ),
        id=plan.period,
        task_queue=settings.temporal_task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    )
    return (
        f"Started run {new.result_run_id} of {plan.period} from {len(events)} stored events, "
        f"in phase {state.phase.value}."
    )
