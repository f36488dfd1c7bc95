"""Accounts and sign-in links in PostgreSQL (migrations 009 and 012, live schema only).

Operators and admins have an account row; doctors are known by the e-mail address on the
registry's roll. Sign-in links are stored as the SHA-256 of their token, never the token. Log
counts only, never an address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import asyncpg


@dataclass(frozen=True)
class AccountRow:
    email: str
    role: str  # operator | admin
    name: str
    account_id: str = ""  # stable: recorded as the actor (operator:<account_id>)
    districts: tuple[str, ...] = ()  # served; "*" is every district

    def __repr__(self) -> str:
        return f"AccountRow({self.account_id!r}, role={self.role!r})"


_ACCOUNT = "SELECT email, role, name, account_id, districts FROM accounts"


def _row(r) -> AccountRow:
    return AccountRow(r["email"], r["role"], r["name"], r["account_id"], tuple(r["districts"]))


@dataclass(frozen=True)
class RollEntry:
    """A doctor on a district's roll with this address."""

    district_id: str
    doctor_id: str
    name: str


class AccountStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # -- accounts -------------------------------------------------------------------------------

    async def put_account(
        self, email: str, role: str, name: str, *, created_by: str, districts: tuple[str, ...] | None = None
    ) -> tuple[bool, AccountRow] | None:
        """Add the account, or change its role, name and (when given) districts, and enable it:
        (True when new, the row). None: a new account without districts (nothing written)."""
        async with self.pool.acquire() as conn, conn.transaction():
            known = await conn.fetchval("SELECT 1 FROM accounts WHERE email = $1 FOR UPDATE", email)
            if not known and districts is None:
                return None
            row = await conn.fetchrow(
                """
                INSERT INTO accounts (email, role, name, created_by, districts) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (email) DO UPDATE SET role = EXCLUDED.role, name = EXCLUDED.name, disabled_at = NULL,
                    districts = COALESCE($5, accounts.districts)
                RETURNING email, role, name, account_id, districts, (xmax = 0) AS created
                """,
                email, role, name, created_by, list(districts) if districts is not None else None,
            )
            return row["created"], _row(row)

    async def disable_account(self, email: str, *, by: str) -> datetime | None:
        """Disable the account and end its sessions, in one transaction: the cutoff, or None when
        there was no enabled account."""
        async with self.pool.acquire() as conn, conn.transaction():
            status = await conn.execute(
                "UPDATE accounts SET disabled_at = now() WHERE email = $1 AND disabled_at IS NULL", email
            )
            if not status.endswith(" 1"):
                return None
            return await self._end_sessions(conn, email, by)

    # -- ending sessions (migration 010) --------------------------------------------------------

    async def end_sessions(self, email: str, *, by: str) -> datetime:
        """Every session of this address signed in until now is refused from now on."""
        async with self.pool.acquire() as conn:
            return await self._end_sessions(conn, email, by)

    @staticmethod
    async def _end_sessions(conn: asyncpg.Connection, email: str, by: str) -> datetime:
        return await conn.fetchval(
            """
            INSERT INTO session_cutoffs (email, not_before, set_by) VALUES (lower($1), clock_timestamp(), $2)
            ON CONFLICT (email) DO UPDATE SET not_before = EXCLUDED.not_before, set_by = EXCLUDED.set_by
            RETURNING not_before
            """,
            email, by,
        )

    async def session_cutoff(self, email: str) -> datetime | None:
        return await self.pool.fetchval("SELECT not_before FROM session_cutoffs WHERE email = lower($1)", email)

    async def account(self, email: str) -> AccountRow | None:
        row = await self.pool.fetchrow(f"{_ACCOUNT} WHERE email = $1 AND disabled_at IS NULL", email)
        return _row(row) if row else None

    async def is_disabled(self, email: str) -> bool:
        """Whether the address has an account that was disabled (`vakt account disable`)."""
        return bool(await self.pool.fetchval(
            "SELECT true FROM accounts WHERE email = lower($1) AND disabled_at IS NOT NULL", email
        ))

    async def accounts(self) -> list[AccountRow]:
        rows = await self.pool.fetch(f"{_ACCOUNT} WHERE disabled_at IS NULL ORDER BY email")
        return [_row(r) for r in rows]

    async def names_by_id(self, account_ids: list[str]) -> dict[str, str]:
        """The names to show for recorded account ids (disabled accounts included)."""
        if not account_ids:
            return {}
        rows = await self.pool.fetch("SELECT account_id, name FROM accounts WHERE account_id = ANY($1)", account_ids)
        return {r["account_id"]: r["name"] for r in rows}

    async def address_in_use(self, email: str, district_id: str, doctor_id: str) -> bool:
        """True when another doctor of the district's roll, or an account, has this address."""
        return bool(await self.pool.fetchval(
            """
            SELECT EXISTS (SELECT 1 FROM district_doctors
                           WHERE district_id = $2 AND doctor_id <> $3 AND lower(email) = lower($1))
                OR EXISTS (SELECT 1 FROM accounts WHERE email = lower($1) AND disabled_at IS NULL)
            """,
            email, district_id, doctor_id,
        ))

    async def doctors_by_email(self, email: str, today: date) -> list[RollEntry]:
        """Every roll this address is on today (a doctor may serve more than one district)."""
        rows = await self.pool.fetch(
            """
            SELECT district_id, doctor_id, name FROM district_doctors
            WHERE lower(email) = $1 AND (joined_on IS NULL OR joined_on <= $2::date + 180) AND (left_on IS NULL OR left_on >= $2)
            ORDER BY district_id, doctor_id
            """,
            email.lower(), today,
        )
        return [RollEntry(r["district_id"], r["doctor_id"], r["name"]) for r in rows]

    # -- sign-in links --------------------------------------------------------------------------

    async def attempts(self, address_hash: str, *, window: timedelta, now: datetime) -> int:
        """Record one request for a link for this address and return how many there were in
        the window, this one included. Rows older than a day are pruned."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM sign_in_attempts WHERE attempted_at < $1", now - timedelta(days=1))
            await conn.execute(
                "INSERT INTO sign_in_attempts (address_hash, attempted_at) VALUES ($1, $2)", address_hash, now
            )
            return await conn.fetchval(
                "SELECT count(*) FROM sign_in_attempts WHERE address_hash = $1 AND attempted_at > $2",
                address_hash, now - window,
            )

    async def create_link(self, token_hash: str, email: str, *, expires_at: datetime) -> None:
        await self.pool.execute(
            "INSERT INTO sign_in_links (token_hash, email, expires_at) VALUES ($1, $2, $3)",
            token_hash, email, expires_at,
        )

    async def use_link(self, token_hash: str, now: datetime) -> str | None:
        """The link's address, marking it used; None when unknown, used or expired."""
        await self.pool.execute("DELETE FROM sign_in_links WHERE expires_at < $1", now - timedelta(days=1))
        return await self.pool.fetchval(
            """
            UPDATE sign_in_links SET used_at = $2
            WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
            RETURNING email
            """,
            token_hash, now,
        )

    # -- e-mail changes waiting for confirmation (migration 012) --------------------------------

    async def create_email_change(
        self, token_hash: str, *, district_id: str, doctor_id: str, old_email: str, new_email: str,
        requested_by: str, expires_at: datetime,
    ) -> None:
        """A doctor's change of e-mail, waiting for its link; an earlier waiting one of theirs ends."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "DELETE FROM email_changes WHERE district_id = $1 AND doctor_id = $2 AND used_at IS NULL",
                district_id, doctor_id,
            )
            await conn.execute(
                """
                INSERT INTO email_changes (token_hash, district_id, doctor_id, old_email, new_email, requested_by, expires_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """,
                token_hash, district_id, doctor_id, old_email, new_email, requested_by, expires_at,
            )

    async def use_email_change(self, conn: asyncpg.Connection, token_hash: str, now: datetime) -> dict | None:
        """The waiting change this link confirms, marking it used; None when unknown, used or expired."""
        row = await conn.fetchrow(
            """
            UPDATE email_changes SET used_at = $2
            WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
            RETURNING district_id, doctor_id, old_email, new_email, requested_by
            """,
            token_hash, now,
        )
        return dict(row) if row else None
