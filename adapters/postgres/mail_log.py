"""The sent-log (migration 007): which (period, doctor, kind) messages the SMTP server accepted.

Ids, kinds, the Message-ID, a hash of the address and the time; never the address or the body.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import asyncpg
from pydantic import BaseModel


def recipient_hash(address: str) -> str:
    """sha256 of the address, trimmed and lower-cased: tells a changed address, stores none."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


class SentRecord(BaseModel):
    period_id: str
    doctor_id: str
    kind: str
    district_id: str
    message_id: str
    recipient_hash: str
    sent_at: datetime | None = None


class SentLog:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def find(self, period_id: str, doctor_id: str, kind: str) -> SentRecord | None:
        row = await self.pool.fetchrow(
            "SELECT period_id, doctor_id, kind, district_id, message_id, recipient_hash, sent_at"
            " FROM mail_sent WHERE period_id = $1 AND doctor_id = $2 AND kind = $3",
            period_id, doctor_id, kind,
        )
        return SentRecord.model_validate(dict(row)) if row else None

    async def record(self, entry: SentRecord) -> bool:
        """Store a delivered message; False when the key was already there (kept as it was)."""
        status = await self.pool.execute(
            "INSERT INTO mail_sent (period_id, doctor_id, kind, district_id, message_id, recipient_hash)"
            " VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (period_id, doctor_id, kind) DO NOTHING",
            entry.period_id, entry.doctor_id, entry.kind, entry.district_id, entry.message_id, entry.recipient_hash,
        )
        return status.endswith(" 1")

    async def of_period(self, period_id: str) -> list[SentRecord]:
        rows = await self.pool.fetch(
            "SELECT period_id, doctor_id, kind, district_id, message_id, recipient_hash, sent_at"
            " FROM mail_sent WHERE period_id = $1 ORDER BY kind, doctor_id",
            period_id,
        )
        return [SentRecord.model_validate(dict(r)) for r in rows]
