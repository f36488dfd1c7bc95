"""A round tells its doctors (R-PROC-6, reminders, R-LOAD-1 results) through a real SMTP server:
an invitation to each doctor with a quota at the start, a reminder before the offering closes to
those still below it, and each doctor's shifts with a calendar at publication — each message
once. On the time-skipping server, with the registry holding the addresses."""

from __future__ import annotations

from collections import Counter


from adapters.postgres.projections import RosterProjection
from adapters.postgres.event_store import EventStore
from worker import create_worker, live_activities
from app.registry.districts import import_scenario
from domain.period.events import parse_event
from domain.model import Phase
from domain.period.state import fold
from infra.mailbox import read_maildir
from tests.integration.test_period_workflow import EXAMPLE, example_document, start_period
from tests.helpers.mail import smtp_server  # noqa: F401 - the fixture
from tests.helpers.support import services_for
from workflows.period import AllocationPeriodWorkflow


async def test_invitations_reminders_and_results_go_out_once(
    temporal_env, sim_pool, pg_pool, pg_database_url, tmp_path, smtp_server  # noqa: F811
):
    services = services_for(pg_database_url, tmp_path, temporal_env.client, SMTP_URL=f"smtp://127.0.0.1:{smtp_server.port}")
    await import_scenario(services, "demo", EXAMPLE, actor="admin:test")
    store = EventStore(sim_pool, [RosterProjection()], kind="simulation")
    _, inp, wid, tq = await start_period(temporal_env, store, example_document(), notify=True)
    tq += "-mail"  # a worker of our own: with the mail sender and the registry
    config = inp.config.model_copy(update={"district": inp.config.district.model_copy(update={"id": "demo"})})
    inp = inp.model_copy(update={"config": config})
    extra = await live_activities(services)
    async with create_worker(temporal_env.client, store, tq, fail_fast=True, extra_activities=extra):
        handle = await temporal_env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id=wid, task_queue=tq)
        result = await handle.result()
    await services.aclose()
    assert result.phase is Phase.PUBLISHED
    state = fold(parse_event(e.data) for e in await store.read_stream(wid))
    sent = {
        (r["doctor_id"], r["kind"])
        for r in await pg_pool.fetch("SELECT doctor_id, kind FROM mail_sent WHERE period_id = $1", wid)
    }
    kinds = Counter(kind for _, kind in sent)
    with_quota = {d for d, q in state.quota.per_doctor.items() if q > 0}
    assert {d for d, k in sent if k == "invitation"} == with_quota  # R-PROC-6: everyone with a quota
    holders = {a.doctor for a in state.assignments.values()}
    assert {d for d, k in sent if k == "results"} == holders | with_quota
    assert kinds["reminder-offering"] > 0  # those below quota when the offering was about to close
    mail = read_maildir(smtp_server.maildir)
    assert len(mail) == len(sent)  # each message once
    results = [m for m in mail if m.attachments]
    assert results and all(a.endswith(".ics") for m in results for a in m.attachments)
