"""The answers given to requests sent with an `Idempotency-Key` (migration 014, live schema).

`claim` either takes the key for this process (a new request, or one whose runner died and
whose lease ran out) or returns what is known: the stored answer, a different request under
the same key, or a request still running elsewhere. Keys are per principal: two people may use
the same key. Rows older than a day are dropped when new ones are claimed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import asyncpg

KEEP_FOR = timedelta(days=1)


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    media_type: str | None
    location: str | None
    body: bytes


@dataclass(frozen=True)
class Claim:
    """What `claim` found: `mine` (run it), `answer` (replay it), `other_request` (the key was
    used for a different request), or none of them (running elsewhere, its lease still live)."""

    mine: bool = False
    answer: StoredAnswer | None = None
    other_request: bool = False
    lease_left: float = 0.0


class IdempotencyStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def claim(self, principal: str, key: str, fingerprint: str, owner: str, lease: timedelta) -> Claim:
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                """
                INSERT INTO idempotency_keys (principal, key, fingerprint, owner, lease_until)
                VALUES ($1, $2, $3, $4, now() + $5::interval)
                ON CONFLICT (principal, key) DO NOTHING RETURNING true AS mine
                """,
                principal, key, fingerprint, owner, lease,
            )
            if row is not None:
                if hash(key) % 64 == 0:  # now and then, not on every request
                    await conn.execute("DELETE FROM idempotency_keys WHERE created_at < now() - $1::interval", KEEP_FOR)
                return Claim(mine=True)
            found = await conn.fetchrow(
                """
                SELECT fingerprint, answered_at IS NOT NULL AS answered, status, media_type, location, body,
                       extract(epoch FROM lease_until - now())::float8 AS lease_left
                FROM idempotency_keys WHERE principal = $1 AND key = $2 FOR UPDATE
                """,
                principal, key,
            )
            if found is None:  # released between the insert and the select: try once more later
                return Claim(lease_left=0.2)
            if found["fingerprint"] != fingerprint:
                return Claim(other_request=True)
            if found["answered"]:
                return Claim(answer=StoredAnswer(found["status"], found["media_type"], found["location"],
                                                 bytes(found["body"] or b"")))
            if found["lease_left"] > 0:
                return Claim(lease_left=found["lease_left"])
            # Its runner died (a killed web process): this process takes the request over.
            await conn.execute(
                "UPDATE idempotency_keys SET owner = $3, lease_until = now() + $4::interval WHERE principal = $1 AND key = $2",
                principal, key, owner, lease,
            )
            return Claim(mine=True)

    async def answer(self, principal: str, key: str, owner: str, answer: StoredAnswer) -> None:
        await self.pool.execute(
            """
            UPDATE idempotency_keys SET answered_at = now(), status = $4, media_type = $5, location = $6, body = $7
            WHERE principal = $1 AND key = $2 AND owner = $3 AND answered_at IS NULL
            """,
            principal, key, owner, answer.status, answer.media_type, answer.location, answer.body,
        )

    async def release(self, principal: str, key: str, owner: str) -> None:
        """Nothing definite was answered (a 5xx): the next retry runs the request again."""
        await self.pool.execute(
            "DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2 AND owner = $3 AND answered_at IS NULL",
            principal, key, owner,
        )
