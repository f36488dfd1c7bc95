"""The e2e tests run `vakt` as a user would, against a fresh database deployed by `vakt migrate`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from tests.conftest import _with_database
from tests.e2e.test_cli import vakt


@pytest.fixture(scope="session")
async def _deployed(_pg_server) -> AsyncIterator[str]:
    """One database deployed by the deployment step itself (`vakt migrate`), once per session."""
    name = f"e2e_deployed_{uuid.uuid4().hex}"
    admin = await asyncpg.connect(_pg_server.url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        run = vakt("migrate", database_url=_with_database(_pg_server.url, name))
        assert run.returncode == 0, run.stderr
        assert "schema public: 001" in run.stdout and "is migrated" in run.stdout
        yield name
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def database_url(_pg_server, _deployed: str) -> AsyncIterator[str]:
    """A fresh database as `vakt migrate` leaves it: a copy of the deployed one (PostgreSQL's
    CREATE DATABASE ... TEMPLATE), so each test does not pay a `vakt` process for the same schema."""
    name = f"test_{uuid.uuid4().hex}"
    admin = await asyncpg.connect(_pg_server.url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_deployed}"')
        yield _with_database(_pg_server.url, name)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
