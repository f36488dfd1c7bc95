"""PostgreSQL connection pools, the two schemas, migrations and the application role's grants.

Two schemas hold the same event-store tables:
- `public`: live periods. Their event log is append-only, enforced by triggers
  (migration 005) and by the grants below: the application's role may read and insert events
  and nothing else on them.
- `simulation`: what-if runs (`vakt simulate`). A simulation can be replaced, and it can never
  take or touch a live period's stream id, whatever the order of starts.
A pool is bound to one schema through its `search_path`.

Migrations run at deployment — `vakt migrate` only, never a worker — with the migration
role (the tables' owner), never from a read command. `NNN_name.sql` applies to both schemas,
`NNN_name.live.sql` to the live schema only.
"""


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

_MIGRATION_FILE = re.compile(r"^(\d{3})_([a-z0-9_]+)(\.live)?\.sql$")

LIVE_SCHEMA = "public"
SIMULATION_SCHEMA = "simulation"
SCHEMAS = (LIVE_SCHEMA, SIMULATION_SCHEMA)


async def _init_connection(conn: asyncpg.Connection) -> None:
    # jsonb columns take and return plain dicts/lists instead of JSON strings.
    for typename in ("jsonb", "json"):
        await conn.set_type_codec(
            typename, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def create_pool(
    url: str, *, schema: str = LIVE_SCHEMA, min_size: int = 1, max_size: int = 5, timeout: float = 10.0
) -> asyncpg.Pool:
    """A small pool on one schema: the worker's activities are short and one node serves a clinic."""
    if schema not in SCHEMAS:
        raise ValueError(f"unknown schema {schema!r}")
    pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        timeout=timeout,
        server_settings={"search_path": schema},
    )
    assert pool is not None  # create_pool only returns None when used without await
    return pool


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str
    live_only: bool

    def applies_to(self, schema: str) -> bool:
        return schema == LIVE_SCHEMA or not self.live_only


def load_migrations() -> list[Migration]:
    """The SQL files shipped as package data, in version order."""
    found: list[Migration] = []
    for entry in resources.files("adapters.postgres.migrations").iterdir():
        m = _MIGRATION_FILE.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text("utf-8"), bool(m.group(3))))
        elif entry.name.endswith(".sql"):
            raise RuntimeError(f"migration file {entry.name!r} is not named NNN_name[.live].sql")
    found.sort(key=lambda mig: mig.version)
    versions = [mig.version for mig in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions: {versions}")
    return found


class SchemaOutdated(RuntimeError):
    """The database lacks migrations this code needs (run `vakt migrate`)."""


async def migrate(pool: asyncpg.Pool, *, app_role: str | None = None) -> dict[str, list[int]]:
    """Apply pending migrations to both schemas, each in its own transaction; then grant the
    application's role what it needs (when it is another role). Returns versions applied per
    schema.

    A session-level advisory lock serialises concurrent starters (two workers booting at once):
    the second waits, then finds nothing left to do. It also covers the bootstrap
    CREATE TABLE IF NOT EXISTS, which is itself not safe against a concurrent twin.
    """
    applied: dict[str, list[int]] = {}
    known = load_migrations()
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        try:
            for schema in SCHEMAS:
                await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
                await conn.execute(f"SET search_path TO {schema}")
                applied[schema] = await _migrate_schema(conn, schema, known)
            if app_role:
                await grant_application_role(conn, app_role)
        finally:
            # A dead connection has already dropped its session lock; don't mask the real error.
            if not conn.is_closed():
                await conn.execute("RESET search_path")
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    return applied


async def _migrate_schema(conn: asyncpg.Connection, schema: str, known: list[Migration]) -> list[int]:
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
    unknown = done - {mig.version for mig in known}
    if unknown:
        # A newer release migrated this database; running older code on it is risky.
        log.warning("schema %s has migrations this code does not know: %s", schema, sorted(unknown))
    applied_now = []
    for mig in known:
        if mig.version in done or not mig.applies_to(schema):
            continue
        async with conn.transaction():
            await conn.execute(mig.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", mig.version, mig.name
            )
        log.info("applied migration %03d_%s to schema %s", mig.version, mig.name, schema)
        applied_now.append(mig.version)
    return applied_now


async def grant_application_role(conn: asyncpg.Connection, role: str) -> None:
    """What the application's role may do: read and write everything it needs, but never
    UPDATE, DELETE or TRUNCATE a live event, delete a live stream, or touch the migrations.
    It owns nothing, so it cannot disable the append-only triggers either."""
    owner = await conn.fetchval("SELECT current_user")
    if role == owner:
        return
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
    if not exists:
        raise RuntimeError(f"application role {role!r} does not exist; create it first (CREATE ROLE … LOGIN)")
    r = _ident(role)
    for schema in SCHEMAS:
        await conn.execute(f"GRANT USAGE ON SCHEMA {schema} TO {r}")
        await conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {r}")
        await conn.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {r}")
        await conn.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {schema}.schema_migrations FROM {r}")
    await conn.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {LIVE_SCHEMA}.events FROM {r}")
    await conn.execute(f"REVOKE DELETE, TRUNCATE ON {LIVE_SCHEMA}.streams FROM {r}")
    for history in ("district_changes",):  # the registry's change history is append-only too
        if await conn.fetchval("SELECT to_regclass($1)", f"{LIVE_SCHEMA}.{history}"):
            await conn.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {LIVE_SCHEMA}.{history} FROM {r}")


def _ident(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"not a plain role name: {name!r}")
    return f'"{name}"'


async def check_schema(pool: asyncpg.Pool) -> None:
    """Raise SchemaOutdated unless every migration this code knows is applied to both schemas."""
    known = load_migrations()
    for schema in SCHEMAS:
        try:
            done = {r["version"] for r in await pool.fetch(f"SELECT version FROM {schema}.schema_migrations")}
        except asyncpg.UndefinedTableError:
            done = set()
        missing = [m.version for m in known if m.applies_to(schema) and m.version not in done]
        if missing:
            raise SchemaOutdated(
                f"the database schema {schema!r} lacks migrations {', '.join(f'{v:03d}' for v in missing)}; "
                "run `vakt migrate` (with the migration role) first"
            )
