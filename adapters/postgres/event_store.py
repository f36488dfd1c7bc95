"""The PostgreSQL event store (append and read, the hash chain) and its projections hook.

Appends are idempotent by ``event_id`` (a retried activity stores nothing twice) and strict on
``(stream_id, version)`` (a second writer fails loudly). Event ``data`` may hold personal data:
log counts, ids and versions only, never payloads.
"""

from __future__ import annotations

import json
from datetime import datetime
import logging
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import asyncpg

from adapters.postgres.chain import ChainedRow, event_hash
from adapters.postgres.projections import ProjectionReader
from activities.store_models import (
    AppendEventsInput,
    AppendEventsResult,
    NewEvent,
    ReadEventsInput,
    StoredEvent,
    StreamInfo,
    StreamKind,
)

__all__ = [
    "AppendEventsInput",
    "AppendEventsResult",
    "EventStore",
    "EventStoreError",
    "InvalidBatch",
    "LiveStreamProtected",
    "NewEvent",
    "Projector",
    "ReadEventsInput",
    "StoredEvent",
    "StreamInfo",
    "StreamKindMismatch",
    "VersionConflict",
]

log = logging.getLogger(__name__)

_EVENT_COLUMNS = "position, event_id, stream_id, version, type, data, occurred_at, recorded_at, actor, prev_hash, hash"


class EventStoreError(Exception):
    """Base for store errors that retrying cannot fix."""


class VersionConflict(EventStoreError):
    def __init__(self, stream_id: str, version: int, detail: str = "") -> None:
        self.stream_id = stream_id
        self.version = version
        super().__init__(
            f"version conflict on stream {stream_id!r} at version {version}"
            + (f": {detail}" if detail else "")
            + " (another writer, or a workflow whose state diverged from the store)"
        )


class StreamKindMismatch(EventStoreError):
    def __init__(self, stream_id: str, stored: str, requested: str) -> None:
        self.stream_id, self.stored, self.requested = stream_id, stored, requested
        super().__init__(f"stream {stream_id!r} is {stored!r}, not {requested!r}")


class LiveStreamProtected(EventStoreError):
    def __init__(self, stream_id: str) -> None:
        self.stream_id = stream_id
        super().__init__(
            f"stream {stream_id!r} is a live period; a simulation never touches it, "
            "and live events are never deleted"
        )


class InvalidBatch(EventStoreError):
    """The batch itself is malformed (gaps, duplicates) before touching the database."""


@runtime_checkable
class Projector(Protocol):
    """A read model kept in step with the events, inside the append's transaction."""

    name: str  # key in projection_positions; must be unique per store

    async def apply(
        self, conn: asyncpg.Connection, stream_id: str, events: list[StoredEvent]
    ) -> None: ...

    async def reset(self, conn: asyncpg.Connection, stream_id: str) -> None: ...


def _stored(row: asyncpg.Record) -> StoredEvent:
    return StoredEvent.model_validate(dict(row))


def _check_batch(inp: AppendEventsInput) -> None:
    ids = [e.event_id for e in inp.events]
    if len(set(ids)) != len(ids):
        raise InvalidBatch(f"duplicate event_id within the batch for stream {inp.stream_id!r}")
    versions = [e.version for e in inp.events]
    if versions != list(range(versions[0], versions[0] + len(versions))):
        raise InvalidBatch(
            f"versions in a batch must be contiguous and ascending for stream "
            f"{inp.stream_id!r}, got {versions[0]}..{versions[-1]} ({len(versions)} events)"
        )


