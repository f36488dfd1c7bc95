"""`vakt restart PERIOD [--apply]`: put a stuck round back on track.

Two remedies, chosen from the diagnosis (`app.reads.status.diagnose`):
- **reset** — the workflow task fails for a reason the fixed code no longer has (a bug, a
  crash): reset the run to its last good workflow task so the fixed code continues from there;
- **rebuild** — the history itself is the problem (it no longer replays: non-determinism), or
  the run has ended without publishing: terminate it (if running) and start a new run of the
  same workflow id whose state is the fold of the events stored in PostgreSQL. It continues at
  the stored phase with the remaining deadlines; versions continue from the last stored one.
A dry run (the default) only explains. Applying twice is safe: the second run finds the round
healthy and does nothing. An applied restart is recorded in the period's log as `RoundRestarted`
with the operator, the reason and the remedy, like every other operator action.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Literal
from uuid import uuid4

from pydantic import BaseModel
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.converter import DataConverter
from temporalio.worker import Replayer

from adapters.postgres.event_store import EventStore
from app.bootstrap import Services
from app.errors import BadInput
from app.reads.period_cache import PeriodCache
from app.reads.status import diagnose
from app.reads.status_models import PeriodDiagnosis
from app.periods.updates import send_update
from app.validate import free_text, period_id, person_name
from domain import actors
from domain.period.calendar import PeriodCalendar
from domain.period.events import RecordedEvent, parse_event
from domain.model import OSLO_TZ
from domain.period.process import cancel_round, decide_action, extend_deadline, next_deadline, steps_due
from domain.period.rules import RuleViolation
from domain.period.state import PeriodState, apply, fold
from infra.settings import Settings
from workflows.messages import (
    operator_actor_of,
    CancelRoundInput,
    CarriedState,
    ExtendDeadlineInput,
    PeriodInput,
    RestartNote,
    SubmitActionsInput,
    SubmitActionsResult,
)
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


def _first_line(failure: dict) -> str:
    lines = (failure.get("message") or "").splitlines()
    return (lines[0] if lines else failure.get("cause", "?"))[:120]


async def _replays_with_deployed_code(handle, converter: DataConverter) -> bool | None:
    """Whether this process's workflow code replays the run's history (None: could not tell)."""
    if handle is None:
        return None
    try:
        history = await handle.fetch_history()
        replayer = Replayer(workflows=[AllocationPeriodWorkflow], data_converter=converter)
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    except Exception:  # noqa: BLE001 - a diagnosis aid; the caller falls back to the failure cause
        return None
    return result.replay_failure is None


async def plan_restart(
    diagnosis, store: EventStore, client: Client | None = None, converter: DataConverter | None = None,
    cache: PeriodCache | None = None,
) -> RestartPlan:
    """`cache`: the process's read model (a plan only reads the fold; carrying a plan out folds
    the stored events anew, `apply_restart`)."""
    period = diagnosis.period
    handle = client.get_workflow_handle(period, run_id=diagnosis.run_id) if client and diagnosis.run_id else None
    if cache is not None:
        folded = await cache.folded(store, period)
        stored = folded.version if folded is not None else 0
        state = folded.state if stored else None
    else:
        events = await store.read_stream(period)
        stored = len(events)
        state = fold(parse_event(e.data) for e in events) if events else None
    step, deadline = next_deadline(state) if state and state.opened else (None, None)
    base = dict(
        period=period,
        verdict=diagnosis.verdict,
        run_id=diagnosis.run_id,
        stored_events=stored,
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
    replays = (
        await _replays_with_deployed_code(handle, converter or client.data_converter)
        if status == "RUNNING" and failure and client
        else None
    )
    if status == "RUNNING" and failure and replays and diagnosis.last_good_workflow_task_event_id:
        return RestartPlan(
            **base,
            action="reset",
            reset_to_event=diagnosis.last_good_workflow_task_event_id,
            explanation=(
                f"The workflow task keeps failing ({_first_line(failure)}), but the code deployed now replays the "
                f"history. --apply will reset run {diagnosis.run_id} to its last good workflow task (history event "
                f"{diagnosis.last_good_workflow_task_event_id}); every action accepted up to then is kept, and events "
                "already stored are not stored again."
            ),
        )
    if status == "RUNNING" and failure and (_nondeterministic(failure) or replays is False):
        return RestartPlan(
            **base,
            action="rebuild",
            explanation=(
                "The workflow's history no longer replays with the code deployed now (non-determinism), so it "
                f"is stuck. --apply will terminate run {diagnosis.run_id} and start a new run of {period} rebuilt "
                f"from the {stored} events stored in PostgreSQL, plus any action the history shows accepted "
                f"but not yet stored; it continues in {where}."
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
            f"{period} rebuilt from the {stored} events stored in PostgreSQL; it continues in {where}."
        ),
    )


async def apply_restart(
    plan: RestartPlan, client: Client, store: EventStore, settings: Settings, *, operator: str, reason: str,
    actor: str | None = None,
) -> str:
    """Carry out the plan; returns what was done, in one sentence. The restart is recorded in
    the period's log (RoundRestarted) with the operator and reason."""
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
        note = RestartNote(remedy="reset", operator=operator, reason=reason, previous_run=plan.run_id, actor=actor)
        await send_update(client, plan.period, AllocationPeriodWorkflow.record_restart, note)
        return f"Reset run {plan.run_id} to event {plan.reset_to_event}; the new run is {response.run_id}."
    if plan.run_id:
        description = await handle.describe()
        if description.status is not None and description.status.name == "RUNNING":
            await handle.terminate(reason="vakt restart: history no longer replays; rebuilding from stored events")
            await asyncio.sleep(1)  # an append that was already running may still commit
    # Read after terminating, so an append that was still in flight is included.
    events = await store.read_stream(plan.period)
    state = fold(parse_event(e.data) for e in events)
    recovered: list[RecordedEvent] = []
    lost: list[str] = []
    if plan.run_id:
        state, recovered, lost = await recover_unstored_actions(
            client.get_workflow_handle(plan.period, run_id=plan.run_id), state, client.data_converter
        )
    config = state.require_config()
    # The new run keeps the old run's settings (follow-through, update budget …) when its input
    # can still be read; only its state comes from PostgreSQL.
    before = await _original_input(client, plan) or PeriodInput(config=config, simulated=state.simulated)
    new = await client.start_workflow(
        AllocationPeriodWorkflow.run,
        before.model_copy(
            update={
                "config": config,
                "search_attributes": True,
                "carried": CarriedState(state=state, pending=recovered, stored_version=events[-1].version),
                "restart": RestartNote(remedy="rebuild", operator=operator, reason=reason, previous_run=plan.run_id,
                                       actor=actor),
            }
        ),
        id=plan.period,
        task_queue=settings.temporal_task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    )
    done = (
        f"Started run {new.result_run_id} of {plan.period} from {len(events)} stored events"
        + (f" and {len(recovered)} accepted but unstored ones recovered from the history" if recovered else "")
        + f", in phase {state.phase.value}."
    )
    if lost:
        done += " NOT recovered (tell the doctors to submit again): " + "; ".join(lost)
    return done


