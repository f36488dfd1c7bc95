"""The e2e tests run `vakt` as a user would, against a fresh database deployed by `vakt migrate`."""

from __future__ import annotations

import pytest

from tests.e2e.test_cli import vakt


@pytest.fixture
def database_url(pg_database_url: str) -> str:
    """A fresh database, migrated by the deployment step itself (`vakt migrate`)."""
    run = vakt("migrate", database_url=pg_database_url)
    assert run.returncode == 0, run.stderr
    assert "schema public: 001" in run.stdout and "is migrated" in run.stdout
    return pg_database_url
