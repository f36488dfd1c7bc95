"""The read model: each process keeps the folded state of the periods it serves, and folds only
the events stored since.

Why: a board read used to load a period's whole stream and fold it, build the period's calendar
and scan every assignment, on every request; a 1,000-doctor year then took 400 ms a read and
fifty doctors at once took a minute. Now a read asks PostgreSQL one cheap question — the stream's
row: its newest version and when it was created — and when the version has not moved, it is
served from memory. When it has, only the new events are read and folded into a copy of the kept
state (pyeventsourcing's snapshot-plus-newer-events, with the snapshot in memory).

Correctness with several web processes: nothing here is trusted across requests without that
question. A read serves a fold at least as new as the version it was told (never older; it may
be newer when events arrived meanwhile), so a process that missed a write catches up on its
next read. A stream written anew under the same id (a simulation re-run) has a new creation
time and is folded from the start. The versions read must follow on one from the other; a gap
means the kept fold cannot be trusted, and the stream is folded from the start.

The calendar (every shift of the period) depends on the period's dates and shift template
only, so it is kept by those across versions and across a doctor's amended profile. Each
version's lookups ("who holds what", loads, the quota) live in its `PeriodView`.

Live boards (app.reads.live) take their changes from here too: the kept fold remembers the
newest board-changing events, so a watcher's tick reads nothing the cache has not read.

A fold is never changed once served: a new version is a new state (domain.period.state.fold
copies), so a read still rendering an older version is not disturbed.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Protocol

from adapters.postgres.event_store import StoredEvent
from domain.model import PeriodConfig
from domain.period.calendar import PeriodCalendar
from domain.period.events import parse_event
from domain.period.state import PeriodState, fold
from domain.period.view import PeriodView

# The events that change which shifts a doctor's board offers (domain/period/events.py).
BOARD_TYPES = ("ShiftTaken", "LotteryDrawn", "ShiftLeftUncovered", "SwapOffered", "SwapAccepted", "SwapClosed")
BOARD_LOG = 4096  # board-changing events kept per period for live watchers that fell behind
PERIODS = 16  # periods kept per process (least recently read forgotten first)
CALENDARS = 16
WAIT_STEP = 0.05  # seconds between looks while a read waits for its own write


class Store(Protocol):
    """What the cache needs of the event store (adapters.postgres.event_store.EventStore)."""

    kind: str

    async def stream_position(self, stream_id: str) -> tuple[datetime, int] | None: ...

    async def read_stream(
        self, stream_id: str, after_version: int = 0, types: list[str] | None = None, limit: int | None = None
    ) -> list[StoredEvent]: ...


@dataclass
class BoardLog:
    """The newest board-changing events of one stream: every one after `complete_after`."""

    events: deque[StoredEvent] = field(default_factory=lambda: deque(maxlen=BOARD_LOG))
    complete_after: int = 0

    def add(self, stored: Sequence[StoredEvent]) -> None:
        for event in stored:
            if event.type not in BOARD_TYPES:
                continue
            if len(self.events) == self.events.maxlen:
                self.complete_after = self.events[0].version  # the oldest is about to be dropped
            self.events.append(event)

    def after(self, version: int, upto: int) -> list[StoredEvent] | None:
        """The board events in (version, upto], or None when the log no longer reaches back."""
        if version < self.complete_after:
            return None
        return [e for e in list(self.events) if version < e.version <= upto]


@dataclass(frozen=True)
class Folded:
    """One stream folded up to `version` (the stream's own numbering)."""

    period: str
    created_at: datetime
    version: int
    state: PeriodState
    calendar: PeriodCalendar | None  # None until the period is opened
    board: BoardLog

    @cached_property
    def view(self) -> PeriodView:
        """This version's lookups, shared by every read of it."""
        if self.calendar is None:
            raise ValueError("period not opened")
        return PeriodView(self.state, self.calendar)

    def board_events_after(self, version: int) -> list[StoredEvent] | None:
        return self.board.after(version, self.version)


def calendar_key(config: PeriodConfig) -> str:
    """What the shifts depend on: the period's dates and its template (not the doctors)."""
    period = config.period
    text = f"{period.id}|{period.start}|{period.end}|" + "|".join(t.model_dump_json() for t in config.shift_template)
    return hashlib.sha256(text.encode()).hexdigest()


class PeriodCache:
    def __init__(self, *, periods: int = PERIODS, calendars: int = CALENDARS, freeze: bool = False) -> None:
        self._folds: OrderedDict[tuple[str, str], Folded] = OrderedDict()
        self._calendars: OrderedDict[str, PeriodCalendar] = OrderedDict()
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._checks: dict[tuple[str, str], _Check] = {}
        self.periods, self.calendars = periods, calendars
        # A serving process (web/server.py) freezes what is alive after a first fold: see
        # `_fold_newer`. Off elsewhere: in a test run it would keep every test's garbage cycles.
        self.freeze = freeze
        self.full_folds = 0  # folds from the first event (a test and the benchmark look)
        self.events_folded = 0

    async def folded(self, store: Store, period: str, *, at_least: int = 0, wait: float = 0.0) -> Folded | None:
        """The period's fold at the stored version or newer (None: no such stream). With
        `at_least`, waits up to `wait` seconds for that version to be stored (a read after the
        reader's own action), then serves what is there."""
        position = await self._position(store, period)
        if at_least and wait > 0:
            loop = asyncio.get_running_loop()
            give_up = loop.time() + wait
            while (position is None or position[1] < at_least) and loop.time() < give_up:
                await asyncio.sleep(WAIT_STEP)
                position = await self._position(store, period)
        if position is None:
            return None
        created_at, stored = position
        key = (store.kind, period)
        kept = self._fresh(key, created_at, stored)
        if kept is not None:
            return kept
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # readers arriving together read and fold the new events once
            kept = self._fresh(key, created_at, stored)
            if kept is not None:
                return kept
            base = self._folds.get(key)
            if base is not None and (base.created_at != created_at or base.version > stored):
                base = None
            folded = await self._fold_newer(store, period, created_at, base)
            self._folds[key] = folded
            self._folds.move_to_end(key)
            while len(self._folds) > self.periods:
                old, _ = self._folds.popitem(last=False)
                self._locks.pop(old, None)
            return folded

    async def _position(self, store: Store, period: str) -> tuple[datetime, int] | None:
        """The stream's position, from a query that began after this call did. Readers of one
        period arriving while a query runs share the next one, so fifty readers make one or two
        queries, not fifty (each a pooled connection taken, used and reset) — and none is
        answered by a query older than itself, so none misses a write stored before it asked."""
        key = (store.kind, period)
        check = self._checks.get(key)
        if check is None or check.store is not store:
            check = self._checks[key] = _Check(store, period)
        return await check.next()

    def _fresh(self, key: tuple[str, str], created_at: datetime, stored: int) -> Folded | None:
        kept = self._folds.get(key)
        if kept is not None and kept.created_at == created_at and kept.version >= stored:
            self._folds.move_to_end(key)
            return kept
        return None

    async def _fold_newer(self, store: Store, period: str, created_at: datetime, base: Folded | None) -> Folded:
        after = base.version if base is not None else 0
        events = await store.read_stream(period, after_version=after)
        if not _follows(events, after):
            base, after = None, 0
            events = await store.read_stream(period)
            if not _follows(events, 0):
                raise RuntimeError(f"stream {period}: versions are not contiguous")
        if base is None:
            self.full_folds += 1
        self.events_folded += len(events)
        state = fold((parse_event(e.data) for e in events), base.state if base is not None else None)
        board = base.board if base is not None else BoardLog()
        board.add(events)
        version = events[-1].version if events else after
        folded = Folded(period, created_at, version, state, self._calendar_of(state, base), board)
        if base is None and self.freeze:
            # A large year's fold is a million long-lived objects. Left among the young ones, every
            # full collection of the cyclic GC walks them all — tens of milliseconds in which no
            # read is answered, every few seconds under load. Frozen (with everything else alive
            # now: the service's own modules and caches), the collector skips them; they are still
            # freed when a newer fold replaces them (reference counting).
            gc.freeze()
        return folded

    def _calendar_of(self, state: PeriodState, base: Folded | None) -> PeriodCalendar | None:
        if state.config is None:
            return None
        if base is not None and base.calendar is not None and base.state.config is state.config:
            return base.calendar
        key = calendar_key(state.config)
        calendar = self._calendars.get(key)
        if calendar is None:
            calendar = self._calendars[key] = PeriodCalendar.from_config(state.config)
            while len(self._calendars) > self.calendars:
                self._calendars.popitem(last=False)
        self._calendars.move_to_end(key)
        return calendar


class _Check:
    """One period's version checks, one at a time: callers arriving while a check runs wait for
    the next one, which starts when the running one ends."""

    def __init__(self, store: Store, period: str) -> None:
        self.store, self.period = store, period
        self.waiting: asyncio.Future | None = None  # the next check's answer
        self.running = False

    async def next(self) -> tuple[datetime, int] | None:
        if self.waiting is None:
            self.waiting = asyncio.get_running_loop().create_future()
            # A failure nobody is left to read (its readers were cancelled) is not an error to log.
            self.waiting.add_done_callback(lambda f: f.cancelled() or f.exception())
        answer = self.waiting
        if not self.running:
            self.running = True
            asyncio.get_running_loop().create_task(self._run())
        return await asyncio.shield(answer)  # a cancelled reader leaves the others their answer

    async def _run(self) -> None:
        try:
            while self.waiting is not None:
                answer, self.waiting = self.waiting, None
                try:
                    answer.set_result(await self.store.stream_position(self.period))
                except BaseException as e:  # noqa: BLE001 - every waiter gets the failure, as if it had asked
                    answer.set_exception(e)
                    if isinstance(e, asyncio.CancelledError):
                        raise
        finally:
            self.running = False
            if self.waiting is not None:  # stopped early (shutdown): nobody is left waiting forever
                self.waiting.cancel()
                self.waiting = None


def _follows(events: Sequence[StoredEvent], after: int) -> bool:
    """Whether the events are versions after+1, after+2, … with no gap."""
    return all(e.version == after + i for i, e in enumerate(events, start=1))
