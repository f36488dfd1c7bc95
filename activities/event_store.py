"""The event store's activities: append a batch of events, read a stream.

The store itself is `adapters.postgres.event_store.EventStore`; these activities wrap it for the
workflow and turn its deterministic errors into non-retryable activity failures.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.store_models import AppendEventsInput, AppendEventsResult, ReadEventsInput, StoredEvent, StoreErrorType
from adapters.postgres.event_store import EventStore, EventStoreError, StreamKindMismatch, VersionConflict
from infra import metrics

AfterCommit = Callable[[str], None]
"""Called with the activity's name right after its append committed, before it reports. Only
the fault tests' worker installs one (tests/faults/crash_worker.py); a real worker has none."""


def no_hook(activity_name: str) -> None:
    return None


def activity_error(e: EventStoreError) -> ApplicationError:
    """Store errors are deterministic: retrying would fail the same way, so the activity fails
    at once. Connection errors are not EventStoreErrors; they propagate and stay retryable."""
    if isinstance(e, VersionConflict):
        return ApplicationError(
            str(e), {"stream_id": e.stream_id, "version": e.version},
            type=StoreErrorType.VERSION_CONFLICT, non_retryable=True,
        )
    if isinstance(e, StreamKindMismatch):
        return ApplicationError(str(e), type=StoreErrorType.STREAM_KIND_MISMATCH, non_retryable=True)
    return ApplicationError(str(e), type=StoreErrorType.INVALID_BATCH, non_retryable=True)


class EventStoreActivities:
    """Temporal activities over one EventStore (pool injected at worker start).

    Register with ``Worker(..., activities=EventStoreActivities(store).activities())``.
    """

    def __init__(self, store: EventStore, *, after_commit: AfterCommit = no_hook) -> None:
        self.store = store
        self.after_commit = after_commit

    def activities(self) -> list[Callable[..., Any]]:
        return [self.append_events, self.read_events]

    @activity.defn(name="append_events")
    async def append_events(self, inp: AppendEventsInput) -> AppendEventsResult:
        try:
            started = time.perf_counter()
            result = await self.store.append(inp)
            metrics.APPEND_SECONDS.observe(time.perf_counter() - started)
            metrics.APPENDED_EVENTS.inc(result.inserted)
            if inp.events and inp.stream_kind == "live":  # a simulation's clock is not the wall clock
                newest = max(e.occurred_at for e in inp.events)
                metrics.PROJECTION_LAG.set(max((datetime.now(timezone.utc) - newest).total_seconds(), 0.0))
            self.after_commit("append_events")
            return result
        except EventStoreError as e:
            raise activity_error(e) from e

    @activity.defn(name="read_events")
    async def read_events(self, inp: ReadEventsInput) -> list[StoredEvent]:
        return await self.store.read_stream(
            inp.stream_id, after_version=inp.after_version, types=inp.types, limit=inp.limit
        )
