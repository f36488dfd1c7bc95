"""A driver that plays a scenario through a live period, for the fault tests (the processes it
disturbs are in tests/faults/processes.py).

- `Round`: starts `AllocationPeriodWorkflow` for the example scenario with its deadlines moved to
  the real near future, sends the scenario's actions as updates in their phases, and waits.
- `StoredRound` / `assert_same_round`: the stored events of a round, checked for gaps and
  duplicates and compared with the undisturbed run of the same scenario.

Every wait is bounded and its failure message carries the tail of the relevant logs.
"""

from __future__ import annotations

import asyncio
import copy
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from adapters.postgres.schema import create_pool
from adapters.postgres.event_store import EventStore, StoredEvent
from domain.period.events import parse_event
from domain.model import OSLO_TZ, PHASE_ORDER, Phase
from domain.scenario import Scenario, parse_scenario, to_period_config
from domain.period.state import PeriodState, fold
from domain.period.rules import ActionKind
from tests.faults.processes import ROOT, HarnessTimeout
from workflows.messages import ActionRequest, PeriodInput, PhaseView, SubmitActionsInput
from workflows.period import RULE_VIOLATION, RUN_ROLLING_OVER, AllocationPeriodWorkflow

EXAMPLE = ROOT / "tests" / "data" / "example-scenario.json"


# ------------------------------------------------------------------------------ scenario


def load_scenario() -> Scenario:
    return parse_scenario(json.loads(EXAMPLE.read_text()))


@dataclass(frozen=True)
class Schedule:
    """Deadlines in seconds of real time after the round starts."""

    wishes_due: float = 2.0
    meeting_at: float = 2.5
    meeting_len: float = 3.0  # policy.meeting_duration_hours = meeting_len / 3600
    offering_len: float = 2.0  # offering_closes = meeting_at + meeting_len + offering_len

    @property
    def offering_closes(self) -> float:
        return self.meeting_at + self.meeting_len + self.offering_len


ACTION_LISTS = {
    "staff_assignments": ActionKind.STAFF_ENTRY,
    "advance_wishes": ActionKind.ADVANCE_WISH,
    "meeting_picks": ActionKind.MEETING_PICK,
    "claims": ActionKind.OFFERING_CLAIM,
}


def _after(phase: Phase, other: Phase) -> bool:
    return PHASE_ORDER.index(phase) > PHASE_ORDER.index(other)


def _transient(error: BaseException) -> bool:
    """Errors an operator's client retries: limits, a run rolling over, the cluster or the
    workflow momentarily unreachable (no worker, a run being replaced by `vakt restart`)."""
    if isinstance(error, WorkflowUpdateRPCTimeoutOrCancelledError):
        return True
    if isinstance(error, RPCError):
        return error.status in (
            RPCStatusCode.RESOURCE_EXHAUSTED,
            RPCStatusCode.UNAVAILABLE,
            RPCStatusCode.DEADLINE_EXCEEDED,
            RPCStatusCode.CANCELLED,
            RPCStatusCode.NOT_FOUND,  # run terminated: a new run may be on its way (checked below)
            RPCStatusCode.FAILED_PRECONDITION,
        )
    if isinstance(error, WorkflowUpdateFailedError):
        cause = error.cause
        return isinstance(cause, ApplicationError) and cause.type == RUN_ROLLING_OVER
    return isinstance(error, asyncio.TimeoutError)


@dataclass
class Rejection:
    attr: str
    doctor: str
    shift: str
    rule: str