async def _original_input(client: Client, plan: RestartPlan) -> PeriodInput | None:
    """The input of the run being replaced (its latest run when the plan names none)."""
    try:
        async for event in client.get_workflow_handle(plan.period, run_id=plan.run_id).fetch_history_events():
            payloads = event.workflow_execution_started_event_attributes.input.payloads
            [inp] = await client.data_converter.decode(payloads, [PeriodInput])
            return inp
    except Exception:  # noqa: BLE001 - history gone or unreadable: the defaults will do
        return None
    return None


async def recover_unstored_actions(
    handle, state: PeriodState, converter: DataConverter
) -> tuple[PeriodState, list[RecordedEvent], list[str]]:
    """Re-decide, on the rebuilt state, every action the old run accepted but never stored.

    The history holds each completed update's input and result: for `submit_actions` the
    requests and, per request, the version that recorded it. Replayed in version order with the
    deadline steps that had passed by then, the pure domain decisions give the same events
    again; one that does not reproduce its version is reported, never guessed.
    """
    accepted: dict[str, tuple[str, object, datetime]] = {}
    done: list[tuple[int, str, object, datetime]] = []
    async for e in handle.fetch_history_events():
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            request = e.workflow_execution_update_accepted_event_attributes.accepted_request
            accepted[request.meta.update_id] = (request.input.name, request.input.args, e.event_time.ToDatetime(tzinfo=UTC))
        elif e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
            attrs = e.workflow_execution_update_completed_event_attributes
            if not attrs.outcome.HasField("success") or attrs.meta.update_id not in accepted:
                continue
            name, args, at = accepted[attrs.meta.update_id]
            if name == "submit_actions":
                [inp] = await converter.decode(args.payloads, [SubmitActionsInput])
                [result] = await converter.decode(attrs.outcome.success.payloads, [SubmitActionsResult])
                by_id = {r.request_id: r for r in inp.actions}
                for outcome in result.outcomes:
                    if outcome.accepted and outcome.version and outcome.version > state.version:
                        done.append((outcome.version, name, by_id[outcome.request_id], at))
            elif name in ("extend_deadline", "cancel_round"):
                [result] = await converter.decode(attrs.outcome.success.payloads, [dict])
                if result.get("version", 0) > state.version:
                    done.append((result["version"], name, args, at))
    calendar = PeriodCalendar.from_config(state.require_config())
    recovered: list[RecordedEvent] = []
    lost: list[str] = []
    for version, name, item, at in sorted(done, key=lambda entry: entry[0]):
        now = at.astimezone(OSLO_TZ)
        before = state.version
        state, steps = steps_due(state, calendar, now)
        recovered.extend(
            RecordedEvent(event_id=uuid4(), version=before + i, occurred_at=now, actor=actors.DEADLINE, event=ev)
            for i, ev in enumerate(steps, 1)
        )
        if name == "submit_actions":
            decision = decide_action(state, calendar, item.kind, item.doctor, item.shift, now)
            label, actor = f"{item.doctor} {item.kind} {item.shift}", item.actor
        elif name == "extend_deadline":
            [request] = await converter.decode(item.payloads, [ExtendDeadlineInput])
            until = request.until if request.until.tzinfo else request.until.replace(tzinfo=OSLO_TZ)
            decision = extend_deadline(state, until, request.operator, request.reason, now)
            label, actor = f"deadline extension by {request.operator}", operator_actor_of(request)
        else:
            [request] = await converter.decode(item.payloads, [CancelRoundInput])
            decision = cancel_round(state, request.operator, request.reason)
            label, actor = f"cancellation by {request.operator}", operator_actor_of(request)
        if isinstance(decision, RuleViolation) or state.version + 1 != version:
            lost.append(label)
            continue
        state = apply(state, decision)
        recovered.append(
            RecordedEvent(event_id=uuid4(), version=state.version, occurred_at=now, actor=actor, event=decision)
        )
    return state, recovered, lost


async def restart_round(
    services: Services, period: str, *, apply_plan: bool, operator: str | None = None, reason: str | None = None,
    actor: str | None = None, diagnosis: PeriodDiagnosis | None = None,
) -> tuple[RestartPlan, str | None]:
    """The use case: diagnose, plan, and (with `apply_plan`) carry out the plan on record.
    `diagnosis`: one just made (a page showing the round and its plan); a plan carried out always
    diagnoses anew."""
    period = period_id(period)
    if apply_plan:
        if operator is None or reason is None:
            raise BadInput("--operator and --reason: required with --apply (the restart is recorded)")
        operator, reason = person_name(operator), free_text(reason, "--reason")
    client = await services.temporal()
    live = await services.database()
    stores = [live.store, (await services.simulation_database()).store]
    if diagnosis is None or apply_plan:
        diagnosis = await diagnose(client, stores, services.settings, period, clock=services.clock,
                                   cache=services.reads)
    plan = await plan_restart(diagnosis, live.store, client, services.data_converter, cache=services.reads)
    done = None
    if apply_plan:
        done = await apply_restart(plan, client, live.store, services.settings, operator=operator, reason=reason,
                                   actor=actor)
    return plan, done
