"""Shared fixtures: a real PostgreSQL and a real Temporal test server, both started lazily
(only when a test asks for them) and once per session.

- ``pg_url``: URL of a PostgreSQL server (embedded; or the server in VAKT_TEST_DATABASE_URL,
  whose role must be allowed to CREATE DATABASE).
- ``pg_database_url`` / ``pg_pool``: a FRESH, migrated database per test, so tests never see
  each other's rows and can run in any order.
- ``temporal_env``: the time-skipping WorkflowEnvironment (pydantic data converter).

pytest-asyncio runs fixtures and tests on one session-wide loop (see pyproject), which is what
lets a session fixture's pool/client be used from any test.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from adapters.postgres.schema import create_pool, migrate
from infra.embedded import embedded_postgres_url, start_time_skipping_env, stop_embedded_postgres
from tests.helpers.support import CONVERTER


@dataclass(frozen=True)
class _PgServer:
    url: str
    throwaway: bool  # our own embedded server, deleted after the session


@pytest.fixture(scope="session")
async def _pg_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[_PgServer]:
    external = os.environ.get("VAKT_TEST_DATABASE_URL")
    if external:
        yield _PgServer(external, throwaway=False)
        return
    # Not under pytest's basetemp: another pytest session on the machine prunes old basetemps
    # and would delete a running server's data. cleanup_mode="delete" removes it at the end.
    data_dir = Path(tempfile.mkdtemp(prefix="vakt-test-pg-"))
    url = embedded_postgres_url(data_dir, cleanup_mode="delete")
    # Deleted after the session, so nothing needs to survive a crash: skip the fsyncs that
    # every per-test CREATE DATABASE would otherwise pay.
    conn = await asyncpg.connect(url)
    try:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            await conn.execute(f"ALTER SYSTEM SET {setting} = off")
        await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()
    yield _PgServer(url, throwaway=True)
    stop_embedded_postgres(data_dir)


@pytest.fixture(scope="session")
def pg_url(_pg_server: _PgServer) -> str:
    return _pg_server.url


def _with_database(url: str, dbname: str) -> str:
    # Swap only the path: the embedded URL keeps its socket dir in the query (?host=...).
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


@pytest.fixture
async def pg_database_url(_pg_server: _PgServer) -> AsyncIterator[str]:
    """URL of a new, empty (unmigrated) database, dropped after the test."""
    dbname = f"test_{uuid.uuid4().hex}"
    admin = await asyncpg.connect(_pg_server.url)
    try:
        await admin.execute(f'CREATE DATABASE "{dbname}"')
        yield _with_database(_pg_server.url, dbname)
        # FORCE: a test that leaked a connection must not break the next one.
        await admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def pg_pool(pg_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """An asyncpg pool (jsonb <-> dict) on a fresh database with all migrations applied, on the
    live schema (as the database's owner)."""
    pool = await create_pool(pg_database_url)
    try:
        await migrate(pool)
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def sim_pool(pg_pool: asyncpg.Pool, pg_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the same database's simulation schema."""
    pool = await create_pool(pg_database_url, schema="simulation")
    try:
        yield pool
    finally:
        await pool.close()


APP_ROLE = "vakt_test_app"


@pytest.fixture
async def app_database_url(pg_pool: asyncpg.Pool, pg_database_url: str, _pg_server: _PgServer) -> str:
    """The same migrated database as the application's role (no UPDATE/DELETE on live events)."""
    admin = await asyncpg.connect(_pg_server.url)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", APP_ROLE):
            await admin.execute(f'CREATE ROLE "{APP_ROLE}" LOGIN')
    finally:
        await admin.close()
    await migrate(pg_pool, app_role=APP_ROLE)
    parts = urlsplit(pg_database_url)
    return urlunsplit(parts._replace(netloc=f"{APP_ROLE}@{parts.netloc.rpartition('@')[2]}"))


@pytest.fixture(scope="session")
async def temporal_env():  # -> WorkflowEnvironment
    env = await start_time_skipping_env(CONVERTER)
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="session")
async def dev_server(tmp_path_factory: pytest.TempPathFactory):
    """A Temporal dev server (the one `vakt dev` embeds), with the period search attributes and
    the encrypting converter, shared by the tests that need a real cluster."""
    from infra.embedded import start_dev_server_env
    from workflows import search

    dev = await start_dev_server_env(
        tmp_path_factory.mktemp("temporal-dev"), CONVERTER, ui=False, search_attributes=search.ALL
    )
    try:
        yield dev.env
    finally:
        await dev.env.shutdown()