@dataclass
class Round:
    """One live period of the example scenario, driven in real time."""

    client: Client
    period_id: str
    task_queue: str
    schedule: Schedule
    logs: Callable[[], str] = lambda: ""  # tails of the relevant logs, for failure messages
    scenario: Scenario = field(default_factory=load_scenario)
    rejected: list[Rejection] = field(default_factory=list)
    accepted: int = 0
    t0: datetime | None = None
    marks: dict[str, float] = field(default_factory=dict)  # what happened when (s after start)

    # -- time ------------------------------------------------------------------------------

    def at(self, offset: float) -> datetime:
        assert self.t0 is not None
        return self.t0 + timedelta(seconds=offset)

    def elapsed(self) -> float:
        assert self.t0 is not None
        return (datetime.now(OSLO_TZ) - self.t0).total_seconds()

    def mark(self, what: str) -> None:
        self.marks[what] = round(self.elapsed(), 2)

    async def sleep_until(self, offset: float) -> None:
        delay = offset - self.elapsed()
        if delay > 0:
            await asyncio.sleep(delay)

    def fail(self, message: str) -> HarnessTimeout:
        return HarnessTimeout(f"[{self.period_id} at +{self.elapsed():.1f}s] {message}\n{self.logs()}")

    # -- start -----------------------------------------------------------------------------

    @property
    def handle(self) -> WorkflowHandle:
        # No run id: always the current run (after a continue-as-new or a `vakt restart`).
        return self.client.get_workflow_handle_for(AllocationPeriodWorkflow.run, self.period_id)

    async def start(self) -> None:
        config = to_period_config(self.scenario)
        self.t0 = datetime.now(OSLO_TZ).replace(microsecond=0) + timedelta(seconds=1)
        s = self.schedule
        period = config.period.model_validate(
            {
                **config.period.model_dump(),
                "id": self.period_id,
                "wishes_due": self.at(s.wishes_due),
                "meeting_at": self.at(s.meeting_at),
                "offering_closes": self.at(s.offering_closes),
            }
        )
        policy = config.district.policy.model_validate(
            {**config.district.policy.model_dump(), "meeting_duration_hours": s.meeting_len / 3600}
        )
        district = config.district.model_copy(update={"policy": policy})
        config = config.model_copy(update={"period": period, "district": district})
        assert config.lottery_seed is not None, "the example scenario fixes its lottery seed"
        await asyncio.wait_for(
            self.client.start_workflow(
                AllocationPeriodWorkflow.run,
                PeriodInput(config=config, search_attributes=True, follow_through=False),
                id=self.period_id,
                task_queue=self.task_queue,
            ),
            15,
        )
        # An update that reaches the workflow with its first task is validated before `run` has
        # recorded PeriodOpened and fails with "ValueError: period not opened" (engine issue,
        # see the report); wait until the period is open, as a careful client would.
        await self.wait_for_phase(lambda v: v.version >= 1, "the period to open", 30)
        self.mark("period open")

    # -- queries ---------------------------------------------------------------------------

    async def phase(self, timeout: float = 5) -> PhaseView:
        return await asyncio.wait_for(self.handle.query(AllocationPeriodWorkflow.phase), timeout)

    async def wait_for_phase(self, reached: Callable[[PhaseView], bool], what: str, timeout: float) -> PhaseView:
        """Poll the `phase` query (which needs a worker; failures are retried) until `reached`."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                last = await self.phase(timeout=min(5, max(0.5, deadline - time.monotonic())))
                if reached(last):
                    return last
            except Exception as e:  # noqa: BLE001 - no worker right now, query timed out
                last = e
            await asyncio.sleep(0.1)
        raise self.fail(f"timed out after {timeout}s waiting for {what}; last phase view: {last!r}")

    async def wait_meeting_open(self, timeout: float = 30) -> PhaseView:
        view = await self.wait_for_phase(
            lambda v: v.meeting_open or _after(v.phase, Phase.MEETING), "the meeting to open", timeout
        )
        self.mark("meeting open")
        return view

    async def wait_offering(self, timeout: float = 60) -> PhaseView:
        view = await self.wait_for_phase(
            lambda v: not _after(Phase.OFFERING, v.phase), "the offering to open", timeout
        )
        self.mark("offering open")
        return view

    async def wait_stored(self, timeout: float = 30) -> PhaseView:
        """Until every event the workflow recorded is confirmed stored."""
        return await self.wait_for_phase(
            lambda v: v.stored_version == v.version, "all recorded events to be stored", timeout
        )

    # -- actions ---------------------------------------------------------------------------

    async def send(
        self,
        attr: str,
        *,
        only: Iterable[int] | None = None,
        after_each: Callable[[int], Awaitable[None]] | None = None,
        spacing: float = 0.0,
        timeout_each: float = 60,
    ) -> None:
        """The scenario's actions of one list, in order, one at a time ("first valid claim wins").

        Each update has a fixed update id and request id, so a retry after a lost answer is the
        same update, not a second one. A refusal is recorded; a transient error is retried with
        backoff until `timeout_each`.
        """
        kind = ACTION_LISTS[attr]
        actions = getattr(self.scenario, attr)
        indices = list(only) if only is not None else list(range(len(actions)))
        for n, i in enumerate(indices):
            if n and spacing:
                await asyncio.sleep(spacing)
            action = actions[i]
            await self._send_one(attr, i, kind, action.doctor, action.shift, timeout_each)
            if after_each is not None:
                await after_each(i)

    async def _send_one(self, attr: str, i: int, kind: ActionKind, doctor: str, shift: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        delay = 0.05
        update_id = f"{attr}-{i}"
        request = ActionRequest(request_id=update_id, kind=kind, doctor=doctor, shift=shift, actor="operator:fault-test")
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self.fail(f"update {update_id} ({doctor} {shift}) not answered within {timeout}s")
            try:
                result = await asyncio.wait_for(
                    self.handle.execute_update(
                        AllocationPeriodWorkflow.submit_actions, SubmitActionsInput(actions=[request]), id=update_id
                    ),
                    remaining,
                )
                [outcome] = result.outcomes
                if outcome.accepted:
                    self.accepted += 1
                else:
                    self.rejected.append(Rejection(attr, doctor, shift, outcome.rule or "?"))
                return
            except WorkflowUpdateFailedError as e:
                cause = e.cause
                if isinstance(cause, ApplicationError) and cause.type == RULE_VIOLATION:
                    detail = cause.details[0] if cause.details else {"rule": "?"}
                    self.rejected.append(Rejection(attr, doctor, shift, detail["rule"]))
                    return
                if not _transient(e):
                    raise
            except Exception as e:  # noqa: BLE001
                if not _transient(e):
                    raise
                if isinstance(e, RPCError) and e.status is RPCStatusCode.NOT_FOUND and await self._completed():
                    raise self.fail(f"update {update_id}: the round ended before its phase ({e})") from e
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    async def _completed(self) -> bool:
        try:
            d = await asyncio.wait_for(self.handle.describe(), 5)
        except Exception:  # noqa: BLE001
            return False
        return d.status is not None and d.status.name == "COMPLETED"

    async def send_preparation(self) -> None:
        await self.send("staff_assignments")
        await self.send("advance_wishes")
        self.mark("preparation sent")
        assert self.elapsed() < self.schedule.wishes_due, self.fail("preparation did not finish before wishes_due")

    async def result(self, timeout: float):
        try:
            return await asyncio.wait_for(self.handle.result(), timeout)
        except asyncio.TimeoutError:
            view = None
            try:
                view = await self.phase(2)
            except Exception as e:  # noqa: BLE001
                view = e
            raise self.fail(f"round not finished within {timeout}s (phase view: {view!r})") from None

    async def play_undisturbed(self, result_timeout: float = 60):
        await self.start()
        await self.send_preparation()
        await self.wait_meeting_open()
        await self.send("meeting_picks")
        await self.wait_offering()
        await self.send("claims")
        return await self.result(result_timeout)

    # -- Temporal internals the tests look at ----------------------------------------------

    async def history_types(self) -> list[int]:
        return [e.event_type async for e in self.handle.fetch_history_events()]

    async def pending(self):
        """The raw description: pending activities and the pending workflow task."""
        d = await asyncio.wait_for(self.handle.describe(), 5)
        return d.raw_description


# --------------------------------------------------------------------------- stored round


async def read_events(url: str, period_id: str) -> list[StoredEvent]:
    pool = await create_pool(url, min_size=1, max_size=1)
    try:
        return await EventStore(pool).read_stream(period_id)
    finally:
        await pool.close()


async def read_projection(url: str, period_id: str) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT shift_id, doctor_id, source FROM roster_entries WHERE stream_id = $1", period_id
        )
        status = await conn.fetchrow("SELECT phase, version FROM period_status WHERE stream_id = $1", period_id)
        position = await conn.fetchval(
            "SELECT version FROM projection_positions WHERE stream_id = $1 AND projection = 'roster'", period_id
        )
    finally:
        await conn.close()
    return {
        "rows": {r["shift_id"]: (r["doctor_id"], r["source"]) for r in rows},
        "phase": status and status["phase"],
        "status_version": status and status["version"],
        "position": position,
    }


_DEADLINE_KEYS = ("id", "wishes_due", "meeting_at", "offering_closes")


def normalized(events: list[StoredEvent]) -> list[tuple[str, dict]]:
    """(type, data) of each event, without what differs between two runs of one scenario by
    construction: the period id and the real-time deadlines in PeriodOpened's config, and an
    operator's recorded restart (RoundRestarted), which the undisturbed run never needed."""
    out = []
    for e in events:
        if e.type == "RoundRestarted":
            continue
        data = copy.deepcopy(e.data)
        if e.type == "PeriodOpened":
            for key in _DEADLINE_KEYS:
                data["config"]["period"][key] = f"<{key}>"
            data["config"]["district"]["policy"]["meeting_duration_hours"] = "<meeting_duration>"
        out.append((e.type, data))
    return out


