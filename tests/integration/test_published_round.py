"""The published round on the time-skipping server: swaps (R-SWAP-1) through the workflow's
updates, refused ones changing nothing, and every shift recorded as worked by its holder when it
ends (R-LOAD-1) — after which the round ends. Weeks of period time pass in seconds."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError

from adapters.postgres.projections import RosterProjection
from adapters.postgres.event_store import EventStore
from domain.period.events import parse_event
from domain.model import Phase
from domain.period.roster import loads
from domain.period.calendar import PeriodCalendar
from domain.period.state import fold
from tests.integration.test_period_workflow import example_document, skip_until, start_period
from workflows.messages import AcceptSwapInput, CloseSwapInput, OfferSwapInput
from workflows.period import AllocationPeriodWorkflow


@pytest.fixture
def store(sim_pool) -> EventStore:
    return EventStore(sim_pool, projectors=[RosterProjection()], kind="simulation")


def _refusal(error: WorkflowUpdateFailedError) -> str:
    return error.cause.details[0]["rule"]


async def test_swaps_after_publication_and_worked_load(temporal_env, store):
    worker, inp, wid, tq = await start_period(temporal_env, store, example_document(), follow_through=True)
    async with worker:
        handle = await temporal_env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id=wid, task_queue=tq)
        await skip_until(temporal_env, handle, lambda v: v.phase is Phase.PUBLISHED)
        state = fold(parse_event(e.data) for e in await store.read_stream(wid))
        calendar = PeriodCalendar.from_config(state.require_config())
        # A backup shift held by a qualified doctor, offered to gp11 (not independently
        # qualified): R-QUAL-2 refuses, and the giver still holds it.
        backup, holder = next((s, a.doctor) for s, a in sorted(state.assignments.items()) if s.endswith("/backup"))
        offer = await handle.execute_update(
            AllocationPeriodWorkflow.offer_swap,
            OfferSwapInput(giver=holder, shift=backup, receiver="gp11", actor=f"doctor:{holder}"),
        )
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(
                AllocationPeriodWorkflow.accept_swap, AcceptSwapInput(swap=offer.swap, receiver="gp11", actor="doctor:gp11")
            )
        assert _refusal(refused.value) == "R-QUAL-2"
        await handle.execute_update(
            AllocationPeriodWorkflow.close_swap, CloseSwapInput(swap=offer.swap, by=holder, actor=f"doctor:{holder}")
        )
        # An open offer a qualified colleague can take.
        candidates = [d.id for d in state.require_config().doctors if d.id.startswith("gp") and d.id != holder]
        offer = await handle.execute_update(
            AllocationPeriodWorkflow.offer_swap,
            OfferSwapInput(giver=holder, shift=backup, receiver=None, actor=f"doctor:{holder}"),
        )
        receiver = None
        for candidate in candidates:
            try:
                await handle.execute_update(
                    AllocationPeriodWorkflow.accept_swap,
                    AcceptSwapInput(swap=offer.swap, receiver=candidate, actor=f"doctor:{candidate}"),
                )
                receiver = candidate
                break
            except WorkflowUpdateFailedError as e:
                assert _refusal(e) in ("R-QUAL-2", "R-QUAL-3", "R-REST-1", "R-LOT-2")
        assert receiver is not None
        result = await handle.result()  # the server skips to the last shift's end
    assert result.phase is Phase.PUBLISHED
    stored = await store.read_stream(wid)
    events = [parse_event(e.data) for e in stored]
    types = [e.type for e in events]
    assert types.count("SwapOffered") == 2 and types.count("SwapAccepted") == 1 and types.count("SwapClosed") == 1
    assert "ShiftsWorked" in types
    final = fold(events)
    assert final.assignments[backup].doctor == receiver and final.worked[backup] == receiver
    assert final.worked == {s: a.doctor for s, a in final.assignments.items()}  # every held shift, worked
    before, after = loads(state, calendar), loads(final, calendar)
    assert after[receiver].shifts == before[receiver].shifts + 1 and after[holder].shifts == before[holder].shifts - 1
    actors = {e.type: e.actor for e in stored if e.type in ("SwapAccepted", "ShiftsWorked")}
    assert actors == {"SwapAccepted": f"doctor:{receiver}", "ShiftsWorked": "system:shift-end"}
