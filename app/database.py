"""The database as the use cases see it: which URL for which role, migrations at deployment,
and a pool on the live or the simulation schema.

Roles:
- the **application's role** (DATABASE_URL) reads and appends; it cannot update or delete a
  live event, nor disable the triggers that forbid it (adapters/postgres/schema.py);
- the **migration role** (VAKT_MIGRATION_DATABASE_URL, else DATABASE_URL's) owns the tables.
  only `vakt migrate` uses it; workers, web processes and read commands never migrate.
The embedded default (no DATABASE_URL) creates both roles — `vakt_owner` and `vakt_app` — and
a database `vakt` in its private server, and migrates it as `vakt_owner` when its schema is
behind: that is the embedded default's deployment step.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from adapters.postgres.accounts import AccountStore
from adapters.postgres.oidc_bindings import OidcBindingStore
from adapters.postgres.calendar_feeds import FeedStore
from adapters.postgres.event_store import EventStore
from adapters.postgres.idempotency import IdempotencyStore
from adapters.postgres.mail_log import SentLog
from adapters.postgres.projections import RosterProjection
from adapters.postgres.registry import RegistryStore
from adapters.postgres.rejections import RejectionLog
from adapters.postgres.requests import RequestStore
from adapters.postgres.schema import LIVE_SCHEMA, SIMULATION_SCHEMA, SchemaOutdated, check_schema, create_pool, migrate
from app.errors import Unavailable, VaktError
from infra.settings import Settings, redact_url

EMBEDDED_DATABASE = "vakt"
EMBEDDED_OWNER = "vakt_owner"
EMBEDDED_APP_ROLE = "vakt_app"

Say = Callable[[str], None]

_UNREACHABLE = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.InvalidCatalogNameError,
    asyncpg.InvalidPasswordError,
)


# What a query meets while PostgreSQL is down or restarting: the socket gone, the connection
# dropped by a shutdown, "the database system is starting up".
_GONE = (
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,  # admin shutdown, cannot connect now
)
_PERMISSION_ON = re.compile(r"permission denied for (?:table|relation|sequence|schema|view) \"?([\w.]+)")


def _raised_in_asyncpg(error: BaseException) -> bool:
    """A plain OSError or timeout counts only when asyncpg raised it (not SMTP, not a file)."""
    tb = error.__traceback__
    while tb is not None:
        if "/asyncpg/" in tb.tb_frame.f_code.co_filename:
            return True
        tb = tb.tb_next
    return False


def database_failure(error: BaseException, urls: DatabaseUrls | None) -> VaktError | None:
    """The error a request meets when the database fails it, as an error naming what is wrong —
    PostgreSQL not reachable (`Unavailable`: try again), or a grant missing for the application's
    role, naming the table and the role (a deployment fault: retrying does not help) — or None
    when it is something else."""
    if isinstance(error, asyncpg.InsufficientPrivilegeError):
        found = _PERMISSION_ON.search(str(error))
        what = f"table {found.group(1)}" if found else "a table"
        role = (_role_of(urls.app) if urls is not None else None) or "the application's role (DATABASE_URL's user)"
        return VaktError(
            f"PostgreSQL: role {role} lacks a grant on {what}; run `vakt migrate` with the migration role "
            "(it grants the application's role what it needs)"
        )
    if isinstance(error, _GONE) or (isinstance(error, (OSError, TimeoutError)) and _raised_in_asyncpg(error)):
        where = urls.redacted() if urls is not None else "DATABASE_URL"
        return Unavailable(f"PostgreSQL at {where} is not reachable ({type(error).__name__})")
    return None


@dataclass(frozen=True)
class DatabaseUrls:
    app: str  # the application's role
    migration: str  # the tables' owner
    app_role: str | None  # the role to grant to after migrating (None: the same role)
    embedded: bool

    def redacted(self) -> str:
        return "embedded" if self.embedded else redact_url(self.app)


def with_user(url: str, user: str, database: str) -> str:
    """The same server (the embedded URL keeps its socket dir in ?host=) as another role/database."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    query = urlencode(parse_qsl(parts.query))
    return urlunsplit(parts._replace(netloc=f"{user}@{host}", path=f"/{database}", query=query))


def _role_of(url: str) -> str | None:
    return urlsplit(url).username or None


