"""The Temporal side of `vakt status`: what the cluster says of a round's workflow.

Works without a worker: `describe` gives the status, run id, pending activities and the pending
workflow task's attempt; the run's history gives the workflow task failures, the first failure of
the current failing streak and the last workflow task that completed before it
(`last_good_workflow_task_event_id`, the reset point `vakt restart` uses). Queries (phase,
coverage) need a polling worker.

Pollers: the server keeps a worker that has stopped in the task queue's poller list for
minutes, so only pollers seen in the last `POLLER_FRESH` (90 s; an idle worker re-polls about
once a minute) count as a worker.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from infra.clock import SystemClock
from typing import Any

from app.reads.status_models import PendingActivity, PeriodDiagnosis, WorkflowTaskFailure
from app.reads.status_stored import oslo as _oslo
from temporalio.api.enums.v1 import EventType, PendingActivityState, TaskQueueType, WorkflowTaskFailedCause
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.service import RPCError, RPCStatusCode
from workflows.period import AllocationPeriodWorkflow

POLLER_FRESH = timedelta(seconds=90)
QUERY_TIMEOUT = timedelta(seconds=5)
RPC_TIMEOUT = timedelta(seconds=10)


def _enum_name(enum: Any, value: int, prefix: str) -> str:
    try:
        name = enum.Name(value)
    except ValueError:
        return str(value)
    return name.removeprefix(prefix)


def first_line(message: str, limit: int = 200) -> str:
    line = (message or "").strip().splitlines()[0] if (message or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


async def failure_text(client: Any, failure: Any) -> str:
    """A failure's message, decrypted: with encrypted payloads the server only holds
    "Encoded failure", and the real message travels in the failure's encoded attributes."""
    try:
        return str(await client.data_converter.decode_failure(failure))
    except Exception:  # noqa: BLE001 - an undecodable failure still gets reported
        return failure.message


def _utc(ts: Any) -> datetime:
    return ts.ToDatetime(tzinfo=timezone.utc)


async def live_pollers(client: Any, namespace: str, task_queue: str) -> int:
    """Workers polling the workflow task queue now (seen within POLLER_FRESH)."""
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=namespace,
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        ),
        timeout=RPC_TIMEOUT,
    )
    since = SystemClock().now() - POLLER_FRESH  # against the server's own timestamps: real time
    return sum(1 for p in response.pollers if not p.HasField("last_access_time") or _utc(p.last_access_time) >= since)


class PollerCache:
    """One describe_task_queue per task queue per command."""

    def __init__(self, client: Any, namespace: str) -> None:
        self.client, self.namespace = client, namespace
        self._known: dict[str, asyncio.Task[int]] = {}

    async def polling(self, task_queue: str) -> bool:
        if task_queue not in self._known:
            self._known[task_queue] = asyncio.ensure_future(live_pollers(self.client, self.namespace, task_queue))
        return await self._known[task_queue] > 0


async def _read_history(client: Any, handle: Any, d: PeriodDiagnosis) -> None:
    """Count workflow task failures; find the current failing streak and the task before it."""
    last_completed: int | None = None
    streak_good: int | None = None
    streak_first: datetime | None = None
    failing = False
    async for event in handle.fetch_history_events(rpc_timeout=RPC_TIMEOUT):
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            last_completed = event.event_id
            failing, streak_first, streak_good = False, None, None
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            attrs = event.workflow_task_failed_event_attributes
            d.workflow_task_failures += 1
            d.last_workflow_task_failure = WorkflowTaskFailure(
                cause=_enum_name(WorkflowTaskFailedCause, attrs.cause, "WORKFLOW_TASK_FAILED_CAUSE_"),
                message=await failure_text(client, attrs.failure) if attrs.HasField("failure") else "",
                event_id=event.event_id,
                time=_oslo(_utc(event.event_time)),
            )
            if not failing:
                failing, streak_first, streak_good = True, _oslo(_utc(event.event_time)), last_completed
    if failing:
        d.failing_since = streak_first
        d.last_good_workflow_task_event_id = streak_good


def currently_failing(d: PeriodDiagnosis) -> bool:
    return d.status == "RUNNING" and d.failing_since is not None


async def temporal_facts(client: Any, d: PeriodDiagnosis, pollers: PollerCache, *, detail: bool) -> tuple[Any, Any]:
    """Fill the Temporal fields of `d`; returns the (phase, coverage) views when the workflow answered."""
    try:
        desc = await client.get_workflow_handle(d.period).describe(rpc_timeout=RPC_TIMEOUT)
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            return None, None
        raise
    d.status = desc.status.name if desc.status is not None else None
    d.run_id = desc.run_id
    d.task_queue = desc.task_queue or d.task_queue
    d.started_at = _oslo(desc.start_time)
    d.closed_at = _oslo(desc.close_time)
    raw = desc.raw_description
    d.pending_activities = [
        PendingActivity(
            activity_type=a.activity_type.name,
            state=_enum_name(PendingActivityState, a.state, "PENDING_ACTIVITY_STATE_"),
            attempt=a.attempt,
            last_failure=first_line(await failure_text(client, a.last_failure)) if a.HasField("last_failure") else None,
            next_attempt_at=_oslo(_utc(a.next_attempt_schedule_time)) if a.HasField("next_attempt_schedule_time") else None,
        )
        for a in raw.pending_activities
    ]
    if raw.HasField("pending_workflow_task"):
        d.workflow_task_attempt = raw.pending_workflow_task.attempt
    run = client.get_workflow_handle(d.period, run_id=desc.run_id)
    if detail or (d.workflow_task_attempt or 0) > 1:
        await _read_history(client, run, d)
    if d.status != "RUNNING":
        return None, None
    d.worker_polling = await pollers.polling(d.task_queue)
    if currently_failing(d):
        d.query_error = "its workflow task is failing"
        return None, None
    if not d.worker_polling:
        d.query_error = "no worker is polling its task queue"
        return None, None
    try:
        # A stuck workflow cannot answer: the query fails or times out.
        return await asyncio.gather(
            run.query(AllocationPeriodWorkflow.phase, rpc_timeout=QUERY_TIMEOUT),
            run.query(AllocationPeriodWorkflow.coverage, rpc_timeout=QUERY_TIMEOUT),
        )
    except Exception as e:  # noqa: BLE001 - any failure means: show the projection instead
        d.query_error = first_line(str(e) or type(e).__name__)
        return None, None
