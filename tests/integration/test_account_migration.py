"""Migration 012 on a database that already has accounts: each gets a stable id, and serves every
district (as before scopes) until an admin narrows it; new accounts must name their districts."""

from __future__ import annotations

import asyncpg
import pytest

from adapters.postgres import schema


async def test_existing_accounts_get_an_id_and_keep_serving_every_district(pg_database_url):
    conn = await asyncpg.connect(pg_database_url)
    try:
        before = [m for m in schema.load_migrations() if m.version < 12]
        await conn.execute("SET search_path TO public")
        await schema._migrate_schema(conn, "public", before)
        await conn.execute(
            "INSERT INTO accounts (email, role, name, created_by) VALUES "
            "('kari@klinikk.no', 'operator', 'Kari', 'admin:test'), ('ada@klinikk.no', 'admin', 'Ada', 'admin:test')")
        assert await schema._migrate_schema(conn, "public", [m for m in schema.load_migrations() if m.version <= 12]) == [12]
        rows = await conn.fetch("SELECT email, account_id, districts FROM accounts ORDER BY account_id")
        assert sorted(r["account_id"] for r in rows) == ["acct-1", "acct-2"]
        assert all(r["districts"] == ["*"] for r in rows)
        new = await conn.fetchval(
            "INSERT INTO accounts (email, role, name, created_by, districts) VALUES "
            "('ola@klinikk.no', 'operator', 'Ola', 'admin:test', '{demo}') RETURNING account_id")
        assert new == "acct-3"
        with pytest.raises(asyncpg.NotNullViolationError):  # no silent default scope
            await conn.execute("INSERT INTO accounts (email, role, name, created_by) VALUES ('x@k.no', 'admin', 'X', 't')")
    finally:
        await conn.close()
