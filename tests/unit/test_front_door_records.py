"""The front door writes what many requests record at one moment (their refusals) together:
one write while another runs, every caller back only once its own items are written."""

from __future__ import annotations

import asyncio

import pytest

from app.periods.front_door import FrontDoor


class SlowLog:
    def __init__(self, fail: bool = False) -> None:
        self.writes: list[list[str]] = []
        self.fail = fail

    async def append(self, items: list[str]) -> None:
        await asyncio.sleep(0.02)
        if self.fail:
            raise ConnectionError("database down")
        self.writes.append(list(items))


async def test_refusals_arriving_together_are_one_write_in_order() -> None:
    door, log = FrontDoor(client=None), SlowLog()  # no Temporal needed to record

    async def caller(i: int) -> int:
        await door.record(log.append, log, [f"r{i}"])
        assert any(f"r{i}" in w for w in log.writes)  # written before the caller goes on
        return i

    assert await asyncio.gather(*(caller(i) for i in range(40))) == list(range(40))
    assert [r for w in log.writes for r in w] == [f"r{i}" for i in range(40)]
    assert len(log.writes) <= 3, [len(w) for w in log.writes]  # the first alone, the rest batched
    await door.aclose()


async def test_a_failed_write_reaches_each_of_its_callers() -> None:
    door, log = FrontDoor(client=None), SlowLog(fail=True)
    answers = await asyncio.gather(*(door.record(log.append, log, [i]) for i in range(5)), return_exceptions=True)
    assert all(isinstance(a, ConnectionError) for a in answers)
    log.fail = False
    await door.record(log.append, log, ["later"])
    assert log.writes == [["later"]]
    await door.aclose()


async def test_a_caller_that_gives_up_does_not_stop_the_write() -> None:
    door, log = FrontDoor(client=None), SlowLog()
    task = asyncio.create_task(door.record(log.append, log, ["kept"]))
    await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await door.aclose()
    assert log.writes == [["kept"]]
