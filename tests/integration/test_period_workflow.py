"""AllocationPeriodWorkflow on the real time-skipping Temporal test server, events into a real
PostgreSQL (embedded). Deadlines weeks apart pass with no wall-clock wait."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowUpdateFailedError

from adapters.postgres.projections import RosterProjection
from adapters.postgres.event_store import EventStore
from app.demo.simulation import run_simulation
from domain.period.calendar import PeriodCalendar
from domain.period.events import parse_event
from domain.model import Phase
from domain.period.roster import roster_document
from domain.scenario import parse_scenario, to_period_config
from worker import create_worker
from domain.period.state import fold
from tests.helpers.support import services_for, submit
from workflows.messages import ClosePhaseInput, DoctorProgressInput, PeriodInput, PhaseView
from workflows.period import AllocationPeriodWorkflow

# The contract's example scenario (docs/scenario-format.md), copied into the repo.
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example-scenario.json"


def example_document() -> dict:
    return json.loads(EXAMPLE.read_text())


@pytest.fixture
def store(sim_pool) -> EventStore:
    """These periods run simulated (their clock is offset), so they live in the simulation schema."""
    return EventStore(sim_pool, projectors=[RosterProjection()], kind="simulation")


async def start_period(temporal_env, store, document: dict, *, client=None, **overrides):
    """Start the example period with its clock an hour before wishes are due; the worker on
    `client` (else the server's own)."""
    config = to_period_config(parse_scenario(document))
    task_queue = f"tq-{uuid.uuid4().hex[:8]}"
    worker = create_worker(client or temporal_env.client, store, task_queue, fail_fast=True)
    server_now = await temporal_env.get_current_time()
    anchor = config.period.wishes_due - timedelta(hours=1)
    overrides.setdefault("follow_through", False)
    inp = PeriodInput(
        config=config, simulated=True, clock_offset_seconds=(anchor - server_now).total_seconds(), **overrides
    )
    workflow_id = f"{config.period.id}-{uuid.uuid4().hex[:6]}"
    # The stream id is the period id; give each test its own period id.
    inp = inp.model_copy(
        update={"config": config.model_copy(update={"period": config.period.model_copy(update={"id": workflow_id})})}
    )
    return worker, inp, workflow_id, task_queue


async def phase(handle) -> PhaseView:
    return await handle.query(AllocationPeriodWorkflow.phase)


async def skip_until(env, handle, reached) -> PhaseView:
    for _ in range(200):
        view = await phase(handle)
        if reached(view):
            return view
        if view.next_deadline and view.next_deadline > view.now:
            await env.sleep(view.next_deadline - view.now + timedelta(seconds=1))
        else:
            await env.sleep(timedelta(seconds=1))
    raise AssertionError("phase not reached")


async def test_phases_advance_on_their_deadlines_without_waiting(temporal_env, store):
    """R-PROC-1: meeting opens at meeting_at, closes after the meeting, offering closes on its
    deadline, the lottery runs and the roster is published — weeks of period time in seconds."""
    worker, inp, wid, tq = await start_period(temporal_env, store, example_document())
    started = time.monotonic()
    async with worker:
        handle = await temporal_env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id=wid, task_queue=tq)
        first = await phase(handle)
        assert first.phase is Phase.MEETING and not first.meeting_open
        opened = await skip_until(temporal_env, handle, lambda v: v.meeting_open)
        assert opened.now >= inp.config.period.meeting_at
        offering = await skip_until(temporal_env, handle, lambda v: v.phase is Phase.OFFERING)
        assert offering.next_deadline == inp.config.period.offering_closes
        result = await handle.result()
    assert result.phase is Phase.PUBLISHED
    # Two weeks of the period's clock passed; the test took seconds of wall-clock time.
    assert (inp.config.period.offering_closes - first.now) > timedelta(days=14)
    assert time.monotonic() - started < 60
    events = [parse_event(e.data) for e in await store.read_stream(wid)]
    closes = [e for e in events if e.type == "PhaseClosed"]
    assert [(c.phase, c.next_phase, c.by) for c in closes] == [
        (Phase.MEETING, Phase.OFFERING, "deadline"),
        (Phase.OFFERING, Phase.LOTTERY, "deadline"),
    ]
    assert events[-1].type == "RosterPublished"


async def test_refused_action_names_its_rule_and_writes_nothing(temporal_env, store):
    """R-QUAL-2: a refused action gets its rule and message back; state and store unchanged."""
    worker, inp, wid, tq = await start_period(temporal_env, store, example_document())
    async with worker:
        handle = await temporal_env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id=wid, task_queue=tq)
        await skip_until(temporal_env, handle, lambda v: v.meeting_open)
        before = await phase(handle)
        # gp06 lacks the violence course: not independently qualified (R-QUAL-1).
        refused = await submit(handle, "pick", "gp06", "2027-01-05/backup")
        assert not refused.accepted and refused.rule == "R-QUAL-2" and refused.version is None
        assert "gp06 is not independently qualified" in refused.message
        after = await phase(handle)
        assert after.version == before.version
        accepted = await submit(handle, "pick", "gp04", "2027-01-05/backup")
        assert accepted.accepted and accepted.version == before.version + 1
        progress = await handle.query(AllocationPeriodWorkflow.doctor_progress, DoctorProgressInput(doctor="gp04"))
        assert progress.shifts == ["2027-01-05/backup"] and progress.wishes == 1
        await handle.result()


