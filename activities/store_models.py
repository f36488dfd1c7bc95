"""Contracts between workflows and the event-store activities.

Only pydantic here (no asyncpg, no I/O) so workflow code can import these inside the sandbox.
They travel through Temporal with ``pydantic_data_converter``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

StreamKind = Literal["live", "simulation"]


class StoreErrorType:
    """``ApplicationError.type`` values raised by the store activities (all non-retryable),
    so workflows can tell them apart without importing the store."""

    VERSION_CONFLICT = "VersionConflict"
    STREAM_KIND_MISMATCH = "StreamKindMismatch"
    INVALID_BATCH = "InvalidBatch"


class NewEvent(BaseModel):
    """An event as the workflow hands it over."""

    event_id: UUID  # workflow.uuid4(): stable across activity retries
    version: int = Field(ge=1)  # per stream, 1-based, contiguous
    type: str
    data: dict[str, Any]  # JSON-able; may hold personal data, so never logged
    occurred_at: AwareDatetime  # naive times are ambiguous around DST in Europe/Oslo
    actor: str = Field(min_length=1, max_length=200)  # who acted: "doctor:gp01", "system:deadline" …


class StoredEvent(NewEvent):
    stream_id: str
    position: int  # global arrival order across streams
    recorded_at: datetime
    prev_hash: str | None = None  # adapters/postgres/chain.py; None for events older than the chain
    hash: str | None = None


class AppendEventsInput(BaseModel):
    stream_id: str
    stream_kind: StreamKind
    events: list[NewEvent]


class AppendEventsResult(BaseModel):
    inserted: int  # 0 when the batch was already stored (a retry)
    last_version: int


class ReadEventsInput(BaseModel):
    stream_id: str
    after_version: int = 0
    types: list[str] | None = None
    limit: int | None = None  # keep activity results under Temporal's payload size limit


class StreamInfo(BaseModel):
    stream_id: str
    kind: StreamKind
    created_at: datetime
    last_version: int


class LotteryInput(BaseModel):
    """The lottery activity reads the period's stored events (all of them are stored first),
    draws, stores the draws and returns the compact outcome."""

    stream_id: str
    stream_kind: Literal["live", "simulation"]
    after_version: int  # the state the lottery sees: the stored events up to this version
    seed: int
    occurred_at: datetime
    actor: str
