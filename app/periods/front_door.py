"""The front door for doctors' actions: every action gets a definite answer, none is dropped.

Temporal refuses more than 10 updates in flight on one workflow (`RESOURCE_EXHAUSTED`), so a
burst — 70 doctors claiming the moment the offering opens — must not become 70 updates. Each
period has a lane: actions queue in arrival order, and one update at a time carries everything
queued so far (up to `MAX_ACTIONS_PER_UPDATE`). The workflow decides them in that order, so the
first valid claim wins (R-PROC-3) and no shift ever has two holders. While an update is in
flight the next batch gathers, so the busier the period, the larger the batches: throughput
grows with the burst instead of collapsing under it.

Passing errors are retried by `app.periods.updates.send_update` with the same update id, and every
action carries a request id the workflow remembers, so a batch sent twice is decided once.
A whole batch refused by the workflow's validator (the round is over, the lottery is being
drawn) gives each action that refusal. What reaches the caller is an `ActionOutcome` per
action, or `WorkflowGone` / `Unavailable` for all of them — never a raw Temporal error.

Each caller waits at most `ANSWER_WITHIN` (a web request must be answered within 30 s, even
behind a batch that hangs because no worker polls): then it hears `Unavailable`, and its
actions are taken out of the queue if they were not sent yet, so only an action already sent
can still be applied — and a retry with the same request id reports that.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from temporalio.client import Client

from app.errors import Refused, Unavailable
from app.periods.updates import send_update
from infra import metrics
from workflows.messages import MAX_ACTIONS_PER_UPDATE, ActionOutcome, ActionRequest, SubmitActionsInput
from workflows.period import AllocationPeriodWorkflow

log = logging.getLogger(__name__)
ANSWER_WITHIN = 25.0  # seconds


class _Lane:
    """One period's queue and its single sender (one update in flight per period and process)."""

    def __init__(self, client: Client, period: str, batch_size: int) -> None:
        self.client, self.period, self.batch_size = client, period, batch_size
        self.queue: deque[tuple[ActionRequest, asyncio.Future[ActionOutcome]]] = deque()
        self.wakeup = asyncio.Event()
        self.task = asyncio.create_task(self._send_forever(), name=f"front-door:{period}")

    def enqueue(self, requests: Sequence[ActionRequest]) -> list[asyncio.Future[ActionOutcome]]:
        loop = asyncio.get_running_loop()
        futures = []
        for request in requests:
            future: asyncio.Future[ActionOutcome] = loop.create_future()
            self.queue.append((request, future))
            futures.append(future)
        metrics.QUEUE_DEPTH.inc(len(requests))
        self.wakeup.set()
        return futures

    def withdraw(self, futures: set[asyncio.Future[ActionOutcome]]) -> int:
        """Take the callers' actions that are still queued out of the queue; how many were."""
        kept = [(r, f) for r, f in self.queue if f not in futures]
        withdrawn = len(self.queue) - len(kept)
        self.queue = deque(kept)
        metrics.QUEUE_DEPTH.dec(withdrawn)
        for future in futures:
            future.cancel()
        return withdrawn

    async def _send_forever(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.queue:
                batch = [self.queue.popleft() for _ in range(min(self.batch_size, len(self.queue)))]
                metrics.QUEUE_DEPTH.dec(len(batch))
                metrics.BATCH_SIZE.observe(len(batch))
                await self._send(batch)

    async def _send(self, batch: list[tuple[ActionRequest, asyncio.Future[ActionOutcome]]]) -> None:
        requests = [request for request, _ in batch]
        try:
            result = await send_update(
                self.client, self.period, AllocationPeriodWorkflow.submit_actions, SubmitActionsInput(actions=requests)
            )
            outcomes = result.outcomes
        except Refused as refusal:  # the whole batch: the round is over, the lottery is drawn …
            outcomes = [
                ActionOutcome(
                    request_id=r.request_id, accepted=False, shift=r.shift, doctor=r.doctor,
                    rule=refusal.rule, message=refusal.reason,
                    code="phase_closed" if refusal.rule == "R-PROC-7" else "other",
                )
                for r in requests
            ]
        except BaseException as e:  # WorkflowGone, Unavailable, cancellation: every caller hears it
            for _, future in batch:
                if not future.done():
                    future.set_exception(e)
            if isinstance(e, asyncio.CancelledError):
                raise
            return
        by_id = {o.request_id: o for o in outcomes}
        for request, future in batch:
            if not future.done():
                future.set_result(by_id[request.request_id])


class _Coalesced:
    """One write at a time; what arrives while it runs goes together in the next one. Each caller
    waits until its own items are written (or hears the write's error)."""

    def __init__(self, write: Callable[[list[Any]], Awaitable[None]]) -> None:
        self.write = write
        self.pending: list[Any] = []
        self.waiters: list[asyncio.Future[None]] = []
        self.writer: asyncio.Task | None = None

    async def add(self, items: Sequence[Any]) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending.extend(items)
        self.waiters.append(done)
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._drain())
        await asyncio.shield(done)  # a caller that gives up does not stop the others' write

    async def _drain(self) -> None:
        while self.pending:
            items, waiters = self.pending, self.waiters
            self.pending, self.waiters = [], []
            try:
                await self.write(items)
            except BaseException as e:  # noqa: BLE001 - every waiter of this write hears it
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_exception(e)
                        waiter.exception()  # retrieved here too: a waiter that gave up is not warned about
                if isinstance(e, asyncio.CancelledError):
                    raise
            else:
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_result(None)


