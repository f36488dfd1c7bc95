"""R-LOT-5 in the workflow, on the time-skipping server: a beacon that cannot be reached at the
draw delays the lottery — an operator alert (`BeaconUnreachable`) and retries, never another
seed — and the lottery runs with the beacon's seed once the relay answers again."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date, timedelta

from adapters.postgres.event_store import EventStore
from adapters.postgres.projections import RosterProjection
from domain.lottery.beacon import first_round_after, seed_of
from domain.model import Phase
from domain.period.events import parse_event
from tests.helpers.fake_beacon import chain, fake_beacon, stored
from tests.integration.test_period_workflow import EXAMPLE, phase, skip_until, start_period
from workflows.messages import ExtendDeadlineInput
from workflows.period import AllocationPeriodWorkflow

QUICK = stored()["chains"]["quicknet"]["rounds"][0]


def example_in_september_2023() -> dict:
    """The example moved back whole weeks; its offering closes 2023-09-15 13:00 Oslo, so the
    committed quicknet round is 657413, a real one the fake relay serves."""
    text = EXAMPLE.read_text()
    weeks = (date(2026, 12, 14) - date(2023, 9, 15)).days // 7 + 1
    moved = re.sub(r"\d{4}-\d{2}-\d{2}",
                   lambda m: (date.fromisoformat(m.group()) - timedelta(weeks=weeks)).isoformat(), text)
    doc = json.loads(moved)
    doc["period"]["offering_closes"] = "2023-09-15T13:00:00"
    doc["district"]["policy"].update(seed_source="drand", beacon=chain("quicknet").model_dump())
    return doc


async def _stored(store: EventStore, period: str) -> list:
    return [(e.actor, parse_event(e.data)) for e in await store.read_stream(period)]


async def test_an_unreachable_beacon_delays_the_lottery_with_an_alert_then_draws_from_it(temporal_env, sim_pool, monkeypatch):
    store = EventStore(sim_pool, projectors=[RosterProjection()], kind="simulation")
    with fake_beacon() as beacon:
        beacon.mode = "down"
        monkeypatch.setenv("VAKT_DRAND_URL", beacon.url)
        worker, inp, workflow_id, task_queue = await start_period(temporal_env, store, example_in_september_2023())
        async with worker:
            handle = await temporal_env.client.start_workflow(
                AllocationPeriodWorkflow.run, inp, id=workflow_id, task_queue=task_queue)
            alerted = None
            for _ in range(200):
                events = await _stored(store, workflow_id)
                alerted = next(((a, e) for a, e in events if e.type == "BeaconUnreachable"), None)
                if alerted:
                    break
                await temporal_env.sleep(timedelta(days=2))
            assert alerted is not None, "no operator alert while the beacon was away"
            actor, alert = alerted
            assert actor == "system:lottery" and alert.round == QUICK["round"] and "not available" in alert.error
            # The lottery waits: no seed is revealed, nothing is drawn.
            view = await phase(handle)
            assert view.phase is Phase.LOTTERY
            assert view.next_step.startswith(f"lottery waits for drand round {QUICK['round']}"), view.next_step
            kinds = [e.type for _, e in await _stored(store, workflow_id)]
            assert "SeedRevealed" not in kinds and "LotteryStarted" not in kinds
            committed = next(e for _, e in await _stored(store, workflow_id) if e.type == "SeedCommitted")
            assert committed.round == QUICK["round"] and committed.chain.hash == chain("quicknet").hash

            beacon.mode = "up"
            await temporal_env.sleep(timedelta(minutes=10))
            result = await asyncio.wait_for(handle.result(), timeout=60)
            assert result.phase is Phase.PUBLISHED
    events = [e for _, e in await _stored(store, workflow_id)]
    revealed = next(e for e in events if e.type == "SeedRevealed")
    started = next(e for e in events if e.type == "LotteryStarted")
    assert revealed.signature == QUICK["signature"] and revealed.randomness == QUICK["randomness"]
    assert started.seed == revealed.seed == seed_of(QUICK["randomness"])
    assert [e.type for e in events].index("SeedRevealed") < [e.type for e in events].index("LotteryStarted")


async def test_an_extended_offering_commits_to_a_round_after_the_new_deadline(temporal_env, sim_pool):
    """R-LOT-5: the committed round must stay unknown while claims can change the input. An
    operator who extends the offering past it makes the round commit again, to the first round
    after the new deadline (recorded; the old round was not yet published, so nothing is chosen)."""
    store = EventStore(sim_pool, projectors=[RosterProjection()], kind="simulation")
    worker, inp, workflow_id, task_queue = await start_period(temporal_env, store, example_in_september_2023())
    async with worker:
        handle = await temporal_env.client.start_workflow(
            AllocationPeriodWorkflow.run, inp, id=workflow_id, task_queue=task_queue)
        view = await skip_until(temporal_env, handle, lambda v: v.phase is Phase.OFFERING)
        later = view.next_deadline + timedelta(days=1)
        await handle.execute_update(AllocationPeriodWorkflow.extend_deadline,
                                    ExtendDeadlineInput(until=later, operator="Kari", reason="more claims"))
        for _ in range(50):
            commits = [e for _, e in await _stored(store, workflow_id) if e.type == "SeedCommitted"]
            if len(commits) == 2:
                break
            await asyncio.sleep(0.1)
        assert [c.round for c in commits] == [QUICK["round"], first_round_after(chain("quicknet"), later)]
        assert commits[1].round_at > later
        await handle.terminate("the test is done")
