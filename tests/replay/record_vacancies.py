"""Record a published round that goes through vacancies (R-VAC-1..3), for the replay test:

    .venv/bin/python -m tests.replay.record --vacancies

A live, notifying period of the example district after publication: one vacancy declared by
its holder and taken by a colleague (the holder and operator told), one left until its
escalation timer fires and then assigned by an operator, one left open until its shift starts
(uncovered); shifts worked as they end; continue-as-new every 10 updates. Written to
tests/replay/histories/vacancies/.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from tests.replay.record import (
    EXAMPLE, HISTORIES, TASK_QUEUE, WORKFLOW_ID, _skip_until, write_runs,
)
from tests.helpers.support import retrying_update

VACANCIES = HISTORIES / "vacancies"


async def record_vacancies(out: Path = VACANCIES) -> list[Path]:

    from adapters.postgres.event_store import EventStore
    from adapters.postgres.projections import RosterProjection
    from adapters.postgres.schema import create_pool, migrate
    from app.identity.accounts import add_account
    from app.registry.districts import import_scenario
    from domain.model import Phase
    from domain.period.calendar import PeriodCalendar
    from domain.period.events import parse_event
    from domain.period.state import fold
    from domain.period.vacancies import eligible_doctors
    from domain.scenario import parse_scenario, to_period_config
    from infra.embedded import embedded_postgres_url, start_time_skipping_env, stop_embedded_postgres
    from infra.mailbox import DevSmtpServer
    from tests.helpers.mail import free_port
    from tests.helpers.support import CONVERTER, services_for, submit_retrying
    from worker import create_worker, live_activities
    from workflows.messages import PeriodInput
    from workflows.period import AllocationPeriodWorkflow
    from workflows.vacancy_messages import AssignVacancyInput, DeclareVacancyInput, TakeVacancyInput

    scenario = parse_scenario(json.loads(EXAMPLE.read_text()))
    config = to_period_config(scenario)
    config = config.model_copy(update={
        "period": config.period.model_copy(update={"id": WORKFLOW_ID}),
        "district": config.district.model_copy(update={"id": "demo"}),
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
        operator = await add_account(services, "kari.nordmann@klinikk.example.no", "operator", "Kari Nordmann",
                                     actor="admin:recorder", districts=["demo"])
        extra = await live_activities(services)
        async with env, create_worker(env.client, store, TASK_QUEUE, fail_fast=True, extra_activities=extra):
            anchor = config.period.wishes_due - timedelta(hours=1)
            inp = PeriodInput(
                config=config, simulated=True, notify=True, follow_through=True, max_updates_per_run=10,
                clock_offset_seconds=(anchor - await env.get_current_time()).total_seconds(),
                started_by="operator:recorder",
            )
            handle = await env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id=WORKFLOW_ID,
                                                     task_queue=TASK_QUEUE)
            first_run = handle.result_run_id
            for a in scenario.staff_assignments:
                await submit_retrying(env.client, WORKFLOW_ID, "staff", a.doctor, a.shift)
            await _skip_until(env, handle, lambda v: v.phase is Phase.PUBLISHED)
            view = await handle.query(AllocationPeriodWorkflow.phase)
            state = fold(parse_event(e.data) for e in await store.read_stream(WORKFLOW_ID))
            calendar = PeriodCalendar.from_config(state.require_config())

            update = retrying_update(handle)

            chosen, holders = [], set()
            for shift, held in sorted(state.assignments.items(), key=lambda kv: (calendar.by_id[kv[0]].start, kv[0])):
                if (held.doctor.startswith("gp") and held.doctor not in holders
                        and calendar.by_id[shift].start > view.now + timedelta(days=3)
                        and eligible_doctors(state, calendar, shift)):
                    chosen.append((held.doctor, shift))
                    holders.add(held.doctor)
                if len(chosen) == 3:
                    break
            (assigned_holder, assigned_shift), (taken_holder, taken_shift), (open_holder, open_shift) = chosen

            async def declare(holder, shift):
                asked = DeclareVacancyInput(holder=holder, shift=shift, reason="syk", actor=f"doctor:{holder}")
                return (await update(AllocationPeriodWorkflow.declare_vacancy, asked)).vacancy

            taken = await declare(taken_holder, taken_shift)
            taker = eligible_doctors(state, calendar, taken_shift)[0]
            await update(AllocationPeriodWorkflow.take_vacancy,
                         TakeVacancyInput(vacancy=taken, doctor=taker, actor=f"doctor:{taker}"))
            to_assign = await declare(assigned_holder, assigned_shift)
            await declare(open_holder, open_shift)  # left open until its shift starts
            start = calendar.by_id[assigned_shift].start
            await env.sleep(start - timedelta(hours=48) - view.now + timedelta(minutes=1))
            doctor = next(d for d in eligible_doctors(state, calendar, assigned_shift) if d != taker)
            await update(AllocationPeriodWorkflow.assign_vacancy, AssignVacancyInput(
                vacancy=to_assign, doctor=doctor, reason="ringt", actor=f"operator:{operator.account_id} for doctor:{doctor}"))
            result = await handle.result()  # the server skips to the last shift's end
            assert result.phase is Phase.PUBLISHED and result.runs > 1, result
            types = [e.type for e in await store.read_stream(WORKFLOW_ID)]
            for kind in ("VacancyTaken", "VacancyEscalated", "VacancyAssigned", "VacancyUncovered"):
                assert kind in types, kind
            written = await write_runs(env.client, first_run, out)
        await services.aclose()
        await pool.close()
        await live.close()
    finally:
        smtp.stop()
        stop_embedded_postgres(data_dir / "pg")
        shutil.rmtree(data_dir, ignore_errors=True)
    return written
