"""A burst through the front door, on a real Temporal dev server: 200 claims from 50 doctors,
50 in flight at once, on the sample district's offering. Every action gets a definite answer,
no shift gets two holders, and the stored log is contiguous and chained. (Speed is measured in
bench/bench_burst.py, not here.)"""

from __future__ import annotations

import uuid
from collections import Counter

from adapters.postgres.chain import verify_chain
from adapters.postgres.projections import RosterProjection
from adapters.postgres.event_store import EventStore
from worker import create_worker
from bench.burst import burst, claims, start_offering_period
from domain.period.events import parse_event
from tests.helpers.support import services_for
from workflows.period import AllocationPeriodWorkflow


async def test_a_burst_of_200_claims_is_answered_definitely(dev_server, pg_pool, pg_database_url, tmp_path):
    task_queue = f"burst-{uuid.uuid4().hex[:6]}"
    period = f"burst-{uuid.uuid4().hex[:6]}"
    store = EventStore(pg_pool, [RosterProjection()])
    services = services_for(pg_database_url, tmp_path, dev_server.client, TEMPORAL_TASK_QUEUE=task_queue)
    try:
        async with create_worker(dev_server.client, store, task_queue):
            config = await start_offering_period(services, period)
            actions = claims(config, count=200, doctors=50)
            result = await burst(services, period, actions, in_flight=50)
            handle = dev_server.client.get_workflow_handle(period)
            view = await handle.query(AllocationPeriodWorkflow.phase)
            for _ in range(100):
                if view.stored_version == view.version:
                    break
                view = await handle.query(AllocationPeriodWorkflow.phase)
            await handle.terminate(reason="test over")
    finally:
        await services.aclose()
    # Every action answered: accepted with a version, or refused with its rule.
    assert result.actions == 200 and result.accepted + result.refused == 200
    assert result.accepted > 50 and result.refused > 0  # the claims collide by construction
    stored = await store.read_stream(period)
    assert [e.version for e in stored] == list(range(1, len(stored) + 1))
    assert verify_chain(period, await store.read_chain(period)).ok
    taken = [parse_event(e.data) for e in stored if e.type == "ShiftTaken"]
    assert len(taken) == result.accepted
    holders = Counter(e.shift for e in taken)
    assert max(holders.values()) == 1, "a shift was taken twice"
    refusals = await pg_pool.fetchval("SELECT count(*) FROM rejected_actions WHERE stream_id = $1", period)
    assert refusals == result.refused
