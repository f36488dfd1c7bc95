"""Which person a provider's subject is (migration 013, live schema only): issuer + subject ->
the address bound at the first sign-in. Log nothing personal: no address, no subject."""

from __future__ import annotations

import asyncpg


class OidcBindingStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def bound_address(self, issuer: str, subject: str) -> str | None:
        """The address this subject signs in as, noting that it was seen; None when new."""
        return await self.pool.fetchval(
            "UPDATE oidc_bindings SET last_seen_at = now() WHERE issuer = $1 AND subject = $2 RETURNING email",
            issuer, subject,
        )

    async def subject_of(self, issuer: str, email: str) -> str | None:
        """The subject already bound to this address at this issuer, if any."""
        return await self.pool.fetchval(
            "SELECT subject FROM oidc_bindings WHERE issuer = $1 AND email = lower($2)", issuer, email
        )

    async def bind(self, issuer: str, subject: str, email: str) -> bool:
        """Bind the subject to the address. False when either is bound already (a concurrent
        first sign-in won): the caller refuses, the binding stays as it was."""
        return bool(await self.pool.fetchval(
            """
            INSERT INTO oidc_bindings (issuer, subject, email) VALUES ($1, $2, lower($3))
            ON CONFLICT DO NOTHING RETURNING true
            """,
            issuer, subject, email,
        ))

    async def move_address(self, old: str, new: str) -> int:
        """A confirmed change of a person's address moves their bindings with it."""
        status = await self.pool.execute(
            "UPDATE oidc_bindings SET email = lower($2) WHERE email = lower($1)", old, new
        )
        return int(status.split()[-1])

    async def forget_address(self, email: str) -> int:
        """Drop the address's bindings: its next sign-in through a provider binds afresh."""
        status = await self.pool.execute("DELETE FROM oidc_bindings WHERE email = lower($1)", email)
        return int(status.split()[-1])
