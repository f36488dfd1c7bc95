"""Vacancies after publication (R-VAC-1..3) through the real workflow on the time-skipping
server, with PostgreSQL, the registry and a real SMTP server (aiosmtpd):
- declared by the holder, offered by e-mail to every eligible doctor; nobody answers; at 48 hours
  before the start the operators get an alert; an operator assigns it; the assigned doctor is
  told, works it and it counts in their load (R-LOAD-1); every step stored with its actor;
- a colleague takes it first, a second taker is refused (R-PROC-3), the holder and operators
  told who took it;
- still open at its start: recorded and reported uncovered."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from adapters.postgres.event_store import EventStore
from adapters.postgres.projections import RosterProjection
from app.identity.accounts import add_account
from app.registry.districts import import_scenario
from domain.model import Phase
from domain.period.calendar import PeriodCalendar
from domain.period.events import parse_event
from domain.period.roster import loads
from domain.period.state import fold
from domain.period.vacancies import eligible_doctors
from infra.mailbox import read_maildir
from tests.helpers.mail import smtp_server  # noqa: F401 - the fixture
from tests.helpers.support import services_for
from tests.integration.test_period_workflow import EXAMPLE, example_document, start_period
from tests.replay.record import _skip_until
from worker import create_worker, live_activities
from workflows.period import AllocationPeriodWorkflow
from workflows.vacancy_messages import AssignVacancyInput, DeclareVacancyInput, TakeVacancyInput

OPERATOR = "kari.nordmann@klinikk.example.no"
EMAIL = {d["id"]: d["email"] for d in example_document()["doctors"]}


async def mails(maildir, to: str, subject: str, *, count: int = 1, timeout: float = 20.0):
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while loop.time() < give_up:
        found = [m for m in read_maildir(maildir) if to in m.to and m.subject.startswith(subject)]
        if len(found) >= count:
            assert len(found) == count, f"{len(found)} messages '{subject}'"
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no '{subject}' message")


class Round:
    """A notifying, live-like period of the example district 'demo', published, on our own worker."""

    def __init__(self, env, services, store, inp, wid, tq):
        self.env, self.services, self.store, self.inp, self.wid, self.tq = env, services, store, inp, wid, tq

    async def state(self):
        return fold(parse_event(e.data) for e in await self.store.read_stream(self.wid))

    async def stored(self):
        return await self.store.read_stream(self.wid)


@pytest.fixture
async def published(temporal_env, sim_pool, pg_database_url, tmp_path, smtp_server):  # noqa: F811
    services = services_for(pg_database_url, tmp_path, temporal_env.client,
                            SMTP_URL=f"smtp://127.0.0.1:{smtp_server.port}")
    await import_scenario(services, "demo", EXAMPLE, actor="admin:test")
    account = await add_account(services, OPERATOR, "operator", "Kari Nordmann", actor="admin:test", districts=["demo"])
    store = EventStore(sim_pool, [RosterProjection()], kind="simulation")
    _, inp, wid, tq = await start_period(temporal_env, store, example_document(), notify=True, follow_through=True)
    tq += "-mail"  # a worker of our own: with the mail sender and the registry
    config = inp.config.model_copy(update={"district": inp.config.district.model_copy(update={"id": "demo"})})
    inp = inp.model_copy(update={"config": config})
    async with create_worker(temporal_env.client, store, tq, fail_fast=True,
                             extra_activities=await live_activities(services)):
        handle = await temporal_env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id=wid, task_queue=tq)
        await _skip_until(temporal_env, handle, lambda v: v.phase is Phase.PUBLISHED)  # retries a slow query
        view = await handle.query(AllocationPeriodWorkflow.phase, rpc_timeout=timedelta(seconds=30))
        r = Round(temporal_env, services, store, inp, wid, tq)
        r.handle, r.now, r.operator, r.maildir = handle, view.now, f"operator:{account.account_id}", smtp_server.maildir
        yield r
    await services.aclose()


async def a_vacancy(r: Round, *, takers: int = 1):
    """(holder, shift): a held shift of a GP, days ahead, that at least `takers` colleagues may take."""
    state = await r.state()
    calendar = PeriodCalendar.from_config(state.require_config())
    for shift, held in sorted(state.assignments.items()):
        if held.doctor.startswith("gp") and calendar.by_id[shift].start > r.now + timedelta(days=3):
            if len(eligible_doctors(state, calendar, shift)) >= takers:
                return held.doctor, shift, state, calendar
    raise AssertionError("no shift to declare vacant in the example period")


def _refusal(error: WorkflowUpdateFailedError) -> dict:
    return error.cause.details[0]


async def test_r_vac_3_nobody_answers_escalated_assigned_worked_and_counted(published):
    r = published
    holder, shift, state, calendar = await a_vacancy(r)
    declared = await r.handle.execute_update(
        AllocationPeriodWorkflow.declare_vacancy,
        DeclareVacancyInput(holder=holder, shift=shift, reason="syk <b>feber</b>", actor=f"doctor:{holder}"),
    )
    eligible = eligible_doctors(state, calendar, shift)
    # R-VAC-2: every eligible doctor is told at once, in Norwegian, with the shift and a link.
    [offer] = await mails(r.maildir, EMAIL[eligible[0]], "Ledig vakt /")
    assert f"/periods/{r.wid}/vacancies" in offer.text and "Ta vakten her" in offer.text and "feber" not in offer.text
    await mails(r.maildir, EMAIL[eligible[-1]], "Ledig vakt /")
    # Nobody answers: 48 hours before the start the timer fires and the operators are alerted.
    start = calendar.by_id[shift].start
    await r.env.sleep(start - timedelta(hours=48) - r.now + timedelta(minutes=1))
    [alert] = await mails(r.maildir, OPERATOR, "Ledig vakt ikke tatt")
    assert f"/operator/periods/{r.wid}/vacancies" in alert.text
    assignee = eligible[0]
    with pytest.raises(WorkflowUpdateFailedError) as wrong:  # an ineligible doctor: refused, nothing written
        await r.handle.execute_update(AllocationPeriodWorkflow.assign_vacancy, AssignVacancyInput(
            vacancy=declared.vacancy, doctor="st01", reason="ringt", actor=f"{r.operator} for doctor:st01"))
    assert _refusal(wrong.value)["rule"] == "R-PROC-2"
    await r.handle.execute_update(AllocationPeriodWorkflow.assign_vacancy, AssignVacancyInput(
        vacancy=declared.vacancy, doctor=assignee, reason="ringt og avtalt", actor=f"{r.operator} for doctor:{assignee}"))
    await mails(r.maildir, EMAIL[assignee], "Du er satt på vakt")
    [filled] = await mails(r.maildir, EMAIL[holder], "Ledig vakt dekket")
    assert f"lege {assignee}" in filled.text
    result = await r.handle.result()  # the server skips to the last shift's end
    assert result.phase is Phase.PUBLISHED

    stored = await r.stored()
    by_type = {e.type: e for e in stored}
    assert by_type["VacancyDeclared"].actor == f"doctor:{holder}"
    assert by_type["VacancyDeclared"].data["reason"] == "syk <b>feber</b>"  # kept literally
    assert by_type["VacancyDeclared"].data["offered"] == len(eligible)
    assert by_type["VacancyEscalated"].actor == "system:vacancy"
    assert by_type["VacancyEscalated"].occurred_at >= start - timedelta(hours=48)
    assert by_type["VacancyAssigned"].actor == f"{r.operator} for doctor:{assignee}"
    assert by_type["VacancyAssigned"].data["reason"] == "ringt og avtalt"
    assert [e.type for e in stored].count("VacancyAssigned") == 1  # the refused one wrote nothing
    final = fold(parse_event(e.data) for e in stored)
    assert final.worked[shift] == assignee  # R-LOAD-1: the one who held it at its end
    before, after = loads(state, calendar), loads(final, calendar)
    assert after[assignee].shifts == before[assignee].shifts + 1 and after[holder].shifts == before[holder].shifts - 1
    rows = await (await r.services.database()).mail_log.pool.fetch(
        "SELECT doctor_id, kind FROM mail_sent WHERE period_id = $1 AND kind LIKE 'vacancy-%'", r.wid)
    kinds = sorted({row["kind"].partition(":")[0] for row in rows})
    assert kinds == ["vacancy-assigned", "vacancy-escalated", "vacancy-filled", "vacancy-offered"]
    assert len([row for row in rows if row["kind"].startswith("vacancy-offered")]) == len(eligible)  # once each


async def test_r_vac_2_first_valid_taker_wins_a_second_is_refused_and_holder_and_operators_told(published):
    r = published
    holder, shift, state, calendar = await a_vacancy(r, takers=2)
    declared = await r.handle.execute_update(
        AllocationPeriodWorkflow.declare_vacancy,
        DeclareVacancyInput(holder=holder, shift=shift, reason="akutt", actor=f"{r.operator} for doctor:{holder}"),
    )
    first, second = eligible_doctors(state, calendar, shift)[:2]
    taken = await r.handle.execute_update(AllocationPeriodWorkflow.take_vacancy, TakeVacancyInput(
        vacancy=declared.vacancy, doctor=first, actor=f"doctor:{first}"))
    assert taken.shift == shift
    with pytest.raises(WorkflowUpdateFailedError) as late:
        await r.handle.execute_update(AllocationPeriodWorkflow.take_vacancy, TakeVacancyInput(
            vacancy=declared.vacancy, doctor=second, actor=f"doctor:{second}"))
    assert (_refusal(late.value)["rule"], _refusal(late.value)["code"]) == ("R-VAC-2", "vacancy_closed")
    assert first not in _refusal(late.value)["message"]
    [to_holder] = await mails(r.maildir, EMAIL[holder], "Ledig vakt dekket")
    [to_operator] = await mails(r.maildir, OPERATOR, "Ledig vakt dekket")
    assert f"lege {first} tok vakten" in " ".join(to_holder.text.split())
    assert f"lege {first}" in to_operator.text
    stored = await r.stored()
    [took] = [e for e in stored if e.type == "VacancyTaken"]
    assert took.actor == f"doctor:{first}" and took.data["doctor"] == first
    [declared_event] = [e for e in stored if e.type == "VacancyDeclared"]
    assert declared_event.actor == f"{r.operator} for doctor:{holder}"  # who acted, and for whom
    assert (await r.state()).assignments[shift].doctor == first
    await r.handle.terminate(reason="test over")


async def test_r_vac_3_still_open_at_its_start_is_reported_uncovered(published):
    r = published
    holder, shift, state, calendar = await a_vacancy(r)
    await r.handle.execute_update(
        AllocationPeriodWorkflow.declare_vacancy,
        DeclareVacancyInput(holder=holder, shift=shift, reason="syk", actor=f"doctor:{holder}"),
    )
    start = calendar.by_id[shift].start
    await r.env.sleep(start - r.now + timedelta(minutes=1))
    await mails(r.maildir, OPERATOR, "Udekket vakt")
    stored = await r.stored()
    types = [e.type for e in stored]
    assert types.count("VacancyEscalated") == 1 and types.count("VacancyUncovered") == 1
    [uncovered] = [e for e in stored if e.type == "VacancyUncovered"]
    assert uncovered.actor == "system:vacancy" and uncovered.occurred_at >= start
    final = fold(parse_event(e.data) for e in stored)
    assert [v.status for v in final.vacancies.values()] == ["uncovered"]  # reported, never dropped
    await r.handle.terminate(reason="test over")
