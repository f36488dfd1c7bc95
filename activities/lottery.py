"""Phase C as an activity: draw on the stored state, store the draws, return the outcome.

The lottery is the one heavy computation of a period (seconds for a city-sized district), so
it never runs in a workflow task (Temporal's deadlock limit is 2 s), and its draws — each with
its pool — never travel in a workflow payload. The workflow stores every earlier event first;
this activity folds them (the same `domain.period.state.fold` as everywhere), runs the pure
`domain.period.process.draw`, and appends its events in one transaction, in byte-sized statements.

Idempotent: event ids are derived from (stream, version), and a retry that finds the lottery
already stored returns the stored outcome instead of drawing again. The draw is a pure function
of the stored state and the seed (R-LOT-4), so `vakt verify` can recompute every draw.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any

from temporalio import activity

from adapters.postgres.event_store import EventStore, EventStoreError, VersionConflict
from activities.event_store import AfterCommit, activity_error, no_hook
from activities.store_models import AppendEventsInput, LotteryInput, NewEvent
from domain.period.calendar import PeriodCalendar
from domain.period.events import DomainEvent, LotteryDrawn, LotteryStarted, ShiftLeftUncovered, parse_event
from domain.model import Phase
from domain.period.process import LotteryOutcome, draw, lottery_outcome
from domain.period.state import fold
from activities.batching import APPEND_BATCH_BYTES, encoded_size

log = logging.getLogger(__name__)

# Names the lottery's event ids: uuid5(LOTTERY_IDS, "<stream>/<version>"), stable across retries.
LOTTERY_IDS = uuid.UUID("5c1d0f5e-8a7b-4c59-9a53-4f1f8f3a0c11")
_LOTTERY_TYPES = (LotteryStarted, LotteryDrawn, ShiftLeftUncovered)


def _batches(stream_id: str, stream_kind: str, events: list[NewEvent]) -> list[AppendEventsInput]:
    batches: list[AppendEventsInput] = []
    current: list[NewEvent] = []
    size = 0
    for event in events:
        weight = encoded_size(event)
        if current and size + weight > APPEND_BATCH_BYTES:
            batches.append(AppendEventsInput(stream_id=stream_id, stream_kind=stream_kind, events=current))
            current, size = [], 0
        current.append(event)
        size += weight
    if current:
        batches.append(AppendEventsInput(stream_id=stream_id, stream_kind=stream_kind, events=current))
    return batches


async def _heartbeat(every: float = 2.0) -> None:
    """Tell Temporal this worker is alive while the draw computes and the draws are stored, so a
    worker that dies mid-lottery is replaced within the heartbeat timeout, not the whole
    start-to-close timeout."""
    while True:
        activity.heartbeat()
        await asyncio.sleep(every)


class LotteryActivities:
    def __init__(self, store: EventStore, *, after_commit: AfterCommit = no_hook) -> None:
        self.store = store
        self.after_commit = after_commit  # only the fault tests' worker sets one

    def activities(self) -> list[Callable[..., Any]]:
        return [self.run_lottery]

    @activity.defn(name="run_lottery")
    async def run_lottery(self, inp: LotteryInput) -> LotteryOutcome:
        heartbeat = asyncio.create_task(_heartbeat())
        try:
            return await self._run(inp)
        except EventStoreError as e:
            raise activity_error(e) from e
        finally:
            heartbeat.cancel()

    async def _run(self, inp: LotteryInput) -> LotteryOutcome:
        stored = [parse_event(e.data) for e in await self.store.read_stream(inp.stream_id)]
        if len(stored) < inp.after_version:
            raise VersionConflict(
                inp.stream_id, inp.after_version, f"only {len(stored)} events are stored; the lottery needs all"
            )
        if len(stored) > inp.after_version:
            return self._already_drawn(inp, stored[inp.after_version :])
        state = fold(stored)
        if state.phase is not Phase.LOTTERY:
            raise VersionConflict(inp.stream_id, inp.after_version, f"the stored period is in phase {state.phase.value}")
        calendar = PeriodCalendar.from_config(state.require_config())
        # CPU-bound: off the event loop, so the worker's other activities and heartbeats go on.
        events: list[DomainEvent] = await asyncio.to_thread(draw, state, calendar, inp.seed)
        first = inp.after_version + 1
        new = [
            NewEvent(
                event_id=uuid.uuid5(LOTTERY_IDS, f"{inp.stream_id}/{version}"),
                version=version,
                type=event.type,
                data=event.model_dump(mode="json"),
                occurred_at=inp.occurred_at,
                actor=inp.actor,
            )
            for version, event in enumerate(events, first)
        ]
        result = await self.store.append_atomically(_batches(inp.stream_id, inp.stream_kind, new))
        self.after_commit("run_lottery")
        log.info("lottery stream=%s events=%d inserted=%d", inp.stream_id, len(new), result.inserted)
        return lottery_outcome(events, first)

    def _already_drawn(self, inp: LotteryInput, after: list[DomainEvent]) -> LotteryOutcome:
        """A retry (or a rebuilt run) after the lottery was stored: answer from the record."""
        lottery: list[DomainEvent] = []
        for event in after:
            if not isinstance(event, _LOTTERY_TYPES) or (lottery and isinstance(event, LotteryStarted)):
                break
            lottery.append(event)
        if not lottery or not isinstance(lottery[0], LotteryStarted):
            raise VersionConflict(
                inp.stream_id, inp.after_version + 1, f"a {after[0].type} is stored where the lottery belongs"
            )
        return lottery_outcome(lottery, inp.after_version + 1)
