"""OpenTelemetry tracing (infra/tracing.py) on a real (time-skipping) Temporal server and a real
PostgreSQL, with OpenTelemetry's in-memory exporter: a round is one trace, from the client that
started it through the worker's run to each append to the event store; each action's handler in
it is linked to the client's update that sent it; no span names a doctor."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from adapters.postgres.event_store import EventStore
from adapters.postgres.projections import RosterProjection
from infra.tracing import start_tracing, stop_tracing, traced
from tests.helpers.support import submit
from tests.integration.test_period_workflow import example_document, skip_until, start_period
from workflows.period import AllocationPeriodWorkflow


@pytest.fixture
def store(sim_pool) -> EventStore:
    return EventStore(sim_pool, projectors=[RosterProjection()], kind="simulation")


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    tracing = start_tracing({}, "vakt-test", exporter=exporter)
    try:
        yield tracing, exporter
    finally:
        stop_tracing()


def _one(spans, name: str):
    found = [s for s in spans if s.name == name]
    assert found, f"no span {name!r} among {sorted({s.name for s in spans})}"
    return found[0]


def _trace_of(spans, span) -> set[str]:
    return {s.name for s in spans if s.context.trace_id == span.context.trace_id}


async def test_a_round_and_an_action_are_traced_through_the_worker_to_the_store(temporal_env, store, spans):
    tracing, exporter = spans
    client = traced(temporal_env.client)
    assert traced(client) is client  # the interceptor is added once
    worker, inp, wid, tq = await start_period(temporal_env, store, example_document(), client=client)
    async with worker:  # built on the traced client, the worker carries its interceptor too
        handle = await client.start_workflow(AllocationPeriodWorkflow.run, inp, id=wid, task_queue=tq)
        await skip_until(temporal_env, handle, lambda v: v.meeting_open)
        assert (await submit(handle, "pick", "gp04", "2027-01-05/backup")).accepted
        assert not (await submit(handle, "pick", "gp06", "2027-01-05/day")).accepted  # R-QUAL-2
        await handle.result()  # to publication: the shared time-skipping server is left with nothing running
    tracing.flush()
    finished = exporter.get_finished_spans()

    started = _one(finished, "StartWorkflow:AllocationPeriodWorkflow")
    assert {"RunWorkflow:AllocationPeriodWorkflow", "StartActivity:append_events",
            "RunActivity:append_events"} <= _trace_of(finished, started)
    run = _one(finished, "RunWorkflow:AllocationPeriodWorkflow")
    assert run.parent is not None and run.parent.span_id == started.context.span_id
    assert run.attributes["temporalWorkflowID"] == wid

    # A round is one trace; each action's handler in it is linked to the request that sent it.
    updates = [s for s in finished if s.name == "StartWorkflowUpdate:submit_actions"]
    assert len(updates) == 2
    for update in updates:
        for name in ("ValidateUpdate:submit_actions", "HandleUpdate:submit_actions"):
            linked = [s for s in finished if s.name == name
                      and [link.context.span_id for link in s.links] == [update.context.span_id]]
            assert len(linked) == 1, name
            assert linked[0].context.trace_id == started.context.trace_id
    stored = [s for s in finished if s.name == "RunActivity:append_events"]
    assert len(stored) >= 3  # the round's opening, the meeting's opening, the pick (the refusal stores nothing)

    assert {s.resource.attributes["service.name"] for s in finished} == {"vakt-test"}
    said = " ".join(f"{s.name} {dict(s.attributes)} {[e.name for e in s.events]}" for s in finished)
    doctors = [d["id"] for d in example_document()["doctors"]]
    assert not [d for d in doctors if d in said], "a doctor's id in a span"
