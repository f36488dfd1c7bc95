"""The board stays live: which shifts others took (or gave up) since a doctor's page was drawn.

Why one watcher per period and not one per connection: 70 doctors watching one period would
otherwise be 70 pollers of the same stream. A `PeriodWatcher` asks the store one cheap question
per tick — the stream's stored version (one indexed row) — however many watch, and only when it
moves reads the NEW events (only the types that change the board). Each change is encoded once
and fanned out to every subscriber's own bounded queue. A subscriber whose queue is full (its
browser does not read) is dropped: its stream ends and the browser reconnects with the last
version it saw (`Last-Event-ID`), catching up from the store. The watcher stops when its last
subscriber leaves.

Privacy: a change names shifts and a time, never who took them; nothing here logs event data.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from adapters.postgres.event_store import StoredEvent
from app.bootstrap import Services
from app.identity.access import own_doctor, period_district, serving_period
from domain.clock import Clock, oslo_now
from domain.identity import Principal

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # how stale a board may be, at most, beyond the workflow's own append
QUEUE_SIZE = 64  # changes a subscriber may fall behind by before it is dropped
# The events that change which shifts a doctor's board offers (domain/period/events.py).
BOARD_TYPES = ["ShiftTaken", "LotteryDrawn", "ShiftLeftUncovered", "SwapOffered", "SwapAccepted", "SwapClosed"]


class Store(Protocol):
    """What the watcher needs of the event store (adapters.postgres.event_store.EventStore)."""

    async def stored_version(self, stream_id: str) -> int: ...

    async def read_stream(
        self, stream_id: str, after_version: int = 0, types: list[str] | None = None, limit: int | None = None
    ) -> list[StoredEvent]: ...


def board_changes(events: Iterable[StoredEvent]) -> tuple[list[str], list[str]]:
    """(taken, released) shift ids from stored events, in order, each id once.

    taken: a shift someone took (a claim, a pick, a staff entry, a draw), one the lottery left
    uncovered, and a swap offer that ended (accepted or closed: its row is gone for others).
    released: a shift offered to everyone who may take it (an open swap offer) — the board
    only says new shifts are free; it never invents their rows. Named offers are not shown to
    others, so they are not announced either."""
    taken: dict[str, None] = {}
    released: dict[str, None] = {}
    for stored in events:
        data = stored.data
        shift = data.get("shift")
        if not isinstance(shift, str):
            continue
        if stored.type in ("ShiftTaken", "LotteryDrawn", "ShiftLeftUncovered", "SwapAccepted", "SwapClosed"):
            taken[shift] = None
            released.pop(shift, None)
        elif stored.type == "SwapOffered" and data.get("receiver") is None:
            released[shift] = None
            taken.pop(shift, None)
    return list(taken), list(released)


@dataclass(frozen=True)
class Change:
    version: int
    taken: list[str]
    released: list[str]
    at: str  # HH:MM, Europe/Oslo

    def message(self) -> bytes:
        """The Server-Sent Event: `id` is the version, so a reconnect resumes after it."""
        data = json.dumps({"version": self.version, "taken": self.taken, "released": self.released, "at": self.at},
                          separators=(",", ":"))
        return f"id: {self.version}\nevent: taken\ndata: {data}\n\n".encode()


def change_of(events: list[StoredEvent], version: int, clock: Clock) -> Change | None:
    taken, released = board_changes(events)
    if not taken and not released:
        return None
    return Change(version, taken, released, oslo_now(clock).strftime("%H:%M"))


@dataclass(eq=False)
class Subscription:
    """One open stream's queue: encoded messages, or None when the stream is to end."""

    period: str
    queue: asyncio.Queue[bytes | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: bool = False  # fell behind: its stream ends, the browser reconnects and catches up

    def offer(self, message: bytes | None) -> bool:
        try:
            self.queue.put_nowait(message)
            return True
        except asyncio.QueueFull:
            self.dropped = True
            return False


class PeriodWatcher:
    """Follows one period's stored events for every subscriber of this process."""

    def __init__(self, store: Store, period: str, version: int, clock: Clock, interval: float,
                 on_idle: Callable[[PeriodWatcher], None] = lambda w: None) -> None:
        self.store, self.period, self.version, self.clock, self.interval = store, period, version, clock, interval
        self.on_idle = on_idle  # called when every subscriber has been dropped
        self.subscribers: set[Subscription] = set()
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name=f"live-{self.period}")

    async def _run(self) -> None:
        while self.subscribers:
            await asyncio.sleep(self.interval)
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - the database may blink; the next tick tries again
                log.warning("live watcher period=%s: %s", self.period, type(e).__name__)

    async def tick(self) -> None:
        """One poll: the stored version; the new events only when it moved."""
        stored = await self.store.stored_version(self.period)
        if stored <= self.version:
            return
        events = await self.store.read_stream(self.period, after_version=self.version, types=BOARD_TYPES)
        version = max(stored, events[-1].version if events else 0)
        change = change_of(events, version, self.clock)
        self.version = version
        if change is not None:
            self.publish(change.message())

    def publish(self, message: bytes) -> None:
        for sub in list(self.subscribers):
            if not sub.offer(message):
                self.subscribers.discard(sub)
                log.info("live period=%s: a slow subscriber was dropped", self.period)
        if not self.subscribers:
            self.on_idle(self)