async def test_operator_closes_a_phase_early_and_it_is_recorded(temporal_env, store):
    """R-PROC-1: an early close only by an operator action, recorded with name and reason;
    the meeting cannot be skipped before it was held."""
    worker, inp, wid, tq = await start_period(temporal_env, store, example_document())
    async with worker:
        handle = await temporal_env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id=wid, task_queue=tq)
        with pytest.raises(WorkflowUpdateFailedError) as too_early:
            await handle.execute_update(
                AllocationPeriodWorkflow.close_phase_early, ClosePhaseInput(operator="ola", reason="test")
            )
        assert too_early.value.cause.details[0]["rule"] == "R-PROC-1"
        await skip_until(temporal_env, handle, lambda v: v.meeting_open)
        closed = await handle.execute_update(
            AllocationPeriodWorkflow.close_phase_early,
            ClosePhaseInput(operator="Kari (leder legevakt)", reason="meeting ended early"),
        )
        assert closed.closed is Phase.MEETING and closed.now is Phase.OFFERING
        coverage = await handle.query(AllocationPeriodWorkflow.coverage)
        assert coverage.total == 46 and coverage.open == 46
        await handle.result()
    events = [parse_event(e.data) for e in await store.read_stream(wid)]
    early = [e for e in events if e.type == "PhaseClosed" and e.by == "operator"]
    assert len(early) == 1
    assert early[0].operator == "Kari (leder legevakt)" and early[0].reason == "meeting ended early"


async def test_stored_events_rebuild_the_workflows_roster(temporal_env, store):
    """The read side (fold of stored events) equals what the workflow published, and each
    event is stored once with contiguous versions."""
    worker, inp, wid, tq = await start_period(temporal_env, store, example_document())
    async with worker:
        handle = await temporal_env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id=wid, task_queue=tq)
        await skip_until(temporal_env, handle, lambda v: v.meeting_open)
        assert (await submit(handle, "pick", "gp05", "2027-01-09/day")).accepted
        await skip_until(temporal_env, handle, lambda v: v.phase is Phase.OFFERING)
        assert (await submit(handle, "claim", "sub02", "2027-01-10/backup")).accepted
        result = await handle.result()
    stored = await store.read_stream(wid)
    assert [e.version for e in stored] == list(range(1, len(stored) + 1))
    assert len({e.event_id for e in stored}) == len(stored)
    state = fold(parse_event(e.data) for e in stored)
    assert state.version == result.version
    assert len(state.assignments) == result.assigned
    assert state.assignments["2027-01-09/day"].doctor == "gp05"
    assert state.assignments["2027-01-10/backup"].source == "offering"
    rows = await store.pool.fetch("SELECT shift_id, doctor_id FROM roster_entries WHERE stream_id = $1", wid)
    assert {r["shift_id"]: r["doctor_id"] for r in rows} == {s: a.doctor for s, a in state.assignments.items()}


async def test_continue_as_new_carries_state_and_changes_nothing(pg_pool, pg_database_url, tmp_path):
    """Continue-as-new before the update limit: a run forced to continue every 10 updates (one
    action per update) ends with the same roster as one that never continues."""
    document = example_document()
    services = services_for(pg_database_url, tmp_path)
    normal = await run_simulation(services, parse_scenario(document))
    document["period"]["id"] = "demo-can"
    chunked = await run_simulation(services, parse_scenario(document), max_updates_per_run=10, batch_size=1)
    await services.aclose()
    assert normal.runs == 1
    assert chunked.runs >= 4  # ~50 updates, a new run every 10
    for key in ("assignments", "uncovered", "unsafe", "load", "quota"):
        assert chunked.document[key] == normal.document[key], key
    rules = lambda doc: [(r["action"], r["rule"]) for r in doc["rejected"]]  # noqa: E731
    assert rules(chunked.document) == rules(normal.document)
    assert chunked.document["lottery"]["draws"] == normal.document["lottery"]["draws"]


async def test_simulated_roster_is_the_pure_process_result(pg_pool, pg_database_url, tmp_path):
    """The workflow adds time and durability only: its roster equals the pure domain process."""
    from domain.period.events import PeriodOpened
    from domain.period.process import close_phase, decide_action, open_meeting, run_lottery
    from domain.period.rules import ActionKind, RuleViolation
    from domain.period.state import PeriodState, apply, fold, lottery_draws

    scenario = parse_scenario(example_document())
    services = services_for(pg_database_url, tmp_path)
    outcome = await run_simulation(services, scenario)
    await services.aclose()
    config = to_period_config(scenario)
    calendar = PeriodCalendar.from_config(config)
    state = apply(PeriodState(), PeriodOpened(config=config, simulated=True))
    now = config.period.wishes_due - timedelta(hours=1)

    def act(kind, actions, state):
        for a in actions:
            decision = decide_action(state, calendar, kind, a.doctor, a.shift, now)
            if not isinstance(decision, RuleViolation):
                state = apply(state, decision)
        return state

    state = act(ActionKind.STAFF_ENTRY, scenario.staff_assignments, state)
    state = act(ActionKind.ADVANCE_WISH, scenario.advance_wishes, state)
    state = apply(state, open_meeting(state, calendar))
    state = act(ActionKind.MEETING_PICK, scenario.meeting_picks, state)
    state = apply(state, close_phase(state))
    state = act(ActionKind.OFFERING_CLAIM, scenario.claims, state)
    state = apply(state, close_phase(state))
    lottery = run_lottery(state, calendar, config.lottery_seed)
    state = fold(lottery, state)
    expected = roster_document(state, calendar, lottery_draws(lottery))
    for key in ("assignments", "uncovered", "unsafe", "load", "lottery", "quota"):
        assert outcome.document[key] == expected[key], key
