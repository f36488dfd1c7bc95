"""The stack the published-round recorders share (tests/replay/record.py --published, --vacancies,
tests/replay/record_approvals.py): the example district's live, notifying round — simulated
clock, continue-as-new every 10 updates — run to publication on the time-skipping server, with a
throwaway embedded PostgreSQL, a local SMTP server and the live worker's activities (mail,
operator mail). What each recorder does after publication is its own."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.replay.record import EXAMPLE, TASK_QUEUE, WORKFLOW_ID, _skip_until


@dataclass
class PublishedRound:
    env: Any  # the time-skipping WorkflowEnvironment
    store: Any  # the simulation schema's EventStore
    services: Any
    handle: Any  # the round's WorkflowHandle
    first_run: str
    state: Any  # the round folded from its stored events at publication
    calendar: Any
    view: Any  # the phase query at publication (its `now` is the round's clock)
    update: Callable  # tests.helpers.support.retrying_update on the handle
    prepared: Any = None  # what `prepare` returned


@asynccontextmanager
async def published_round(
    *, policy: dict | None = None, prepare: Callable[[Any], Awaitable[Any]] | None = None,
) -> AsyncIterator[PublishedRound]:
    """`policy`: changes to the district's policy; `prepare(services)`: run once the district is
    imported, before the worker starts (an operator's account, say)."""
    from adapters.postgres.event_store import EventStore
    from adapters.postgres.projections import RosterProjection
    from adapters.postgres.schema import create_pool, migrate
    from app.registry.districts import import_scenario
    from domain.model import Phase
    from domain.period.calendar import PeriodCalendar
    from domain.period.events import parse_event
    from domain.period.state import fold
    from domain.scenario import parse_scenario, to_period_config
    from infra.embedded import embedded_postgres_url, start_time_skipping_env, stop_embedded_postgres
    from infra.mailbox import DevSmtpServer
    from tests.helpers.mail import free_port
    from tests.helpers.support import CONVERTER, retrying_update, services_for, submit_retrying
    from worker import create_worker, live_activities
    from workflows.messages import PeriodInput
    from workflows.period import AllocationPeriodWorkflow

    scenario = parse_scenario(json.loads(EXAMPLE.read_text()))
    config = to_period_config(scenario)
    district = {"id": "demo"}
    if policy:
        district["policy"] = config.district.policy.model_copy(update=policy)
    config = config.model_copy(update={
        "period": config.period.model_copy(update={"id": WORKFLOW_ID}),
        "district": config.district.model_copy(update=district),
    })
    data_dir = Path(tempfile.mkdtemp(prefix="vakt-replay-pg-"))
    smtp = DevSmtpServer(data_dir / "mail", port=free_port())
    smtp.start()
    try:
        url = embedded_postgres_url(data_dir / "pg", cleanup_mode="delete")
        live = await create_pool(url)
        await migrate(live)
        pool = await create_pool(url, schema="simulation")
        store = EventStore(pool, [RosterProjection()], kind="simulation")
        env = await start_time_skipping_env(CONVERTER)
        services = services_for(url, data_dir, env.client, SMTP_URL=f"smtp://127.0.0.1:{smtp.port}")
        await import_scenario(services, "demo", EXAMPLE, actor="admin:recorder")
        prepared = await prepare(services) if prepare is not None else None
        extra = await live_activities(services)
        async with env, create_worker(env.client, store, TASK_QUEUE, fail_fast=True, extra_activities=extra):
            anchor = config.period.wishes_due - timedelta(hours=1)
            inp = PeriodInput(
                config=config, simulated=True, notify=True, follow_through=True, max_updates_per_run=10,
                clock_offset_seconds=(anchor - await env.get_current_time()).total_seconds(),
                started_by="operator:recorder",
            )
            handle = await env.client.start_workflow(
                AllocationPeriodWorkflow.run, inp, id=WORKFLOW_ID, task_queue=TASK_QUEUE
            )
            first_run = handle.result_run_id
            for a in scenario.staff_assignments:
                await submit_retrying(env.client, WORKFLOW_ID, "staff", a.doctor, a.shift)
            await _skip_until(env, handle, lambda v: v.phase is Phase.PUBLISHED)
            view = await handle.query(AllocationPeriodWorkflow.phase)
            state = fold(parse_event(e.data) for e in await store.read_stream(WORKFLOW_ID))
            calendar = PeriodCalendar.from_config(state.require_config())
            yield PublishedRound(env, store, services, handle, first_run, state, calendar, view,
                                 retrying_update(handle), prepared)
        await services.aclose()
        await pool.close()
        await live.close()
    finally:
        smtp.stop()
        stop_embedded_postgres(data_dir / "pg")
        shutil.rmtree(data_dir, ignore_errors=True)