class EventStore:
    """One schema's event store: `kind` "live" (append-only) or "simulation" (replaceable);
    the pool's search_path selects the schema (adapters.postgres.schema.create_pool)."""

    def __init__(self, pool: asyncpg.Pool, projectors: Sequence[Projector] = (), kind: StreamKind = "live") -> None:
        names = [p.name for p in projectors]
        if len(set(names)) != len(names):
            raise ValueError(f"projector names must be unique: {names}")
        self.pool = pool
        self.projectors = list(projectors)
        self.kind: StreamKind = kind
        self.projections = ProjectionReader(pool)  # what the projectors wrote, on the same schema

    # -- writing -------------------------------------------------------------------------------

    async def append(self, inp: AppendEventsInput) -> AppendEventsResult:
        """Store a batch atomically; events already stored (same event_id) are skipped."""
        if not inp.events:
            return AppendEventsResult(inserted=0, last_version=await self._last_version(inp.stream_id))
        _check_batch(inp)
        if inp.stream_kind != self.kind:
            raise StreamKindMismatch(inp.stream_id, self.kind, inp.stream_kind)
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                inserted, last_version = await self._append_in_tx(conn, inp)
        except asyncpg.UniqueViolationError as e:
            # Backstop only: _append_in_tx checks versions under the stream lock first.
            if e.constraint_name == "events_stream_id_version_key":
                raise VersionConflict(inp.stream_id, inp.events[0].version, "version already used") from e
            raise
        log.info(
            "append stream=%s batch=%d inserted=%d last_version=%d",
            inp.stream_id, len(inp.events), inserted, last_version,
        )
        return AppendEventsResult(inserted=inserted, last_version=last_version)

    async def append_atomically(self, batches: Sequence[AppendEventsInput]) -> AppendEventsResult:
        """Several batches of one stream in ONE transaction (the lottery's draws): all or none."""
        if not batches:
            raise InvalidBatch("no batch to append")
        for inp in batches:
            _check_batch(inp)
            if inp.stream_kind != self.kind:
                raise StreamKindMismatch(inp.stream_id, self.kind, inp.stream_kind)
        inserted = 0
        async with self.pool.acquire() as conn, conn.transaction():
            for inp in batches:
                n, last_version = await self._append_in_tx(conn, inp)
                inserted += n
        log.info("append stream=%s batches=%d inserted=%d last_version=%d",
                 batches[0].stream_id, len(batches), inserted, last_version)
        return AppendEventsResult(inserted=inserted, last_version=last_version)

    async def _append_in_tx(self, conn: asyncpg.Connection, inp: AppendEventsInput) -> tuple[int, int]:
        sid = inp.stream_id
        # The no-op DO UPDATE takes the row lock, so appends to one stream are serialised and
        # the checks below cannot race another writer.
        row = await conn.fetchrow(
            """
            INSERT INTO streams (stream_id, kind) VALUES ($1, $2)
            ON CONFLICT (stream_id) DO UPDATE SET kind = streams.kind
            RETURNING kind, last_version, last_hash
            """,
            sid, inp.stream_kind,
        )
        if row["kind"] != inp.stream_kind:
            raise StreamKindMismatch(sid, row["kind"], inp.stream_kind)
        last_version: int = row["last_version"]

        # Events of this batch already stored must be exactly where the batch says (a retry);
        # anything else means an event id was reused.
        already = await conn.fetch(
            "SELECT event_id, stream_id, version FROM events WHERE event_id = ANY($1::uuid[])",
            [e.event_id for e in inp.events],
        )
        stored_at = {r["event_id"]: (r["stream_id"], r["version"]) for r in already}
        new: list[NewEvent] = []
        for e in inp.events:
            where = stored_at.get(e.event_id)
            if where is None:
                new.append(e)
            elif where != (sid, e.version):
                raise VersionConflict(
                    sid, e.version, f"event {e.event_id} is already stored as {where[0]!r} v{where[1]}"
                )
        if not new:
            return 0, last_version
        if new[0].version != last_version + 1:
            raise VersionConflict(
                sid, new[0].version, f"expected version {last_version + 1}, the stream is at {last_version}"
            )

        # The chain hashes what the database will hold: PostgreSQL's own text of each jsonb value.
        data_texts = await conn.fetchval(
            "SELECT array_agg(d::jsonb::text ORDER BY n) FROM unnest($1::text[]) WITH ORDINALITY AS t(d, n)",
            [json.dumps(e.data) for e in new],  # text, cast in SQL: no reliance on array codecs
        )
        prev_hashes, hashes = [], []
        prev = row["last_hash"] or ""
        for e, data_text in zip(new, data_texts, strict=True):
            prev_hashes.append(prev)
            prev = event_hash(prev, e.event_id, sid, e.version, e.type, e.actor, e.occurred_at, data_text)
            hashes.append(prev)
        rows = await conn.fetch(
            f"""
            INSERT INTO events (event_id, stream_id, version, type, data, occurred_at, actor, prev_hash, hash)
            SELECT e.event_id, $1, e.version, e.type, e.data::jsonb, e.occurred_at, e.actor, e.prev_hash, e.hash
            FROM unnest($2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[], $7::text[],
                        $8::text[], $9::text[])
                 AS e(event_id, version, type, data, occurred_at, actor, prev_hash, hash)
            ORDER BY e.version
            ON CONFLICT (event_id) DO NOTHING
            RETURNING {_EVENT_COLUMNS}
            """,
            sid,
            [e.event_id for e in new],
            [e.version for e in new],
            [e.type for e in new],
            data_texts,
            [e.occurred_at for e in new],
            [e.actor for e in new],
            prev_hashes,
            hashes,
        )
        if len(rows) != len(new):
            # Only possible if another stream stored one of these ids since our check.
            raise VersionConflict(sid, new[0].version, "an event id was stored concurrently elsewhere")
        inserted = sorted((_stored(r) for r in rows), key=lambda ev: ev.version)
        last_version = inserted[-1].version
        await conn.execute(
            "UPDATE streams SET last_version = $2, last_hash = $3 WHERE stream_id = $1", sid, last_version, hashes[-1]
        )
        await self._project(conn, sid, inserted)
        return len(inserted), last_version

    async def _project(self, conn: asyncpg.Connection, stream_id: str, events: list[StoredEvent]) -> None:
        if not events:
            return
        for projector in self.projectors:
            await projector.apply(conn, stream_id, events)
            await conn.execute(
                """
                INSERT INTO projection_positions (projection, stream_id, version) VALUES ($1, $2, $3)
                ON CONFLICT (projection, stream_id) DO UPDATE SET version = EXCLUDED.version
                """,
                projector.name, stream_id, events[-1].version,
            )

    async def _lock_stream(self, conn: asyncpg.Connection, stream_id: str) -> str | None:
        return await conn.fetchval("SELECT kind FROM streams WHERE stream_id = $1 FOR UPDATE", stream_id)

    async def _reset_projections(self, conn: asyncpg.Connection, stream_id: str) -> None:
        for projector in self.projectors:
            await projector.reset(conn, stream_id)
        await conn.execute("DELETE FROM projection_positions WHERE stream_id = $1", stream_id)

    async def reset_simulated_stream(self, stream_id: str) -> int:
        """Delete a simulation stream and its projections. Returns the number of events removed;
        0 when the stream does not exist. Refuses live streams."""
        async with self.pool.acquire() as conn, conn.transaction():
            kind = await self._lock_stream(conn, stream_id)
            if kind is None:
                return 0
            if kind != "simulation" or self.kind != "simulation":
                raise LiveStreamProtected(stream_id)
            await self._reset_projections(conn, stream_id)
            status = await conn.execute("DELETE FROM events WHERE stream_id = $1", stream_id)
            await conn.execute("DELETE FROM streams WHERE stream_id = $1", stream_id)
        deleted = int(status.split()[-1])
        log.info("reset simulation stream=%s deleted_events=%d", stream_id, deleted)
        return deleted

    async def rebuild_projections(self, stream_id: str) -> int:
        """Reset every projection of the stream and re-apply all its events, atomically.
        Returns the number of events re-applied."""
        async with self.pool.acquire() as conn, conn.transaction():
            if await self._lock_stream(conn, stream_id) is None:
                return 0
            await self._reset_projections(conn, stream_id)
            rows = await conn.fetch(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version", stream_id
            )
            events = [_stored(r) for r in rows]
            await self._project(conn, stream_id, events)
        log.info("rebuilt projections stream=%s events=%d", stream_id, len(events))
        return len(events)

    # -- reading -------------------------------------------------------------------------------

    async def read_stream(
        self,
        stream_id: str,
        after_version: int = 0,
        types: list[str] | None = None,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        """Events of one stream in version order, optionally only some types / a page."""
        rows = await self.pool.fetch(
            f"""
            SELECT {_EVENT_COLUMNS} FROM events
            WHERE stream_id = $1 AND version > $2 AND ($3::text[] IS NULL OR type = ANY($3))
            ORDER BY version
            LIMIT $4
            """,
            stream_id, after_version, types, limit,
        )
        return [_stored(r) for r in rows]

    async def read_chain(self, stream_id: str) -> list[ChainedRow]:
        """The stream's events as the hash-chain verifier reads them (adapters.postgres.chain)."""
        rows = await self.pool.fetch(
            "SELECT event_id, stream_id, version, type, actor, occurred_at, data::text AS data_text, prev_hash, hash"
            " FROM events WHERE stream_id = $1 ORDER BY version",
            stream_id,
        )
        return [ChainedRow.model_validate(dict(r)) for r in rows]

    async def stream_kind(self, stream_id: str) -> StreamKind | None:
        return await self.pool.fetchval("SELECT kind FROM streams WHERE stream_id = $1", stream_id)

    async def stored_version(self, stream_id: str) -> int:
        """The newest version stored in the stream (0 for none): one indexed row, for reads that
        wait for their own writes."""
        return await self.pool.fetchval(
            "SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1", stream_id
        )

    async def version_before(self, stream_id: str, moment: datetime) -> int:
        """The last version that occurred before `moment` (0 for none): where a page of the
        log starts when a reader asks for events from a date on."""
        return await self.pool.fetchval(
            "SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1 AND occurred_at < $2", stream_id, moment
        )

    async def list_streams(self) -> list[StreamInfo]:
        rows = await self.pool.fetch(
            "SELECT stream_id, kind, created_at, last_version FROM streams ORDER BY created_at, stream_id"
        )
        return [StreamInfo.model_validate(dict(r)) for r in rows]

    async def _last_version(self, stream_id: str) -> int:
        v = await self.pool.fetchval("SELECT last_version FROM streams WHERE stream_id = $1", stream_id)
        return v or 0