async def _prepare_embedded(superuser_url: str) -> None:
    """Create the embedded server's roles and database once (idempotent)."""
    conn = await asyncpg.connect(superuser_url)
    try:
        for role in (EMBEDDED_OWNER, EMBEDDED_APP_ROLE):
            if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                await conn.execute(f'CREATE ROLE "{role}" LOGIN')
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", EMBEDDED_DATABASE):
            await conn.execute(f'CREATE DATABASE "{EMBEDDED_DATABASE}" OWNER "{EMBEDDED_OWNER}"')
    finally:
        await conn.close()


async def resolve_urls(settings: Settings, say: Say | None = None) -> DatabaseUrls:
    if settings.database_url:
        migration = settings.migration_database_url or settings.database_url
        app_role = settings.app_role
        if app_role is None and migration != settings.database_url:
            app_role = _role_of(settings.database_url)
        return DatabaseUrls(settings.database_url, migration, app_role, embedded=False)
    # Only the embedded default needs the embedded servers (~350 ms to import, with the SDK's test env).
    from infra.embedded import embedded_postgres_url

    if say:
        say(f"DATABASE_URL not set: using the embedded PostgreSQL in {settings.data_dir / 'pg'}")
    try:
        superuser = await asyncio.to_thread(embedded_postgres_url, settings.data_dir)
        await _prepare_embedded(superuser)
    except _UNREACHABLE as e:
        raise Unavailable(f"the embedded PostgreSQL did not start ({type(e).__name__})") from None
    return DatabaseUrls(
        app=with_user(superuser, EMBEDDED_APP_ROLE, EMBEDDED_DATABASE),
        migration=with_user(superuser, EMBEDDED_OWNER, EMBEDDED_DATABASE),
        app_role=EMBEDDED_APP_ROLE,
        embedded=True,
    )


async def migrate_database(urls: DatabaseUrls) -> dict[str, list[int]]:
    """Apply pending migrations with the migration role and grant the application's role."""
    try:
        pool = await create_pool(urls.migration, min_size=1, max_size=1)
    except _UNREACHABLE as e:
        raise Unavailable(f"PostgreSQL at {redact_url(urls.migration)} is not reachable ({type(e).__name__})") from None
    try:
        return await migrate(pool, app_role=urls.app_role)
    finally:
        await pool.close()


class Database:
    """The unit of work the use cases see: a pool on one schema and every repository over it
    (the event store, the projections, the registry, accounts, requests, feeds, the logs).

    Use cases take a repository from here (`db.registry`, `db.accounts` …) and never build one."""

    def __init__(self, pool: asyncpg.Pool, store: EventStore, urls: DatabaseUrls) -> None:
        self.pool = pool
        self.urls = urls
        self.store = store
        self.projections = store.projections
        self.rejections = RejectionLog(pool)
        self.registry = RegistryStore(pool)
        self.accounts = AccountStore(pool)
        self.oidc_bindings = OidcBindingStore(pool)
        self.requests = RequestStore(pool)
        self.feeds = FeedStore(pool)
        self.mail_log = SentLog(pool)
        self.idempotency = IdempotencyStore(pool)

    async def aclose(self) -> None:
        await self.pool.close()


async def open_database(
    settings: Settings, *, simulation: bool = False, say: Say | None = None, urls: DatabaseUrls | None = None,
    max_size: int = 10,
) -> Database:
    """The application's pool on the live (or simulation) schema; Unavailable when PostgreSQL
    does not answer or its schema is behind this code (run `vakt migrate`)."""
    urls = urls or await resolve_urls(settings, say)
    schema = SIMULATION_SCHEMA if simulation else LIVE_SCHEMA
    try:
        pool = await create_pool(urls.app, schema=schema, max_size=max_size)
    except _UNREACHABLE as e:
        raise Unavailable(f"PostgreSQL at {urls.redacted()} is not reachable ({type(e).__name__})") from None
    try:
        try:
            await check_schema(pool)
        except SchemaOutdated:
            if not urls.embedded:
                raise
            await migrate_database(urls)  # the embedded default deploys itself
    except SchemaOutdated as e:
        await pool.close()
        raise Unavailable(str(e)) from None
    except BaseException:
        await pool.close()
        raise
    store = EventStore(pool, projectors=[RosterProjection()], kind="simulation" if simulation else "live")
    return Database(pool=pool, store=store, urls=urls)
