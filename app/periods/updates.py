"""Sending one update to a period's workflow, with a definite answer.

The one place that decodes a refusal and the one place that knows which Temporal errors are
passing: more than 10 updates in flight on one workflow (`RESOURCE_EXHAUSTED`), a frontend
that is restarting (`UNAVAILABLE`), an RPC that timed out before the update completed, a run
that is rolling over into a new one (`RunRollingOver`). Those are retried with the same update
id — Temporal answers a repeated id with the first outcome instead of running it twice — with
jittered exponential backoff, for up to `patience`. What is left is a definite answer: the
result, `Refused` (the rule and its message), `WorkflowGone`, or `Unavailable`.

`patience` is a deadline, not a count of failures: the SDK keeps waiting, without an error, while
an update is admitted but no worker accepts it (every worker stopped), so the wait itself is
bounded (asyncio.wait_for) and the answer then says whether any worker polls the task queue. A
web request must be answered within 30 s, well before a proxy's 60 s.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
    WorkflowUpdateStage,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from app.errors import Refused, Unavailable
from workflows.period import RULE_VIOLATION, RUN_ROLLING_OVER

PATIENCE = timedelta(seconds=20)
RPC_TIMEOUT = timedelta(seconds=10)
PROBE_TIMEOUT = 2.0  # finding out why there was no answer must not make the answer late
RECENT_POLL = timedelta(minutes=2)  # an idle worker's long poll lasts about a minute
_PASSING = {
    RPCStatusCode.RESOURCE_EXHAUSTED,
    RPCStatusCode.UNAVAILABLE,
    RPCStatusCode.DEADLINE_EXCEEDED,
    RPCStatusCode.ABORTED,
    RPCStatusCode.CANCELLED,
}
_FIRST_DELAY, _MAX_DELAY = 0.02, 1.0


class WorkflowGone(Exception):
    """No running workflow for the period: never started, or its round has ended."""

    def __init__(self, period: str) -> None:
        super().__init__(period)
        self.period = period


def refusal_of(error: BaseException) -> Refused | None:
    """The rulebook refusal carried by a failed update, or None if it is something else."""
    cause = error.cause if isinstance(error, WorkflowUpdateFailedError) else error
    if isinstance(cause, ApplicationError) and cause.type == RULE_VIOLATION:
        detail = cause.details[0] if cause.details else {}
        if isinstance(detail, dict) and "rule" in detail:
            return Refused(str(detail["rule"]), str(detail.get("message", "")), str(detail.get("code") or "other"))
        rule, _, message = cause.message.partition(": ")
        return Refused(rule, message)
    return None


def _rolling_over(error: WorkflowUpdateFailedError) -> bool:
    return isinstance(error.cause, ApplicationError) and error.cause.type == RUN_ROLLING_OVER


async def send_update(
    client: Client,
    period: str,
    update: Any,
    arg: Any,
    *,
    update_id: str | None = None,
    patience: timedelta = PATIENCE,
) -> Any:
    """Execute `update` on the period's running workflow until there is a definite answer."""
    handle = client.get_workflow_handle(period)
    update_id = update_id or f"vakt-{uuid.uuid4().hex}"
    loop = asyncio.get_running_loop()
    give_up = loop.time() + patience.total_seconds()
    delay = _FIRST_DELAY
    stage: list[WorkflowUpdateStage] = []  # the furthest stage this update is known to have reached
    while True:
        left = give_up - loop.time()
        try:
            return await asyncio.wait_for(_execute(handle, update, arg, update_id, left, stage), max(left, 0.05))
        except TimeoutError:
            raise Unavailable(await _no_answer(client, handle, period, patience, stage)) from None
        except WorkflowUpdateFailedError as e:
            refusal = refusal_of(e)
            if refusal is not None:
                raise refusal from None
            if not _rolling_over(e):
                raise Unavailable(f"the workflow of {period} failed the request ({type(e.cause).__name__})") from None
            last = "the run is rolling over"
            stage.clear()  # the next run has not accepted it yet
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            last = "the request timed out before it completed"
        except RPCError as e:
            if e.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
                raise WorkflowGone(period) from None
            if e.status not in _PASSING:
                raise Unavailable(f"Temporal refused the request for {period} ({e.status.name})") from None
            last = e.status.name
        if loop.time() >= give_up:
            raise Unavailable(await _no_answer(client, handle, period, patience, stage, last))
        await asyncio.sleep(min(delay * random.uniform(0.5, 1.5), max(give_up - loop.time(), 0)))
        delay = min(delay * 2, _MAX_DELAY)


async def _execute(
    handle: WorkflowHandle, update: Any, arg: Any, update_id: str, left: float, stage: list[WorkflowUpdateStage]
) -> Any:
    """Start the update, wait until a worker accepts it, then for its result: two steps, so a
    timeout can tell "no worker took it" from "taken, still running"."""
    rpc_timeout = timedelta(seconds=max(min(left, RPC_TIMEOUT.total_seconds()), 0.05))
    started = await handle.start_update(
        update, arg, id=update_id, wait_for_stage=WorkflowUpdateStage.ACCEPTED, rpc_timeout=rpc_timeout
    )
    stage[:] = [WorkflowUpdateStage.ACCEPTED]
    return await started.result(rpc_timeout=rpc_timeout)


async def _no_answer(
    client: Client, handle: WorkflowHandle, period: str, patience: timedelta, stage: list[WorkflowUpdateStage],
    last: str | None = None,
) -> str:
    within = f"within {patience.total_seconds():.0f} s" + (f" ({last})" if last else "")
    if stage:
        return (f"the workflow of {period} accepted the request but gave no answer {within}; it will be applied, "
                "and sending it again with the same key reports its outcome")
    workers = await polling_workers(client, handle)
    if workers == 0:
        return (f"no worker is polling the task queue of {period}: the request was not taken up {within}; "
                "it may still be applied when a worker returns, and sending it again with the same key is safe")
    return (f"no answer from Temporal for {period} {within}; the request may still be recorded, "
            "and sending it again with the same key is safe")


async def polling_workers(client: Client, handle: WorkflowHandle) -> int | None:
    """How many workers polled the period's task queue lately (None: could not tell)."""
    try:
        description = await asyncio.wait_for(handle.describe(), PROBE_TIMEOUT)
        answer = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=client.namespace, task_queue=TaskQueue(name=description.task_queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            ),
            timeout=timedelta(seconds=PROBE_TIMEOUT),
        )
    except Exception:  # noqa: BLE001 - only an explanation: the answer is Unavailable either way
        return None
    now = datetime.now(timezone.utc)
    return sum(1 for p in answer.pollers if now - p.last_access_time.ToDatetime(timezone.utc) < RECENT_POLL)