@dataclass
class StoredRound:
    period_id: str
    events: list[StoredEvent]
    state: PeriodState
    projection: dict[str, Any]
    rejected: list[Rejection]

    @classmethod
    async def load(cls, url: str, rnd: Round) -> StoredRound:
        events = await read_events(url, rnd.period_id)
        state = fold(parse_event(e.data) for e in events)
        return cls(rnd.period_id, events, state, await read_projection(url, rnd.period_id), list(rnd.rejected))

    def roster(self) -> dict[str, tuple[str, str]]:
        return {shift: (a.doctor, a.source.value) for shift, a in self.state.assignments.items()}

    def check_intact(self) -> None:
        """Versions 1..N without a gap, no event id twice, published, projection in step."""
        n = len(self.events)
        assert n > 0, f"{self.period_id}: no stored events"
        versions = [e.version for e in self.events]
        assert versions == list(range(1, n + 1)), f"{self.period_id}: versions not 1..{n}: {versions}"
        ids = [e.event_id for e in self.events]
        assert len(set(ids)) == n, f"{self.period_id}: duplicate event ids"
        types = [e.type for e in self.events]
        assert types.count("PeriodOpened") == 1 and types.count("RosterPublished") == 1, types
        assert types[-1] == "RosterPublished", f"{self.period_id}: last event is {types[-1]}"
        assert self.state.phase is Phase.PUBLISHED
        # The roster projection is written in the append transaction: a retried append must
        # neither skip nor double-apply it.
        p = self.projection
        assert p["position"] == n and p["status_version"] == n and p["phase"] == "published", p
        projected = {s: d for s, (d, src) in p["rows"].items() if src != "uncovered"}
        assert projected == {s: a.doctor for s, a in self.state.assignments.items()}


