"""Event store against a real (embedded) PostgreSQL: no mocks. Each test gets a fresh database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import asyncpg
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from adapters.postgres.chain import verify_chain
from adapters.postgres.schema import create_pool, load_migrations, migrate
from adapters.postgres.event_store import (
    AppendEventsInput,
    EventStore,
    InvalidBatch,
    LiveStreamProtected,
    NewEvent,
    ReadEventsInput,
    StoredEvent,
    StreamKindMismatch,
    VersionConflict,
)
from activities.event_store import EventStoreActivities
from activities.store_models import StoreErrorType

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def events(start: int, n: int, type_: str = "ShiftPicked") -> list[NewEvent]:
    return [
        NewEvent(
            event_id=uuid4(),
            version=v,
            type=type_,
            data={"shift": f"S{v}", "doctor": "Ærlig Østby", "nested": {"hours": [7.5, v]}},
            occurred_at=T0 + timedelta(minutes=v),
            actor="doctor:gp01",
        )
        for v in range(start, start + n)
    ]


def batch(stream_id: str, evs: list[NewEvent], kind: str = "live") -> AppendEventsInput:
    return AppendEventsInput(stream_id=stream_id, stream_kind=kind, events=evs)


class TableProjector:
    """Tiny read model: one row per event in a plain table of the per-test database."""

    name = "test_rows"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[list[int]] = []

    async def apply(self, conn: asyncpg.Connection, stream_id: str, evs: list[StoredEvent]) -> None:
        self.calls.append([e.version for e in evs])
        await conn.executemany(
            "INSERT INTO test_projection (stream_id, version, type) VALUES ($1, $2, $3)",
            [(stream_id, e.version, e.type) for e in evs],
        )
        if self.fail:
            raise RuntimeError("projector failed")

    async def reset(self, conn: asyncpg.Connection, stream_id: str) -> None:
        await conn.execute("DELETE FROM test_projection WHERE stream_id = $1", stream_id)


@pytest.fixture
async def projector(pg_pool: asyncpg.Pool) -> TableProjector:
    await pg_pool.execute(
        "CREATE TABLE test_projection (stream_id text, version bigint, type text, "
        "PRIMARY KEY (stream_id, version))"
    )
    return TableProjector()


@pytest.fixture
def store(pg_pool: asyncpg.Pool, projector: TableProjector) -> EventStore:
    return EventStore(pg_pool, [projector])


async def count(pool: asyncpg.Pool, sql: str, *args: object) -> int:
    return await pool.fetchval(sql, *args)


async def position(pool: asyncpg.Pool, stream_id: str) -> int | None:
    return await pool.fetchval(
        "SELECT version FROM projection_positions WHERE projection = 'test_rows' AND stream_id = $1",
        stream_id,
    )


async def test_append_then_read_back_in_order(store: EventStore) -> None:
    first, second = events(1, 3), events(4, 2, type_="ShiftReleased")
    r1 = await store.append(batch("p-2026-03", first))
    r2 = await store.append(batch("p-2026-03", second))
    assert (r1.inserted, r1.last_version, r2.inserted, r2.last_version) == (3, 3, 2, 5)

    read = await store.read_stream("p-2026-03")
    assert [e.version for e in read] == [1, 2, 3, 4, 5]
    assert [e.event_id for e in read] == [e.event_id for e in first + second]
    assert read[0].data == first[0].data  # jsonb round-trips as a dict, unicode intact
    assert read[0].occurred_at == first[0].occurred_at
    assert all(e.stream_id == "p-2026-03" for e in read)
    assert [e.position for e in read] == sorted(e.position for e in read)

    assert [e.version for e in await store.read_stream("p-2026-03", after_version=3)] == [4, 5]
    assert [e.version for e in await store.read_stream("p-2026-03", types=["ShiftReleased"])] == [4, 5]
    assert [e.version for e in await store.read_stream("p-2026-03", limit=2)] == [1, 2]
    assert await store.read_stream("other") == []
    assert await store.stream_kind("p-2026-03") == "live"
    assert await store.stream_kind("other") is None
    [info] = await store.list_streams()
    assert (info.stream_id, info.kind, info.last_version) == ("p-2026-03", "live", 5)


async def test_retried_append_stores_once(store: EventStore, projector: TableProjector) -> None:
    evs = events(1, 4)
    assert (await store.append(batch("p1", evs))).inserted == 4
    again = await store.append(batch("p1", evs))  # the activity retried after a lost reply
    assert (again.inserted, again.last_version) == (0, 4)
    assert await count(store.pool, "SELECT count(*) FROM events") == 4
    assert projector.calls == [[1, 2, 3, 4]]  # projected once
    assert await count(store.pool, "SELECT count(*) FROM test_projection") == 4

    # A retry that overlaps the stored tail and carries new events stores only the new ones.
    more = events(5, 2)
    r = await store.append(batch("p1", evs[2:] + more))
    assert (r.inserted, r.last_version) == (2, 6)
    assert projector.calls[-1] == [5, 6]


async def test_version_conflict_is_loud_and_writes_nothing(
    store: EventStore, projector: TableProjector
) -> None:
    await store.append(batch("p1", events(1, 2)))
    clash = events(2, 2)  # new event ids, but version 2 is taken
    with pytest.raises(VersionConflict, match=r"'p1' at version 2"):
        await store.append(batch("p1", clash))

    # The whole batch rolled back: v3 was not stored either, stream and projection unchanged.
    assert [e.version for e in await store.read_stream("p1")] == [1, 2]
    assert await store._last_version("p1") == 2
    assert projector.calls == [[1, 2]]
    assert await position(store.pool, "p1") == 2

    with pytest.raises(VersionConflict, match="expected version 3"):  # a gap is a conflict too
        await store.append(batch("p1", events(5, 1)))
    with pytest.raises(InvalidBatch):
        await store.append(batch("p1", events(3, 1) + events(5, 1)))


async def test_reused_event_id_at_another_version_conflicts(store: EventStore) -> None:
    [e1] = events(1, 1)
    await store.append(batch("p1", [e1]))
    moved = e1.model_copy(update={"version": 2})
    with pytest.raises(VersionConflict, match="already stored"):
        await store.append(batch("p1", [moved]))


async def test_activity_maps_store_errors_to_non_retryable(store: EventStore) -> None:
    acts = EventStoreActivities(store)
    env = ActivityEnvironment()
    ok = await env.run(acts.append_events, batch("p1", events(1, 2)))
    assert ok.inserted == 2

    with pytest.raises(ApplicationError) as conflict:
        await env.run(acts.append_events, batch("p1", events(2, 1)))
    assert conflict.value.type == StoreErrorType.VERSION_CONFLICT
    assert conflict.value.non_retryable
    assert conflict.value.details == ({"stream_id": "p1", "version": 2},)

    with pytest.raises(ApplicationError) as mismatch:
        await env.run(acts.append_events, batch("p1", events(3, 1), kind="simulation"))
    assert mismatch.value.type == StoreErrorType.STREAM_KIND_MISMATCH
    assert mismatch.value.non_retryable

    read = await env.run(acts.read_events, ReadEventsInput(stream_id="p1", after_version=1))
    assert [e.version for e in read] == [2]


async def test_migrations_idempotent_and_safe_concurrently(pg_database_url: str) -> None:
    pools = [await create_pool(pg_database_url) for _ in range(3)]
    try:
        results = await asyncio.gather(*(migrate(p) for p in pools))  # fresh db, three starters
        everything = [m.version for m in load_migrations()]
        both_schemas = [m.version for m in load_migrations() if not m.live_only]
        nothing = {"public": [], "simulation": []}
        # Exactly one did the work; the live-only migrations (append-only triggers) only in public.
        assert sorted(results, key=lambda r: len(r["public"])) == [
            nothing, nothing, {"public": everything, "simulation": both_schemas}
        ]
        assert await migrate(pools[0]) == nothing  # and again: nothing to do
        rows = await pools[0].fetch("SELECT version, name FROM schema_migrations ORDER BY version")
        assert [(r["version"], r["name"]) for r in rows] == [
            (m.version, m.name) for m in load_migrations()
        ]
        assert rows[0]["name"] == "event_store"
    finally:
        await asyncio.gather(*(p.close() for p in pools))


async def test_stream_kind_is_fixed_at_creation(store: EventStore) -> None:
    await store.append(batch("p1", events(1, 1), kind="live"))
    with pytest.raises(StreamKindMismatch):
        await store.append(batch("p1", events(2, 1), kind="simulation"))
    assert await store._last_version("p1") == 1


async def test_simulations_are_kept_apart_and_only_they_can_be_reset(store: EventStore, sim_pool) -> None:
    """A simulation lives in its own schema: the same id as a live period touches nothing live,
    whichever was first; only simulations are ever reset."""
    simulations = EventStore(sim_pool, kind="simulation")
    await simulations.append(batch("p-1", events(1, 3), kind="simulation"))  # the simulation first
    await store.append(batch("p-1", events(1, 2), kind="live"))  # then a live period, same id
    with pytest.raises(LiveStreamProtected, match="live period"):
        await store.reset_simulated_stream("p-1")
    assert len(await store.read_stream("p-1")) == 2
    assert await position(store.pool, "p-1") == 2

    assert await simulations.reset_simulated_stream("p-1") == 3
    assert await simulations.read_stream("p-1") == []
    assert await simulations.stream_kind("p-1") is None
    assert len(await store.read_stream("p-1")) == 2  # the live period is untouched
    assert await simulations.reset_simulated_stream("never-existed") == 0
    # The cleared simulation can start over from version 1.
    assert (await simulations.append(batch("p-1", events(1, 1), kind="simulation"))).inserted == 1


async def test_projection_position_is_in_the_append_transaction(
    pg_pool: asyncpg.Pool, projector: TableProjector
) -> None:
    ok = EventStore(pg_pool, [projector])
    await ok.append(batch("p1", events(1, 2)))
    assert await position(pg_pool, "p1") == 2
    assert await count(pg_pool, "SELECT count(*) FROM test_projection") == 2

    # A projector failing mid-way undoes the events, its own rows and the position together.
    failing = EventStore(pg_pool, [TableProjector(fail=True)])
    with pytest.raises(RuntimeError, match="projector failed"):
        await failing.append(batch("p1", events(3, 2)))
    assert [e.version for e in await ok.read_stream("p1")] == [1, 2]
    assert await position(pg_pool, "p1") == 2
    assert await count(pg_pool, "SELECT count(*) FROM test_projection") == 2


async def test_rebuild_projections_replays_stored_events(
    store: EventStore, projector: TableProjector
) -> None:
    await store.append(batch("p1", events(1, 3)))
    await store.append(batch("p1", events(4, 1)))
    await store.pool.execute("DELETE FROM test_projection WHERE version > 1")  # drifted read model

    assert await store.rebuild_projections("p1") == 4
    rows = await store.pool.fetch("SELECT version FROM test_projection ORDER BY version")
    assert [r["version"] for r in rows] == [1, 2, 3, 4]
    assert await position(store.pool, "p1") == 4
    assert await store.rebuild_projections("missing") == 0


# ------------------------------------------------------------------ append-only, hash chain


async def test_the_application_role_cannot_rewrite_a_live_event(store: EventStore, app_database_url: str) -> None:
    """The database enforces the append-only log: UPDATE, DELETE and TRUNCATE of live events are
    refused to the application's role — by privilege and by trigger — which cannot disable the
    trigger either; it may still append."""
    await store.append(batch("p1", events(1, 2)))
    app = await asyncpg.connect(app_database_url)
    try:
        for sql in (
            "UPDATE events SET data = '{}'::jsonb WHERE stream_id = 'p1'",
            "DELETE FROM events WHERE stream_id = 'p1'",
            "TRUNCATE events",
            "DELETE FROM streams WHERE stream_id = 'p1'",
            "ALTER TABLE events DISABLE TRIGGER events_append_only",
        ):
            with pytest.raises(asyncpg.PostgresError):
                await app.execute(sql)
        # Even the owner (the migration role here) meets the trigger.
        with pytest.raises(asyncpg.PostgresError, match="append-only"):
            await store.pool.execute("UPDATE events SET type = 'Forged' WHERE stream_id = 'p1'")
    finally:
        await app.close()
    app_pool = await create_pool(app_database_url)
    try:
        appended = await EventStore(app_pool).append(batch("p1", events(3, 1)))
        assert appended.inserted == 1
    finally:
        await app_pool.close()
    assert [e.version for e in await store.read_stream("p1")] == [1, 2, 3]


async def test_hash_chain_names_an_event_changed_behind_the_applications_back(store: EventStore) -> None:
    """A superuser who disables the trigger and edits one event breaks the chain at that event."""
    await store.append(batch("p1", events(1, 3)))
    await store.append(batch("p1", events(4, 2)))
    chained = await store.read_chain("p1")
    assert [r.version for r in chained] == [1, 2, 3, 4, 5]
    assert chained[0].prev_hash == "" and chained[1].prev_hash == chained[0].hash
    assert verify_chain("p1", chained).ok

    async with store.pool.acquire() as conn:  # the test database's owner is a superuser
        await conn.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
        await conn.execute(
            "UPDATE events SET data = jsonb_set(data, '{doctor}', '\"someone else\"') "
            "WHERE stream_id = 'p1' AND version = 4"
        )
        await conn.execute("ALTER TABLE events ENABLE TRIGGER events_append_only")
    report = verify_chain("p1", await store.read_chain("p1"))
    assert not report.ok and report.broken_at == 4
    assert "changed after it was stored" in report.describe() and "v4" in report.describe()

    async with store.pool.acquire() as conn:  # a removed event is named too
        await conn.execute("SET session_replication_role = replica")  # triggers off for this session
        await conn.execute("DELETE FROM events WHERE stream_id = 'p1' AND version = 2")
    report = verify_chain("p1", await store.read_chain("p1"))
    assert not report.ok and report.broken_at == 3 and "missing" in report.problem


async def test_lottery_batches_are_stored_all_or_none(store: EventStore) -> None:
    """append_atomically: several byte-sized batches in one transaction (the lottery)."""
    await store.append(batch("p1", events(1, 1)))
    good, clash = batch("p1", events(2, 2)), batch("p1", events(3, 1))  # v3 twice: a conflict
    with pytest.raises(VersionConflict):
        await store.append_atomically([good, clash])
    assert [e.version for e in await store.read_stream("p1")] == [1]
    result = await store.append_atomically([good, batch("p1", events(4, 2))])
    assert (result.inserted, result.last_version) == (4, 5)
    assert verify_chain("p1", await store.read_chain("p1")).ok


async def test_refusals_arriving_together_never_collide(pg_pool) -> None:
    """rejected_actions.seq comes from one sequence: 40 refusals at the same moment all land."""
    from adapters.postgres.rejections import Refusal, RejectionLog

    log = RejectionLog(pg_pool)
    refusal = Refusal(stream_id="p1", kind="offering_claim", doctor="gp01", shift="2027-01-05/night",
                      rule="R-PROC-7", message="already taken", actor="doctor:gp01")
    await asyncio.gather(*(log.append([refusal]) for _ in range(40)))
    assert len(await log.for_doctor("p1", "gp01")) == 40