class LiveBoards:
    """Every watched period of one web process (the hub); `close()` ends every stream."""

    def __init__(self, store: Store, clock: Clock, *, interval: float = POLL_SECONDS) -> None:
        self.store, self.clock, self.interval = store, clock, interval
        self.watchers: dict[str, PeriodWatcher] = {}
        self.closed = False

    async def subscribe(self, period: str, since: int) -> tuple[Subscription, list[bytes]]:
        """A new subscription, and what it missed after `since` (0: nothing, start from now).
        Registered before the catch-up is read, so nothing falls between the two; a change in
        both is sent twice, which a board shrugs off (removing a removed row)."""
        sub = Subscription(period)
        if self.closed:
            sub.offer(None)
            return sub, []
        watcher = self.watchers.get(period)
        if watcher is None:
            watcher = PeriodWatcher(self.store, period, await self.store.stored_version(period), self.clock,
                                    self.interval, self._forget)
            if period in self.watchers:  # another subscriber started one meanwhile
                watcher = self.watchers[period]
            else:
                self.watchers[period] = watcher
                watcher.start()
        watcher.subscribers.add(sub)
        missed: list[bytes] = []
        if 0 < since < watcher.version:
            events = await self.store.read_stream(period, after_version=since, types=BOARD_TYPES)
            events = [e for e in events if e.version <= watcher.version]
            change = change_of(events, watcher.version, self.clock)
            if change is not None:
                missed.append(change.message())
        return sub, missed

    def unsubscribe(self, sub: Subscription) -> None:
        """The stream ended (closed, dropped or disconnected): free its queue; the watcher
        stops with its last subscriber."""
        watcher = self.watchers.get(sub.period)
        if watcher is None:
            return
        watcher.subscribers.discard(sub)
        if not watcher.subscribers:
            self._forget(watcher)

    def _forget(self, watcher: PeriodWatcher) -> None:
        if self.watchers.get(watcher.period) is watcher:
            del self.watchers[watcher.period]
        if watcher.task is not None and watcher.task is not asyncio.current_task():
            watcher.task.cancel()

    def subscribers(self, period: str) -> int:
        watcher = self.watchers.get(period)
        return len(watcher.subscribers) if watcher else 0

    def close(self) -> None:
        """At shutdown: every stream ends (the server waits for open responses otherwise)."""
        self.closed = True
        for watcher in list(self.watchers.values()):
            for sub in list(watcher.subscribers):
                sub.offer(None)  # a full queue marks it dropped: its stream ends all the same
            if watcher.task is not None:
                watcher.task.cancel()
        self.watchers.clear()


async def watch_board(
    services: Services, hub: LiveBoards, principal: Principal | None, period: str, since: int
) -> tuple[Subscription, list[bytes]]:
    """The signed-in doctor's live board of one period: the board's own access check (401, 404
    for an unknown period, 403 for a doctor of another district), then a subscription."""
    district = await period_district(services, period)
    own_doctor(principal, district)
    return await hub.subscribe(period, max(0, since))


async def watch_round(
    services: Services, hub: LiveBoards, principal: Principal | None, period: str, since: int
) -> tuple[Subscription, list[bytes]]:
    """An operator serving the period's district follows the same changes (coverage, events)."""
    await serving_period(services, principal, period)
    return await hub.subscribe(period, max(0, since))
