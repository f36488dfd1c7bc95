"""Append batches sized by bytes, so no activity payload nears Temporal's 2 MB limit.

Counting events is not enough: a `PeriodOpened` event carries every doctor's profile, and a
single event can outweigh hundreds of picks. Pure and deterministic (used in workflow code).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from activities.store_models import NewEvent
from domain.period.events import RecordedEvent

APPEND_BATCH_BYTES = 256 * 1024  # well under 2 MB even with the codec's overhead
APPEND_BATCH_EVENTS = 2000


def new_event(recorded: RecordedEvent) -> NewEvent:
    return NewEvent(
        event_id=recorded.event_id,
        version=recorded.version,
        type=recorded.event.type,
        data=recorded.event.model_dump(mode="json"),
        occurred_at=recorded.occurred_at,
        actor=recorded.actor,
    )


def encoded_size(event: NewEvent) -> int:
    return len(json.dumps(event.data, separators=(",", ":"))) + 200  # + envelope


def first_batch(
    pending: Sequence[RecordedEvent], *, max_bytes: int = APPEND_BATCH_BYTES, max_events: int = APPEND_BATCH_EVENTS
) -> list[NewEvent]:
    """The longest prefix of `pending` within the byte and count budget (at least one event:
    the limits on doctors and shifts keep any single event far below 2 MB)."""
    batch: list[NewEvent] = []
    size = 0
    for recorded in pending[:max_events]:
        event = new_event(recorded)
        weight = encoded_size(event)
        if batch and size + weight > max_bytes:
            break
        batch.append(event)
        size += weight
    return batch
