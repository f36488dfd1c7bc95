"""R-SWAP-1 by e-mail through a real SMTP server, on the time-skipping server with the registry
holding the addresses: after publication a named offer mails its receiver once (the shift in
Europe/Oslo time), an accepted swap mails its giver once with a calendar, a declined or expired
offer mails its giver once, an offer to everyone mails nobody — across a continue-as-new in the
middle of the swaps, and a retried activity sends nothing again."""

from __future__ import annotations

import asyncio
from datetime import datetime

from temporalio import workflow
from temporalio.testing import ActivityEnvironment
from temporalio.worker import Replayer

from activities.mail import MailActivities
from activities.mail_models import SendMailInput
from adapters.postgres.projections import RosterProjection
from adapters.smtp import SmtpSender
from adapters.postgres.event_store import EventStore
from worker import create_worker, live_activities
from app.registry.districts import import_scenario
from domain.period.calendar import PeriodCalendar
from domain.period.events import SwapAccepted, SwapOffered, parse_event
from domain.model import OSLO_TZ, Phase, Role
from domain.period.state import PeriodState, apply, fold
from domain.mail.swap_notices import swap_notices
from domain.period.swaps import accept_swap, offer_swap
from infra.mailbox import read_maildir
from tests.integration.test_period_workflow import EXAMPLE, example_document, skip_until, start_period
from tests.helpers.mail import smtp_server  # noqa: F401 - the fixture
from tests.helpers.support import CONVERTER, retrying_update, services_for
from workflows.messages import AcceptSwapInput, CloseSwapInput, OfferSwapInput, PeriodInput, PeriodResult
from workflows.period import AllocationPeriodWorkflow

EMAIL = {d["id"]: d["email"] for d in example_document()["doctors"]}


def swappable(state: PeriodState, calendar: PeriodCalendar, now: datetime, involved: set[str]) -> tuple[str, str, str]:
    """(giver, shift, receiver): a held shift a colleague may take over, among doctors not yet
    involved in this test's swaps (so each doctor's mail is about one swap)."""
    config = state.require_config()
    doctors = [d.id for d in config.doctors if d.role is not Role.STAFF and d.id not in involved]
    for shift, held in sorted(state.assignments.items()):
        if held.doctor not in doctors:
            continue
        for receiver in doctors:
            offered = offer_swap(state, calendar, swap_id="x", giver=held.doctor, shift_id=shift, receiver=receiver,
                                 now=now)
            if isinstance(offered, SwapOffered) and isinstance(
                accept_swap(apply(state, offered), calendar, swap_id="x", receiver=receiver, now=now), SwapAccepted
            ):
                involved |= {held.doctor, receiver}
                return held.doctor, shift, receiver
    raise AssertionError("no swap left to try in the example period")


