"""The secrets offline rounds commit to (R-LOT-5), kept in PostgreSQL until the draw.

A round that cannot reach a public beacon commits, when its offering opens, to the SHA-256 of a
secret generated then. The secret lives in this table only — never in the workflow's history or
the event log — so nobody reading either can know the seed before the draw reveals it.
"""

from __future__ import annotations

import secrets

import asyncpg


class SeedSecrets:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def secret_for(self, stream_id: str) -> bytes:
        """The round's secret: generated on the first call, the same one on every later call."""
        async with self.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO seed_secrets (stream_id, secret) VALUES ($1, $2) ON CONFLICT (stream_id) DO NOTHING",
                stream_id, secrets.token_bytes(32),
            )
            return await conn.fetchval("SELECT secret FROM seed_secrets WHERE stream_id = $1", stream_id)

    async def reveal(self, stream_id: str) -> bytes | None:
        """The secret for the draw (None if the round never committed to one); marks it revealed."""
        return await self.pool.fetchval(
            "UPDATE seed_secrets SET revealed_at = coalesce(revealed_at, now()) WHERE stream_id = $1 RETURNING secret",
            stream_id,
        )
