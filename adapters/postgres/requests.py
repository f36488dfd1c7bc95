"""Doctors' requests to the clinic (migration 009): submitted by the doctor, decided once by an
operator. The details may be personal (an exemption's reason): never logged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
from pydantic import BaseModel


class StoredRequest(BaseModel):
    request_id: int
    district_id: str
    doctor_id: str
    kind: str
    details: dict[str, Any]
    submitted_by: str
    submitted_at: datetime
    status: str
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision: str | None = None

    def __repr__(self) -> str:
        return f"StoredRequest(#{self.request_id}, {self.kind}, {self.status})"

    __str__ = __repr__


class RequestStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def submit(self, district_id: str, doctor_id: str, kind: str, details: dict, *, actor: str) -> StoredRequest:
        row = await self.pool.fetchrow(
            """
            INSERT INTO doctor_requests (district_id, doctor_id, kind, details, submitted_by)
            VALUES ($1, $2, $3, $4, $5) RETURNING *
            """,
            district_id, doctor_id, kind, details, actor,
        )
        return StoredRequest.model_validate(dict(row))

    async def get(self, request_id: int) -> StoredRequest | None:
        row = await self.pool.fetchrow("SELECT * FROM doctor_requests WHERE request_id = $1", request_id)
        return StoredRequest.model_validate(dict(row)) if row else None

    async def pending(self, limit: int = 500) -> list[StoredRequest]:
        rows = await self.pool.fetch(
            "SELECT * FROM doctor_requests WHERE status = 'pending' ORDER BY submitted_at, request_id LIMIT $1", limit
        )
        return [StoredRequest.model_validate(dict(r)) for r in rows]

    async def of_doctor(self, district_id: str, doctor_id: str, limit: int = 100) -> list[StoredRequest]:
        rows = await self.pool.fetch(
            """
            SELECT * FROM doctor_requests WHERE district_id = $1 AND doctor_id = $2
            ORDER BY submitted_at DESC, request_id DESC LIMIT $3
            """,
            district_id, doctor_id, limit,
        )
        return [StoredRequest.model_validate(dict(r)) for r in rows]

    async def decide(
        self, conn: asyncpg.Connection, request_id: int, *, granted: bool, actor: str, note: str | None
    ) -> StoredRequest | None:
        """Mark a pending request decided (inside the caller's transaction); None when it is not
        pending any more (decided already: decided once)."""
        row = await conn.fetchrow(
            """
            UPDATE doctor_requests SET status = $2, decided_by = $3, decided_at = now(), decision = $4
            WHERE request_id = $1 AND status = 'pending' RETURNING *
            """,
            request_id, "granted" if granted else "refused", actor, note,
        )
        return StoredRequest.model_validate(dict(row)) if row else None

    async def withdraw(self, request_id: int, district_id: str, doctor_id: str, *, actor: str) -> StoredRequest | None:
        """Withdraw the doctor's own pending request; None when it is not theirs or not pending."""
        row = await self.pool.fetchrow(
            """
            UPDATE doctor_requests SET status = 'withdrawn', decided_by = $4, decided_at = now()
            WHERE request_id = $1 AND district_id = $2 AND doctor_id = $3 AND status = 'pending' RETURNING *
            """,
            request_id, district_id, doctor_id, actor,
        )
        return StoredRequest.model_validate(dict(row)) if row else None