async def mail_to(maildir, doctor: str, subject: str, *, timeout: float = 20.0):
    """The one message to `doctor` whose subject starts so, once it has arrived."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while loop.time() < give_up:
        found = [m for m in read_maildir(maildir) if EMAIL[doctor] in m.to and m.subject.startswith(subject)]
        if found:
            assert len(found) == 1, f"{len(found)} messages '{subject}' to {doctor}"
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no '{subject}' message to {doctor}")


async def test_r_swap_1_swap_notices_go_out_once_to_whom_they_concern(
    temporal_env, sim_pool, pg_pool, pg_database_url, tmp_path, smtp_server  # noqa: F811
):
    smtp_url = f"smtp://127.0.0.1:{smtp_server.port}"
    services = services_for(pg_database_url, tmp_path, temporal_env.client, SMTP_URL=smtp_url)
    await import_scenario(services, "demo", EXAMPLE, actor="admin:test")
    store = EventStore(sim_pool, [RosterProjection()], kind="simulation")
    # Ten updates a run: the tenth swap update rolls the run over, mid-swaps.
    _, inp, wid, tq = await start_period(
        temporal_env, store, example_document(), notify=True, follow_through=True, max_updates_per_run=10
    )
    tq += "-mail"  # a worker of our own: with the mail sender and the registry
    config = inp.config.model_copy(update={"district": inp.config.district.model_copy(update={"id": "demo"})})
    inp = inp.model_copy(update={"config": config})
    maildir = smtp_server.maildir
    mail_and_registry = await live_activities(services)
    async with create_worker(temporal_env.client, store, tq, fail_fast=True, extra_activities=mail_and_registry):
        handle = await temporal_env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id=wid, task_queue=tq)
        view = await skip_until(temporal_env, handle, lambda v: v.phase is Phase.PUBLISHED)
        state = fold(parse_event(e.data) for e in await store.read_stream(wid))
        calendar = PeriodCalendar.from_config(state.require_config())
        now, involved = view.now, set()

        offers: dict[str, PeriodState] = {}  # swap -> the state with its offer

        update = retrying_update(handle)  # the update after the tenth may meet the run rolling over

        async def offered(giver, shift, receiver):
            asked = OfferSwapInput(giver=giver, shift=shift, receiver=receiver, actor=f"doctor:{giver}")
            swap = (await update(AllocationPeriodWorkflow.offer_swap, asked)).swap
            event = offer_swap(state, calendar, swap_id=swap, giver=giver, shift_id=shift, receiver=receiver, now=now)
            offers[swap] = apply(state, event)
            return swap

        async def accept(swap, receiver):
            nonlocal state
            await update(AllocationPeriodWorkflow.accept_swap, AcceptSwapInput(swap=swap, receiver=receiver,
                                                                               actor=f"doctor:{receiver}"))
            state = apply(state, accept_swap(offers[swap], calendar, swap_id=swap, receiver=receiver, now=now))

        async def close(swap, by):
            await update(AllocationPeriodWorkflow.close_swap, CloseSwapInput(swap=swap, by=by, actor=f"doctor:{by}"))

        # A: a named offer, taken. The receiver is told first, as a person would be.
        giver_a, shift_a, receiver_a = swappable(state, calendar, now, involved)
        swap_a = await offered(giver_a, shift_a, receiver_a)
        offer_mail = await mail_to(maildir, receiver_a, "Vaktbytte tilbudt")
        await accept(swap_a, receiver_a)
        done_mail = await mail_to(maildir, giver_a, "Vaktbytte fullført")
        # B: an offer to everyone, taken by a colleague: the giver is told; nobody of the offer.
        giver_b, shift_b, receiver_b = swappable(state, calendar, now, involved)
        swap_b = await offered(giver_b, shift_b, None)
        await accept(swap_b, receiver_b)
        await mail_to(maildir, giver_b, "Vaktbytte fullført")
        # C: a named offer, declined. D: a named offer left to expire.
        giver_c, shift_c, receiver_c = swappable(state, calendar, now, involved)
        swap_c = await offered(giver_c, shift_c, receiver_c)
        await mail_to(maildir, receiver_c, "Vaktbytte tilbudt")
        await close(swap_c, receiver_c)
        await mail_to(maildir, giver_c, "Vaktbytte ikke gjennomført")
        giver_d, shift_d, receiver_d = swappable(state, calendar, now, involved)
        swap_d = await offered(giver_d, shift_d, receiver_d)
        await mail_to(maildir, receiver_d, "Vaktbytte tilbudt")
        # E: an offer to everyone, withdrawn: nobody is told. F: the tenth update, a named offer.
        giver_e, shift_e, _ = swappable(state, calendar, now, involved)
        swap_e = await offered(giver_e, shift_e, None)
        await close(swap_e, giver_e)
        giver_f, shift_f, receiver_f = swappable(state, calendar, now, involved)
        swap_f = await offered(giver_f, shift_f, receiver_f)
        await mail_to(maildir, receiver_f, "Vaktbytte tilbudt")
        await accept(swap_f, receiver_f)  # lands on the next run
        result = await handle.result()  # the server skips past D's expiry to the last shift's end
    assert result.phase is Phase.PUBLISHED and result.runs >= 2  # continued as new among the swaps

    rows = await pg_pool.fetch(
        "SELECT doctor_id, kind FROM mail_sent WHERE period_id = $1 AND kind LIKE 'swap-%'", wid
    )
    assert sorted((r["doctor_id"], r["kind"]) for r in rows) == sorted([
        (receiver_a, f"swap-offered:{swap_a}"), (giver_a, f"swap-accepted:{swap_a}"),
        (giver_b, f"swap-accepted:{swap_b}"),
        (receiver_c, f"swap-offered:{swap_c}"), (giver_c, f"swap-lapsed:{swap_c}"),
        (receiver_d, f"swap-offered:{swap_d}"), (giver_d, f"swap-lapsed:{swap_d}"),
        (receiver_f, f"swap-offered:{swap_f}"), (giver_f, f"swap-accepted:{swap_f}"),
    ])
    swap_mail = [m for m in read_maildir(maildir) if m.subject.startswith("Vaktbytte")]
    assert len(swap_mail) == len(rows)  # each message once; none to B's or E's colleagues
    assert not any(EMAIL[receiver_b] in m.to for m in swap_mail)

    # The offer names the shift in Oslo wall-clock time (R-TIME-1), the giver and where to answer.
    s = calendar.by_id[shift_a]
    flat = " ".join(offer_mail.text.split())
    for fact in (f"{s.start.astimezone(OSLO_TZ):%d.%m.%Y %H:%M}", f"{s.end.astimezone(OSLO_TZ):%d.%m.%Y %H:%M}",
                 f"Tilbys av: lege {giver_a}", f"/periods/{wid}"):
        assert fact in flat, fact
    assert done_mail.attachments and all(a.endswith(".ics") for a in done_mail.attachments)

    # A retried activity (the same input again) finds the sent-log and sends nothing.
    events = [parse_event(e.data) for e in await store.read_stream(wid)]
    at = next(i for i, e in enumerate(events) if isinstance(e, SwapOffered) and e.swap == swap_a)
    [(doctor, facts)] = swap_notices(fold(events[:at]), calendar, events[at], now)
    again = SendMailInput(
        period_id=wid, district_id="demo", doctor_id=doctor, district_name=config.district.name,
        period_start=config.period.start, period_end=config.period.end, facts=facts,
    )
    db = await services.database()
    acts = MailActivities(SmtpSender(services.mail_settings), db.mail_log, db.registry)
    outcome = await ActivityEnvironment().run(acts.send_mail, again)
    await services.aclose()
    assert outcome.outcome == "already-sent" and outcome.kind == f"swap-offered:{swap_a}"
    assert len([m for m in read_maildir(maildir) if m.subject.startswith("Vaktbytte")]) == len(rows)


@workflow.defn(name="AllocationPeriodWorkflow", sandboxed=False)  # a test module: not sandbox-importable
class BeforeSwapNotices(AllocationPeriodWorkflow):
    """The workflow as it was before swap notices: swaps recorded, nobody told."""

    @workflow.init
    def __init__(self, inp: PeriodInput) -> None:
        super().__init__(inp)
        self._published.tell_doctors = False

    @workflow.run
    async def run(self, inp: PeriodInput) -> PeriodResult:
        return await super().run(inp)


async def test_r_swap_1_a_round_swapping_before_swap_notices_existed_still_replays(
    temporal_env, sim_pool, pg_database_url, tmp_path, smtp_server  # noqa: F811
):
    """Deploying swap notices must not break a running round whose history has swaps (and sent
    no mail for them): the new code replays it (the patch keeps that run's old behaviour)."""
    smtp_url = f"smtp://127.0.0.1:{smtp_server.port}"
    services = services_for(pg_database_url, tmp_path, temporal_env.client, SMTP_URL=smtp_url)
    await import_scenario(services, "demo", EXAMPLE, actor="admin:test")
    store = EventStore(sim_pool, [RosterProjection()], kind="simulation")
    _, inp, wid, tq = await start_period(temporal_env, store, example_document(), notify=True, follow_through=True)
    config = inp.config.model_copy(update={"district": inp.config.district.model_copy(update={"id": "demo"})})
    inp = inp.model_copy(update={"config": config})
    mail_and_registry = await live_activities(services)
    old = create_worker(temporal_env.client, store, tq + "-old", fail_fast=True, extra_activities=mail_and_registry,
                        workflow_class=BeforeSwapNotices)
    async with old:
        handle = await temporal_env.client.start_workflow(
            BeforeSwapNotices.run, inp, id=wid, task_queue=tq + "-old"
        )
        view = await skip_until(temporal_env, handle, lambda v: v.phase is Phase.PUBLISHED)
        state = fold(parse_event(e.data) for e in await store.read_stream(wid))
        calendar = PeriodCalendar.from_config(state.require_config())
        giver, shift, receiver = swappable(state, calendar, view.now, set())
        offer = await handle.execute_update(
            AllocationPeriodWorkflow.offer_swap,
            OfferSwapInput(giver=giver, shift=shift, receiver=receiver, actor=f"doctor:{giver}"),
        )
        await handle.execute_update(
            AllocationPeriodWorkflow.accept_swap,
            AcceptSwapInput(swap=offer.swap, receiver=receiver, actor=f"doctor:{receiver}"),
        )
        await handle.result()
        history = await handle.fetch_history()
    await services.aclose()
    assert not [m for m in read_maildir(smtp_server.maildir) if m.subject.startswith("Vaktbytte")]
    replayer = Replayer(workflows=[AllocationPeriodWorkflow], data_converter=CONVERTER)
    replayed = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert replayed.replay_failure is None, replayed.replay_failure
