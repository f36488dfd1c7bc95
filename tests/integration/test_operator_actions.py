"""Operator actions on a real (time-skipping) Temporal server with a real PostgreSQL:
extend a deadline, cancel a round, and rebuild a run from the stored events."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from adapters.postgres.projections import RosterProjection
from adapters.postgres.event_store import EventStore
from worker import create_worker
from app.periods.restart import RestartPlan, apply_restart
from domain.period.events import parse_event
from domain.period.state import fold
from domain.model import Phase
from domain.model import OSLO_TZ
from domain.scenario import parse_scenario, to_period_config
from infra.embedded import start_dev_server_env
from infra.settings import Settings
from tests.integration.test_period_workflow import example_document, phase, skip_until, start_period
from tests.helpers.support import CONVERTER, services_for, submit
from workflows import search
from workflows.messages import CancelRoundInput, ExtendDeadlineInput, PeriodInput
from workflows.period import AllocationPeriodWorkflow


@pytest.fixture
def store(sim_pool) -> EventStore:
    """Simulated periods (their clock is offset): the simulation schema."""
    return EventStore(sim_pool, projectors=[RosterProjection()], kind="simulation")


async def read_period(store: EventStore, period: str):
    return fold(parse_event(e.data) for e in await store.read_stream(period))


async def test_extending_a_deadline_moves_the_timer_and_is_recorded(temporal_env, store):
    worker, inp, wid, tq = await start_period(temporal_env, store, example_document())
    async with worker:
        handle = await temporal_env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id=wid, task_queue=tq)
        view = await phase(handle)
        later = inp.config.period.meeting_at + timedelta(days=2)
        with pytest.raises(WorkflowUpdateFailedError) as earlier:
            await handle.execute_update(
                AllocationPeriodWorkflow.extend_deadline,
                ExtendDeadlineInput(until=view.now - timedelta(hours=1), operator="Kari", reason="typo"),
            )
        assert earlier.value.cause.details[0]["rule"] == "R-PROC-1"
        result = await handle.execute_update(
            AllocationPeriodWorkflow.extend_deadline,
            ExtendDeadlineInput(until=later, operator="Kari Nordmann", reason="meeting room unavailable"),
        )
        assert result.next_deadline == later
        opened = await skip_until(temporal_env, handle, lambda v: v.meeting_open)
        assert opened.now >= later  # the meeting opened on the new deadline, not the old one
        await handle.result()
    events = [parse_event(e.data) for e in await store.read_stream(wid)]
    [extended] = [e for e in events if e.type == "DeadlineExtended"]
    assert (extended.step, extended.operator, extended.reason) == ("meeting_at", "Kari Nordmann", "meeting room unavailable")
    assert extended.previous == inp.config.period.meeting_at


async def test_cancelling_a_round_stops_it_and_is_recorded(temporal_env, store):
    worker, inp, wid, tq = await start_period(temporal_env, store, example_document())
    async with worker:
        handle = await temporal_env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id=wid, task_queue=tq)
        entered = await submit(handle, "staff", "st01", "2027-01-04/night")
        assert entered.accepted, (entered, await phase(handle))
        cancelled = await handle.execute_update(
            AllocationPeriodWorkflow.cancel_round, CancelRoundInput(operator="Kari", reason="period merged into H2")
        )
        assert cancelled.phase is Phase.CANCELLED
        result = await handle.result()
    assert result.phase is Phase.CANCELLED
    state = await read_period(store, wid)
    assert state.phase is Phase.CANCELLED and state.cancelled.operator == "Kari"
    assert state.drawn == 0  # no lottery, no roster


async def test_a_run_rebuilt_from_stored_events_finishes_the_round_identically(pg_pool, tmp_path):
    """`vakt restart --apply` (rebuild): a terminated run's period continues from PostgreSQL at the
    right phase and ends with the same roster and a contiguous, duplicate-free event stream.
    On a real dev server with deadlines seconds apart (the legacy time-skipping server cannot
    start a new run right after a terminate)."""
    store = EventStore(pg_pool, projectors=[RosterProjection()])
    document = example_document()
    picks = document["meeting_picks"][:12]
    dev = await start_dev_server_env(tmp_path, CONVERTER, ui=False, search_attributes=search.ALL)
    async with dev.env as env:

        async def rebuilt_run() -> None:
            tq = "rebuild-tq"
            inp = _live_input(document, "rebuilt")
            async with create_worker(env.client, store, tq):
                handle = await env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id="rebuilt", task_queue=tq)
                await _until(handle, lambda v: v.meeting_open)
                await _pick(handle, picks)
                await _until(handle, lambda v: v.phase is Phase.OFFERING and v.stored_version == v.version)
                await handle.terminate("simulating a run whose history is lost")
                settings = Settings(temporal_task_queue=tq, data_dir=tmp_path)
                plan = RestartPlan(period="rebuilt", verdict="stuck", action="rebuild", explanation="test")
                done = await apply_restart(plan, env.client, store, settings, operator="Kari", reason="lost history")
                assert "in phase offering" in done
                rebuilt = env.client.get_workflow_handle("rebuilt")
                assert (await rebuilt.query(AllocationPeriodWorkflow.phase)).phase is Phase.OFFERING
                await asyncio.wait_for(rebuilt.result(), 60)

        # The undisturbed reference run beside the rebuilt one: both mostly wait for deadlines.
        (reference_roster, reference_types), _ = await asyncio.gather(
            _live_run(env, store, document, picks, "ref"), rebuilt_run()
        )
    stored = await store.read_stream("rebuilt")
    assert [e.version for e in stored] == list(range(1, len(stored) + 1))
    assert len({e.event_id for e in stored}) == len(stored)
    state = await read_period(store, "rebuilt")
    assert {s: a.doctor for s, a in state.assignments.items()} == reference_roster
    # Same events in the same order as the undisturbed run, nothing lost, nothing twice; and the
    # restart itself on record, by the operator, with the reason.
    types = [parse_event(e.data).type for e in stored]
    assert [t for t in types if t != "RoundRestarted"] == reference_types
    [restart] = [e for e in stored if e.type == "RoundRestarted"]
    assert restart.actor == "operator:Kari" and restart.data["reason"] == "lost history"
    assert restart.data["remedy"] == "rebuild"


def _live_input(document: dict, period_id: str) -> PeriodInput:
    """The example period with real deadlines a few seconds from now."""
    config = to_period_config(parse_scenario(document))
    now = datetime.now(OSLO_TZ)
    period = config.period.model_copy(
        update={
            "id": period_id,
            "wishes_due": now + timedelta(seconds=1),
            "meeting_at": now + timedelta(seconds=2),
            "offering_closes": now + timedelta(seconds=8),
        }
    )
    policy = config.district.policy.model_copy(update={"meeting_duration_hours": 3 / 3600})
    district = config.district.model_copy(update={"policy": policy})
    return PeriodInput(config=config.model_copy(update={"period": period, "district": district}), follow_through=False)


async def _until(handle, reached, timeout: float = 30) -> None:
    async def poll():
        while not reached(await handle.query(AllocationPeriodWorkflow.phase)):
            await asyncio.sleep(0.1)

    await asyncio.wait_for(poll(), timeout)


async def _live_run(env, store, document, picks, period_id) -> tuple[dict[str, str], list[str]]:
    async with create_worker(env.client, store, f"{period_id}-tq"):
        handle = await env.client.start_workflow(
            AllocationPeriodWorkflow.run, _live_input(document, period_id), id=period_id, task_queue=f"{period_id}-tq"
        )
        await _until(handle, lambda v: v.meeting_open)
        await _pick(handle, picks)
        await asyncio.wait_for(handle.result(), 60)
    state = await read_period(store, period_id)
    types = [parse_event(e.data).type for e in await store.read_stream(period_id)]
    return {s: a.doctor for s, a in state.assignments.items()}, types


async def _pick(handle, picks) -> None:
    for p in picks:
        await submit(handle, "pick", p["doctor"], p["shift"])  # the example's illegal ones are refused


async def test_a_deadline_fires_while_an_append_is_held_up(pg_pool, pg_database_url, tmp_path):
    """R-PROC-1 on time: storage runs beside the deadline loop, so while the database holds up
    an append (a row lock here, an outage in production) the meeting still opens on its
    deadline; the events are stored once the database lets go."""
    import asyncpg

    store = EventStore(pg_pool, projectors=[RosterProjection()])
    dev = await start_dev_server_env(tmp_path, CONVERTER, ui=False, search_attributes=search.ALL)
    async with dev.env as env, create_worker(env.client, store, "held-tq"):
        inp = _live_input(example_document(), "held")
        handle = await env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id="held", task_queue="held-tq")
        await _until(handle, lambda v: v.stored_version >= 1)
        blocker = await asyncpg.connect(pg_database_url)
        try:
            tx = blocker.transaction()
            await tx.start()
            await blocker.execute("SELECT 1 FROM streams WHERE stream_id = 'held' FOR UPDATE")
            assert (await submit(handle, "staff", "st01", "2027-01-04/night")).accepted
            # The staff entry's append now waits on the lock; the meeting must still open.
            view = await asyncio.wait_for(_wait_view(handle, lambda v: v.meeting_open), 20)
            assert view.stored_version < view.version
            await tx.rollback()
        finally:
            await blocker.close()
        await _until(handle, lambda v: v.stored_version == v.version)
    types = [parse_event(e.data).type for e in await store.read_stream("held")]
    assert types[:3] == ["PeriodOpened", "ShiftTaken", "MeetingOpened"]


async def _wait_view(handle, reached):
    while True:
        view = await handle.query(AllocationPeriodWorkflow.phase)
        if reached(view):
            return view
        await asyncio.sleep(0.1)


async def test_live_refusals_are_logged_for_explain(pg_pool, pg_database_url, tmp_path):
    """`vakt act` path (app.periods.live.act): a refused live action names its rule and is kept for
    `vakt explain`; an accepted one carries its actor into the log."""
    from adapters.postgres.rejections import RejectionLog
    from app.periods.live import act

    store = EventStore(pg_pool, projectors=[RosterProjection()])
    dev = await start_dev_server_env(tmp_path, CONVERTER, ui=False, search_attributes=search.ALL)
    async with dev.env as env, create_worker(env.client, store, "act-tq"):
        services = services_for(pg_database_url, tmp_path, env.client)
        inp = _live_input(example_document(), "act")
        handle = await env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id="act", task_queue="act-tq")
        refused = await act(services, "act", "staff", "gp01", "2027-01-05/night", actor="operator:Kari")
        assert not refused.accepted and refused.rule == "R-PROC-2"
        accepted = await act(services, "act", "staff", "st01", "2027-01-04/night", actor="operator:Kari")
        assert accepted.accepted
        await services.aclose()
        await _until(handle, lambda v: v.stored_version == v.version)
    [taken] = await store.read_stream("act", types=["ShiftTaken"])
    assert taken.actor == "operator:Kari"
    logged = await RejectionLog(pg_pool).for_doctor("act", "gp01")
    assert logged == [
        {"kind": "staff_entry", "shift": "2027-01-05/night", "rule": "R-PROC-2",
         "message": "gp01 is not a staff doctor; only staff shifts are pre-entered"}
    ]
