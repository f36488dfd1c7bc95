"""The live boards' fan-out (app/reads/live.py) on a fake store: however many watch a period,
one watcher asks the store one question per tick and reads the new events only when the
version moved; every subscriber gets the same change; a subscriber that does not read is
dropped (its queue freed) while the others go on; the watcher stops with its last subscriber;
a late subscriber catches up from its `since`; `close()` ends every stream."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from activities.store_models import StoredEvent
from app.reads.live import QUEUE_SIZE, LiveBoards, board_changes
from domain.clock import FixedClock

PERIOD = "p1"


def stored(version: int, type_: str, **data) -> StoredEvent:
    return StoredEvent(
        position=version, event_id=uuid.uuid4(), stream_id=PERIOD, version=version, type=type_,
        data={"type": type_, **data}, occurred_at=datetime(2027, 1, 1, tzinfo=UTC),
        recorded_at=datetime(2027, 1, 1, tzinfo=UTC), actor="doctor:gp01", prev_hash="", hash="",
    )


class FakeStore:
    def __init__(self) -> None:
        self.events: list[StoredEvent] = []
        self.polls = 0
        self.reads = 0

    def add(self, type_: str, **data) -> None:
        self.events.append(stored(len(self.events) + 1, type_, **data))

    async def stored_version(self, stream_id: str) -> int:
        self.polls += 1
        return len(self.events)

    async def read_stream(self, stream_id, after_version=0, types=None, limit=None):
        self.reads += 1
        return [e for e in self.events if e.version > after_version and (types is None or e.type in types)]


def drain(queue: asyncio.Queue) -> list:
    out = []
    while not queue.empty():
        out.append(queue.get_nowait())
    return out


async def test_one_poll_per_tick_for_many_subscribers_and_a_slow_one_dropped():
    store = FakeStore()
    store.add("PeriodOpened")
    hub = LiveBoards(store, FixedClock(datetime(2027, 1, 14, 9, 42, tzinfo=UTC)), interval=3600)
    subs = [(await hub.subscribe(PERIOD, 0))[0] for _ in range(200)]
    watcher = hub.watchers[PERIOD]
    assert len(hub.watchers) == 1 and hub.subscribers(PERIOD) == 200
    store.polls = store.reads = 0

    await watcher.tick()  # nothing new: one poll, no read
    assert (store.polls, store.reads) == (1, 0)

    store.add("ShiftTaken", shift="s1", doctor="gp02", source="offering")
    store.add("SwapOffered", swap="w1", shift="s2", giver="gp03", receiver=None, expires_at="2027-01-02T00:00:00Z")
    await watcher.tick()
    assert (store.polls, store.reads) == (2, 1)
    messages = {m for s in subs for m in drain(s.queue)}
    assert len(messages) == 1  # encoded once, the same bytes for everyone
    [message] = messages
    assert message.startswith(b"id: 3\nevent: taken\ndata: ")
    assert b'"taken":["s1"]' in message and b'"released":["s2"]' in message and b'"at":"10:42"' in message
    assert b"gp0" not in message  # never who

    slow = subs[0]
    for i in range(QUEUE_SIZE + 1):  # subs[0] never reads
        for s in subs[1:]:
            drain(s.queue)
        store.add("ShiftTaken", shift=f"x{i}", doctor="gp02", source="offering")
        await watcher.tick()
    assert slow.dropped and slow not in watcher.subscribers and hub.subscribers(PERIOD) == 199
    assert not any(s.dropped for s in subs[1:])

    for s in subs[1:]:
        hub.unsubscribe(s)
    await asyncio.sleep(0)
    assert not hub.watchers and watcher.task.done()


async def test_the_watcher_polls_on_its_own_and_stops_with_its_last_subscriber():
    store = FakeStore()
    hub = LiveBoards(store, FixedClock(), interval=0.01)
    a, _ = await hub.subscribe(PERIOD, 0)
    b, _ = await hub.subscribe(PERIOD, 0)
    store.add("LotteryDrawn", draw=1, shift="s9", doctor="gp01")
    async with asyncio.timeout(2):
        got = await a.queue.get()
    assert b'"taken":["s9"]' in got and (await b.queue.get()) == got
    task = hub.watchers[PERIOD].task
    hub.unsubscribe(a)
    assert PERIOD in hub.watchers
    hub.unsubscribe(b)
    await asyncio.sleep(0.05)
    assert PERIOD not in hub.watchers and task.done()
    polls = store.polls
    await asyncio.sleep(0.05)
    assert store.polls == polls  # no subscriber, no poll


async def test_a_late_subscriber_catches_up_and_close_ends_every_stream():
    store = FakeStore()
    store.add("PeriodOpened")
    store.add("ShiftTaken", shift="s1", doctor="gp02", source="offering")
    store.add("DeadlineExtended")  # not a board event: never sent
    hub = LiveBoards(store, FixedClock(), interval=3600)
    sub, missed = await hub.subscribe(PERIOD, 1)
    assert len(missed) == 1 and b'"taken":["s1"]' in missed[0] and missed[0].startswith(b"id: 3\n")
    _, none = await hub.subscribe(PERIOD, 3)
    assert none == []
    hub.close()
    assert sub.queue.get_nowait() is None and not hub.watchers
    late, _ = await hub.subscribe(PERIOD, 0)
    assert late.queue.get_nowait() is None  # after close, a new stream ends at once


def test_taken_and_released_from_the_domain_events():
    events = [
        stored(1, "ShiftTaken", shift="a", doctor="gp01", source="meeting"),
        stored(2, "LotteryDrawn", shift="b", doctor="gp02"),
        stored(3, "SwapOffered", shift="c", giver="gp01", receiver=None),
        stored(4, "SwapOffered", shift="d", giver="gp01", receiver="gp02"),  # named: not announced
        stored(5, "SwapAccepted", shift="e", giver="gp01", receiver="gp02"),
        stored(6, "SwapClosed", shift="c", outcome="withdrawn"),
        stored(7, "ShiftTaken", shift="a", doctor="gp01", source="meeting"),
    ]
    assert board_changes(events) == (["a", "b", "e", "c"], [])
    assert board_changes(events[:3]) == (["a", "b"], ["c"])
