"""The log of refused actions: `rejected_actions` (see migration 003)."""

from __future__ import annotations

import asyncpg


class RejectionLog:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def replace(self, stream_id: str, rejected: list[dict]) -> None:
        """Store a simulation's refusals, replacing any earlier run's, in one transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM rejected_actions WHERE stream_id = $1", stream_id)
            await conn.executemany(
                "INSERT INTO rejected_actions (stream_id, seq, kind, doctor_id, shift_id, rule, message)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7)",
                [
                    (stream_id, i, r["kind"], r["action"]["doctor"], r["action"]["shift"], r["rule"], r["message"])
                    for i, r in enumerate(rejected, 1)
                ],
            )

    async def append(self, stream_id: str, kind: str, doctor: str, shift: str, rule: str, message: str) -> None:
        """Record one refusal of a live period after the ones already logged."""
        await self.pool.execute(
            "INSERT INTO rejected_actions (stream_id, seq, kind, doctor_id, shift_id, rule, message)"
            " SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6 FROM rejected_actions WHERE stream_id = $1",
            stream_id, kind, doctor, shift, rule, message,
        )

    async def for_doctor(self, stream_id: str, doctor_id: str) -> list[dict]:
        rows = await self.pool.fetch(
            "SELECT kind, shift_id AS shift, rule, message FROM rejected_actions"
            " WHERE stream_id = $1 AND doctor_id = $2 ORDER BY seq",
            stream_id, doctor_id,
        )
        return [dict(r) for r in rows]
