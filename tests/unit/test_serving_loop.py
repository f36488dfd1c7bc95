"""The serving processes run on uvloop (infra/event_loop.py), with asyncio's loop as the
fallback; `vakt serve` goes through `cli.runner.call(..., serving=True)`."""

from __future__ import annotations

import asyncio

import pytest

from infra.event_loop import loop_factory, loop_name, run_serving


async def _running_loop() -> str:
    return loop_name()


def test_the_serving_loop_is_uvloop_by_default() -> None:
    import uvloop

    assert loop_factory({}) is uvloop.new_event_loop
    assert run_serving(_running_loop(), {}) == "uvloop"


def test_asyncio_on_request_and_a_wrong_setting_named() -> None:
    assert loop_factory({"VAKT_EVENT_LOOP": "asyncio"}) is None
    assert run_serving(_running_loop(), {"VAKT_EVENT_LOOP": "asyncio"}) == "asyncio"
    with pytest.raises(ValueError, match="VAKT_EVENT_LOOP"):
        loop_factory({"VAKT_EVENT_LOOP": "trio"})


def test_without_uvloop_installed_the_loop_is_asyncio(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "uvloop", None)  # import uvloop -> ImportError
    assert loop_factory({}) is None


def test_vakt_serve_runs_its_work_on_uvloop(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from cli import runner

    monkeypatch.setenv("VAKT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("VAKT_EVENT_LOOP", raising=False)

    async def work(services) -> tuple[str, str]:
        return loop_name(), loop_name(asyncio.get_running_loop())

    assert runner.call(work, serving=True) == ("uvloop", "uvloop")
    assert runner.call(work) == ("asyncio", "asyncio")  # other commands keep asyncio.run
