"""Doctors' personal calendar feeds (migration 009): which doctor a feed token belongs to.

The token itself is derived from the session secret, the doctor and a generation (app.identity.feeds);
only its SHA-256 is stored. A new link or a revocation moves the generation on, so an old URL
stops working at once.
"""

from __future__ import annotations

from collections.abc import Callable

import asyncpg


class FeedStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def generation(self, district_id: str, doctor_id: str) -> int | None:
        """The live feed's generation, or None when the doctor has none (or revoked it)."""
        return await self.pool.fetchval(
            "SELECT generation FROM calendar_feeds WHERE district_id = $1 AND doctor_id = $2 AND revoked_at IS NULL",
            district_id, doctor_id,
        )

    async def renew(self, district_id: str, doctor_id: str, token_hash: Callable[[int], str]) -> int:
        """A new generation (the old URL stops working); returns it."""
        async with self.pool.acquire() as conn, conn.transaction():
            old = await conn.fetchval(
                "SELECT generation FROM calendar_feeds WHERE district_id = $1 AND doctor_id = $2 FOR UPDATE",
                district_id, doctor_id,
            )
            generation = (old or 0) + 1
            await conn.execute(
                """
                INSERT INTO calendar_feeds (district_id, doctor_id, generation, token_hash) VALUES ($1, $2, $3, $4)
                ON CONFLICT (district_id, doctor_id) DO UPDATE SET generation = EXCLUDED.generation,
                    token_hash = EXCLUDED.token_hash, created_at = now(), revoked_at = NULL
                """,
                district_id, doctor_id, generation, token_hash(generation),
            )
        return generation

    async def revoke(self, district_id: str, doctor_id: str) -> bool:
        status = await self.pool.execute(
            "UPDATE calendar_feeds SET revoked_at = now() WHERE district_id = $1 AND doctor_id = $2 AND revoked_at IS NULL",
            district_id, doctor_id,
        )
        return status.endswith(" 1")

    async def owner(self, token_hash: str) -> tuple[str, str] | None:
        row = await self.pool.fetchrow(
            "SELECT district_id, doctor_id FROM calendar_feeds WHERE token_hash = $1 AND revoked_at IS NULL", token_hash
        )
        return (row["district_id"], row["doctor_id"]) if row else None
