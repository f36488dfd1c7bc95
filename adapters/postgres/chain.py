"""The hash chain over each stream's events: tamper evidence for the event log.

Every stored event carries `prev_hash` (the hash of the event before it in its stream, "" for
the first) and `hash = sha256(prev_hash ‖ event_id ‖ stream ‖ version ‖ type ‖ actor ‖
occurred_at ‖ data)`, fields joined by the unit separator. `data` enters as PostgreSQL's own
text of the stored jsonb (`data::text`), which is deterministic for a value, so the hash is
computed and checked against exactly what the database holds.

A change made behind the application's back — a superuser editing a row with the append-only
trigger disabled — breaks the chain at that event (its hash no longer matches its content) and
`vakt verify` names it. Rewriting every later hash as well is not detected by the chain alone;
the workflow's history (encrypted, in Temporal) stays the independent record to compare with.

Pure: no I/O. The store computes hashes inside the append transaction; the verifier reads them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from pydantic import BaseModel

_SEP = "\x1f"


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    prev_hash: str,
    event_id: UUID,
    stream_id: str,
    version: int,
    type_: str,
    actor: str,
    occurred_at: datetime,
    data_text: str,
) -> str:
    content = _SEP.join(
        (prev_hash, str(event_id), stream_id, str(version), type_, actor, _instant(occurred_at), data_text)
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


class ChainedRow(BaseModel):
    """One stored event as the verifier reads it (`data::text` as `data_text`)."""

    event_id: UUID
    stream_id: str
    version: int
    type: str
    actor: str
    occurred_at: datetime
    data_text: str
    prev_hash: str | None
    hash: str | None


class ChainReport(BaseModel):
    stream_id: str
    events: int
    ok: bool
    unchained: int = 0  # events stored before the chain existed (no hash)
    broken_at: int | None = None  # version of the first event whose record fails the check
    event_id: str | None = None
    event_type: str | None = None
    problem: str | None = None

    def describe(self) -> str:
        if self.ok:
            extra = f" ({self.unchained} older events predate the chain)" if self.unchained else ""
            return f"hash chain intact over {self.events} events{extra}"
        return (
            f"event v{self.broken_at} ({self.event_type}, id {self.event_id}) of {self.stream_id}: {self.problem}"
        )


def verify_chain(stream_id: str, rows: Sequence[ChainedRow]) -> ChainReport:
    """Check versions are contiguous from 1 and every hash matches its content and predecessor."""
    prev = ""
    unchained = 0
    for expected_version, row in enumerate(rows, 1):
        def broken(problem: str, row: ChainedRow = row) -> ChainReport:
            return ChainReport(
                stream_id=stream_id, events=len(rows), ok=False, unchained=unchained, broken_at=row.version,
                event_id=str(row.event_id), event_type=row.type, problem=problem,
            )

        if row.version != expected_version:
            return broken(f"version {row.version} where {expected_version} was expected (an event is missing)")
        if row.hash is None:
            if prev:
                return broken("has no hash although earlier events are chained (hash removed)")
            unchained += 1
            continue
        if (row.prev_hash or "") != prev:
            return broken("its previous-hash does not match the event before it (an event was replaced or removed)")
        recomputed = event_hash(
            prev, row.event_id, row.stream_id, row.version, row.type, row.actor, row.occurred_at, row.data_text
        )
        if recomputed != row.hash:
            return broken("its content no longer matches its hash (changed after it was stored)")
        prev = row.hash
    return ChainReport(stream_id=stream_id, events=len(rows), ok=True, unchained=unchained)