class FrontDoor:
    def __init__(
        self, client: Client, *, batch_size: int = MAX_ACTIONS_PER_UPDATE, answer_within: float = ANSWER_WITHIN
    ) -> None:
        self.client = client
        self.answer_within = answer_within
        self.batch_size = batch_size
        self._lanes: dict[str, _Lane] = {}
        self._records: dict[int, _Coalesced] = {}

    async def record(self, write: Callable[[list[Any]], Awaitable[None]], key: object, items: Sequence[Any]) -> None:
        """Write `items` with `write` (one per `key`, e.g. the refusal log), together with what
        other callers record at the same moment: under a burst the refusals of many requests are
        one statement, not one each. Returns once this caller's items are written."""
        if not items:
            return
        coalesced = self._records.get(id(key))
        if coalesced is None:
            coalesced = self._records[id(key)] = _Coalesced(write)
        await coalesced.add(items)

    async def submit(self, period: str, requests: Sequence[ActionRequest]) -> list[ActionOutcome]:
        """Queue the actions (in this order, behind any already queued for the period) and wait
        for each one's answer."""
        if not requests:
            return []
        lane = self._lanes.get(period)
        if lane is None or lane.task.done():
            lane = self._lanes[period] = _Lane(self.client, period, self.batch_size)
        started = asyncio.get_running_loop().time()
        futures = lane.enqueue(requests)
        done, pending = await asyncio.wait(futures, timeout=self.answer_within)
        waited = asyncio.get_running_loop().time() - started
        for _ in requests:
            metrics.BATCH_WAIT.observe(waited)
        if pending:
            unsent = lane.withdraw(pending)
            raise Unavailable(
                f"no answer for {period} within {self.answer_within:.0f} s"
                + ("; the action was not sent and sending it again is safe" if unsent == len(pending) else
                   "; the action may still be applied, and sending it again with the same key reports its outcome")
            )
        answers = [f.exception() or f.result() for f in futures]
        for answer in answers:
            if isinstance(answer, BaseException):
                raise answer
        return list(answers)

    async def aclose(self) -> None:
        for lane in self._lanes.values():
            lane.task.cancel()
        writers = [c.writer for c in self._records.values() if c.writer is not None]
        await asyncio.gather(*(lane.task for lane in self._lanes.values()), *writers, return_exceptions=True)
        self._lanes.clear()
