"""A cold web process meets a burst: every piece of `Services` is opened once, not per request."""

from __future__ import annotations

import asyncio

import pytest

import app.bootstrap as bootstrap
from app.bootstrap import Services
from app.errors import Unavailable
from infra.settings import Settings
from infra.temporal_client import TemporalUnavailable


def _services(tmp_path) -> Services:
    env = {"VAKT_DATA_DIR": str(tmp_path), "VAKT_NOW": "2027-01-04T09:00:00+01:00"}
    return Services(Settings.from_env(env), env=env)


def test_fifty_first_requests_connect_to_temporal_once(tmp_path, monkeypatch):
    opened = []

    async def connect(settings, converter, env=None):
        opened.append(object())
        await asyncio.sleep(0.05)  # the connection takes a while; the burst arrives meanwhile
        return opened[-1]

    monkeypatch.setattr(bootstrap, "connect_temporal", connect)
    services = _services(tmp_path)

    async def burst():
        return await asyncio.gather(*(services.front_door() for _ in range(50)))

    doors = asyncio.run(burst())
    assert len(opened) == 1
    assert len({id(d) for d in doors}) == 1
    assert doors[0] is not None


def test_a_failed_opening_is_tried_again_by_the_next_caller(tmp_path, monkeypatch):
    calls = []

    async def connect(settings, converter, env=None):
        calls.append(1)
        if len(calls) == 1:
            raise TemporalUnavailable("Temporal at localhost:7233 is not answering")
        return "client"

    monkeypatch.setattr(bootstrap, "connect_temporal", connect)
    services = _services(tmp_path)

    async def twice():
        with pytest.raises(Unavailable, match="not answering"):
            await services.temporal()
        return await services.temporal()

    assert asyncio.run(twice()) == "client"
    assert len(calls) == 2
