"""Sending one update to a period's workflow, with a definite answer.

The one place that decodes a refusal and the one place that knows which Temporal errors are
passing: more than 10 updates in flight on one workflow (`RESOURCE_EXHAUSTED`), a frontend
that is restarting (`UNAVAILABLE`), an RPC that timed out before the update completed, a run
that is rolling over into a new one (`RunRollingOver`). Those are retried with the same update
id — Temporal answers a repeated id with the first outcome instead of running it twice — with
jittered exponential backoff, for up to `patience`. What is left is a definite answer: the
result, `Refused` (the rule and its message), `WorkflowGone`, or `Unavailable`.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from app.errors import Refused, Unavailable
from workflows.period import RULE_VIOLATION, RUN_ROLLING_OVER

PATIENCE = timedelta(minutes=2)
RPC_TIMEOUT = timedelta(seconds=30)
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
    while True:
        try:
            return await handle.execute_update(update, arg, id=update_id, rpc_timeout=RPC_TIMEOUT)
        except WorkflowUpdateFailedError as e:
            refusal = refusal_of(e)
            if refusal is not None:
                raise refusal from None
            if not _rolling_over(e):
                raise Unavailable(f"the workflow of {period} failed the request ({type(e.cause).__name__})") from None
            last = "the run is rolling over"
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            last = "the request timed out before it completed"
        except RPCError as e:
            if e.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
                raise WorkflowGone(period) from None
            if e.status not in _PASSING:
                raise Unavailable(f"Temporal refused the request for {period} ({e.status.name})") from None
            last = e.status.name
        if loop.time() >= give_up:
            raise Unavailable(
                f"no answer from Temporal for {period} within {patience.total_seconds():.0f} s ({last}); "
                "the request may still be recorded, and sending it again is safe"
            )
        await asyncio.sleep(delay * random.uniform(0.5, 1.5))
        delay = min(delay * 2, _MAX_DELAY)