def assert_same_round(got: StoredRound, baseline: StoredRound) -> None:
    """The disturbed round stored exactly what the undisturbed one did."""
    got.check_intact()
    mine, theirs = normalized(got.events), normalized(baseline.events)
    key = lambda item: json.dumps(item, sort_keys=True)  # noqa: E731
    missing = [t for t in theirs if key(t) not in {key(m) for m in mine}]
    extra = [m for m in mine if key(m) not in {key(t) for t in theirs}]
    assert not missing and not extra and len(mine) == len(theirs), (
        f"{got.period_id}: {len(mine)} events stored, the undisturbed run stored {len(theirs)}.\n"
        f"  missing here ({len(missing)}): {missing[:8]}\n  only here ({len(extra)}): {extra[:8]}"
    )
    for i, (a, b) in enumerate(zip(mine, theirs, strict=True), 1):
        assert a == b, f"{got.period_id}: event v{i} differs from the undisturbed run:\n  {a}\n  {b}"
    assert got.roster() == baseline.roster()
    assert [u.shift for u in got.state.uncovered] == [u.shift for u in baseline.state.uncovered]
    assert got.state.unsafe == baseline.state.unsafe
    strip = lambda rs: [(r.attr, r.doctor, r.shift, r.rule) for r in rs]  # noqa: E731
    assert strip(got.rejected) == strip(baseline.rejected), "different actions were refused"



class StreamLock:
    """Holds the row lock of one stream in `streams` from outside the engine, so the next append
    to that stream waits in PostgreSQL: an append "in flight" that stays there until released."""

    def __init__(self, conn: asyncpg.Connection, tx) -> None:
        self._conn, self._tx = conn, tx

    @classmethod
    async def acquire(cls, url: str, stream_id: str) -> StreamLock:
        conn = await asyncpg.connect(url)
        tx = conn.transaction()
        await tx.start()
        found = await conn.fetchval("SELECT 1 FROM streams WHERE stream_id = $1 FOR UPDATE", stream_id)
        assert found, f"stream {stream_id} not stored yet"
        return cls(conn, tx)

    @classmethod
    async def roster_row(cls, url: str, stream_id: str, shift_id: str) -> StreamLock:
        """An uncommitted roster row for `shift_id`: the lottery's append, whose projection
        writes that row, waits in PostgreSQL until released — while every earlier append (the
        phase close before the lottery) goes through."""
        conn = await asyncpg.connect(url)
        tx = conn.transaction()
        await tx.start()
        await conn.execute(
            "INSERT INTO roster_entries (stream_id, shift_id, doctor_id, source, version) "
            "VALUES ($1, $2, NULL, 'uncovered', 0)",
            stream_id, shift_id,
        )
        return cls(conn, tx)

    async def release(self) -> None:
        if self._conn.is_closed():
            return
        try:
            await self._tx.rollback()
        finally:
            await self._conn.close()


def run_vakt(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m cli.main ARGS` as an operator runs it (blocking; call via asyncio.to_thread)."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as e:
        raise HarnessTimeout(f"vakt {' '.join(args)} did not finish in {timeout}s: {e.stdout!r} {e.stderr!r}") from e
