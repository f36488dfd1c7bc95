"""PostgreSQL connection pool and schema migrations."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from importlib import resources

import asyncpg

log = logging.getLogger(__name__)

# Arbitrary constant shared by every process migrating this database ("vakt" in ASCII).
MIGRATION_LOCK_KEY = 0x76616B74

_MIGRATION_FILE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


async def _init_connection(conn: asyncpg.Connection) -> None:
    # jsonb columns take and return plain dicts/lists instead of JSON strings.
    for typename in ("jsonb", "json"):
        await conn.set_type_codec(
            typename, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 5) -> asyncpg.Pool:
    """A small pool: the worker's activities are short and a single node serves one clinic."""
    pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, init=_init_connection)
    assert pool is not None  # create_pool only returns None when used without await
    return pool


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """The SQL files shipped as package data, in version order."""
    found: list[Migration] = []
    for entry in resources.files("activities.migrations").iterdir():
        m = _MIGRATION_FILE.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text("utf-8")))
        elif entry.name.endswith(".sql"):
            raise RuntimeError(f"migration file {entry.name!r} is not named NNN_name.sql")
    found.sort(key=lambda mig: mig.version)
    versions = [mig.version for mig in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions: {versions}")
    return found


async def migrate(pool: asyncpg.Pool) -> list[int]:
    """Apply pending migrations in order, each in its own transaction. Returns versions applied.

    A session-level advisory lock serialises concurrent starters (two workers booting at once):
    the second waits, then finds nothing left to do. It also covers the bootstrap
    CREATE TABLE IF NOT EXISTS, which is itself not safe against a concurrent twin.
    """
    applied_now: list[int] = []
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        try:
            await conn.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    int PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """
            )
            done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
            known = load_migrations()
            unknown = done - {mig.version for mig in known}
            if unknown:
                # A newer release migrated this database; running older code on it is risky.
                log.warning("database has migrations this code does not know: %s", sorted(unknown))
            for mig in known:
                if mig.version in done:
                    continue
                async with conn.transaction():
                    await conn.execute(mig.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                        mig.version,
                        mig.name,
                    )
                log.info("applied migration %03d_%s", mig.version, mig.name)
                applied_now.append(mig.version)
        finally:
            # A dead connection has already dropped its session lock; don't mask the real error.
            if not conn.is_closed():
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    return applied_now
