"""The scheduled starter run late, on the time-skipping server (R-PROC-5).

The starter's clock is set past the next round's invitation time: ten days late, the round
starts with every deadline moved by two whole weeks (the meeting keeps its weekday and hour);
at the meeting's own time, the round no longer fits before the period and nothing is started.
Either way no round starts whose phases are over.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest

from adapters.postgres.projections import RosterProjection
from adapters.postgres.registry import RegistryStore
from activities.rounds import RoundPlanner
from adapters.postgres.event_store import EventStore
from worker import create_worker
from app.demo.samples import sample_roll
from domain.district import DistrictPolicy, first_start_on_time, invitation_at, round_dates
from domain.period.events import PeriodOpened, parse_event
from domain.model import OSLO_TZ
from domain.registry.records import RegistryImport
from infra.embedded import start_time_skipping_env
from tests.helpers.support import CONVERTER
from workflows.rounds import RoundStarterInput, RoundStarterResult, ScheduledRoundWorkflow


async def _opened(store: EventStore, period: str) -> PeriodOpened:
    for _ in range(200):
        stored = await store.read_stream(period, limit=1)
        if stored:
            return parse_event(stored[0].data)
        await asyncio.sleep(0.05)
    raise AssertionError(f"{period} was not opened")


@pytest.fixture
async def own_env():
    """A time-skipping server of this test's own: on the shared one, a workflow an earlier test
    left waiting may move the time between reading it and the starter's first task."""
    env = await start_time_skipping_env(CONVERTER)
    try:
        yield env
    finally:
        await env.shutdown()


async def test_a_late_starter_moves_the_deadlines_and_a_too_late_one_starts_nothing(own_env, pg_pool, sim_pool):
    temporal_env = own_env
    client = temporal_env.client
    district = f"late{uuid.uuid4().hex[:5]}"
    policy = DistrictPolicy().rounds
    server_now = await temporal_env.get_current_time()
    start = first_start_on_time(server_now, policy)
    regular = round_dates(district, start, policy)
    registry = RegistryStore(pg_pool)
    await registry.import_district(district, RegistryImport(doctors=sample_roll(start), name="Sen"),
                                   actor="admin:test", today=start - timedelta(days=90))
    store = EventStore(sim_pool, [RosterProjection()], kind="simulation")
    task_queue = f"starter-{district}"
    planner = RoundPlanner(registry, store, client).activities()

    async def starter_at(moment: datetime) -> RoundStarterResult:
        # Relative to the test server's own clock, which earlier tests may have moved far ahead.
        offset = (moment - await temporal_env.get_current_time()).total_seconds()
        return await client.execute_workflow(
            ScheduledRoundWorkflow.run,
            RoundStarterInput(district_id=district, search_attributes=False, simulated=True, clock_offset_seconds=offset),
            id=f"starter-{district}-{uuid.uuid4().hex[:6]}", task_queue=task_queue,
        )

    async with create_worker(client, store, task_queue, fail_fast=True, extra_activities=planner):
        with temporal_env.auto_time_skipping_disabled():
            # At the meeting's own time: too late for this round, nothing started.
            refused = await starter_at(regular.meeting_at)
            assert refused.period_id is None and refused.outcome.startswith(f"too late for {regular.id}"), refused
            assert await store.stream_kind(regular.id) is None
            assert round_dates(district, regular.end + timedelta(days=1), policy).id in refused.outcome

            # Ten days late: started, each deadline two weeks on, at the same Oslo wall-clock.
            late = await starter_at(invitation_at(regular, policy) + timedelta(days=10))
            assert (late.outcome, late.period_id) == ("started", regular.id), late
            dates = (await _opened(store, regular.id)).config.period
            for moved, planned in ((dates.wishes_due, regular.wishes_due), (dates.meeting_at, regular.meeting_at),
                                   (dates.offering_closes, regular.offering_closes)):
                assert moved.astimezone(OSLO_TZ).date() == planned.astimezone(OSLO_TZ).date() + timedelta(weeks=2)
                assert moved.astimezone(OSLO_TZ).time() == planned.astimezone(OSLO_TZ).time()
            await client.get_workflow_handle(regular.id).terminate(reason="test over")
