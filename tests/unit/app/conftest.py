"""Use cases against the fake database (tests/helpers/fake_db.py): no PostgreSQL, no Temporal."""

from __future__ import annotations

import pytest

from tests.helpers.fake_db import FakeServices


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()
