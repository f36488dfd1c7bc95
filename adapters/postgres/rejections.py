"""The log of refused actions: `rejected_actions` (migrations 003, 004).

A refused action never becomes an event (a refusal writes nothing to the period), so the front
door records it here for `vakt explain`. `seq` comes from one sequence, so refusals arriving at
the same moment never collide.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from pydantic import BaseModel


class Refusal(BaseModel):
    stream_id: str
    kind: str  # staff_entry | advance_wish | meeting_pick | offering_claim
    doctor: str
    shift: str
    rule: str
    message: str
    actor: str


_INSERT = (
    "INSERT INTO rejected_actions (stream_id, kind, doctor_id, shift_id, rule, message, actor)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"
)


def _row(r: Refusal) -> tuple:
    return (r.stream_id, r.kind, r.doctor, r.shift, r.rule, r.message, r.actor)


class RejectionLog:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def append(self, refusals: Sequence[Refusal]) -> None:
        """Record refusals in the order given (one statement per batch)."""
        if refusals:
            await self.pool.executemany(_INSERT, [_row(r) for r in refusals])

    async def replace(self, stream_id: str, refusals: Sequence[Refusal]) -> None:
        """A simulation's refusals, replacing any earlier run's, in one transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM rejected_actions WHERE stream_id = $1", stream_id)
            await conn.executemany(_INSERT, [_row(r) for r in refusals])

    async def for_doctor(self, stream_id: str, doctor_id: str) -> list[dict]:
        rows = await self.pool.fetch(
            "SELECT kind, shift_id AS shift, rule, message FROM rejected_actions"
            " WHERE stream_id = $1 AND doctor_id = $2 ORDER BY seq",
            stream_id, doctor_id,
        )
        return [dict(r) for r in rows]
