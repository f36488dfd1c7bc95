"""R-SWAP-2 on the time-skipping server, with the registry holding the addresses and a real SMTP
server: under `within_hours` (72 h) an early swap takes effect on acceptance and a late one
waits; an operator approves one (the shift moves, and the worked load follows it, R-LOAD-1),
rejects another with a reason, and carries out a swap for two doctors (stored with the
operator, both doctors and the reason); a waiting swap nobody decides expires when its shift
starts. The doctors concerned are told by e-mail, once each."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.worker import Replayer

from adapters.postgres.event_store import EventStore
from adapters.postgres.projections import RosterProjection
from app.reads.events import wait_until_stored
from app.registry.districts import import_scenario
from domain.model import Phase, Role
from domain.period.calendar import PeriodCalendar
from domain.period.events import (
    ShiftsWorked, SwapAccepted, SwapApproved, SwapAwaitingApproval, SwapCarriedOut, SwapClosed, SwapOffered,
    SwapRejected, parse_event,
)
from domain.period.state import PeriodState, apply, fold
from domain.period.swaps import accept_swap, offer_swap
from domain.swap_policy import SwapApprovalPolicy
from tests.helpers.mail import smtp_server  # noqa: F401 - the fixture
from tests.helpers.support import CONVERTER, services_for
from tests.integration.test_period_workflow import EXAMPLE, example_document, skip_until, start_period
from tests.integration.test_swap_notices import mail_to
from worker import create_worker, live_activities
from workflows.messages import (
    AcceptSwapInput, ApproveSwapInput, CarryOutSwapInput, CloseSwapInput, OfferSwapInput, RejectSwapInput,
)
from workflows.period import AllocationPeriodWorkflow

OPERATOR = "operator:acc-desk"
WITHIN = SwapApprovalPolicy(mode="within_hours", hours=72)


def legal_swap(state: PeriodState, calendar: PeriodCalendar, now: datetime, involved: set[str],
               starts_after: datetime, starts_before: datetime) -> tuple[str, str, str]:
    """(giver, shift, receiver) among doctors not yet involved, the shift starting in the window."""
    config = state.require_config()
    doctors = [d.id for d in config.doctors if d.role is not Role.STAFF and d.id not in involved]
    for shift, held in sorted(state.assignments.items(), key=lambda kv: calendar.by_id[kv[0]].start):
        start = calendar.by_id[shift].start
        if held.doctor not in doctors or not (starts_after < start <= starts_before):
            continue
        for receiver in doctors:
            offered = offer_swap(state, calendar, swap_id="x", giver=held.doctor, shift_id=shift, receiver=None, now=now)
            if receiver != held.doctor and isinstance(offered, SwapOffered) and isinstance(
                accept_swap(apply(state, offered), calendar, swap_id="x", receiver=receiver, now=now), SwapAccepted
            ):
                involved |= {held.doctor, receiver}
                return held.doctor, shift, receiver
    raise AssertionError("no legal swap left in the window")


async def test_r_swap_2_approval_rejection_operator_swap_and_expiry_in_a_running_round(
    temporal_env, sim_pool, pg_pool, pg_database_url, tmp_path, smtp_server  # noqa: F811
):
    services = services_for(pg_database_url, tmp_path, temporal_env.client,
                            SMTP_URL=f"smtp://127.0.0.1:{smtp_server.port}")
    await import_scenario(services, "demo", EXAMPLE, actor="admin:test")
    store = EventStore(sim_pool, [RosterProjection()], kind="simulation")
    _, inp, wid, tq = await start_period(temporal_env, store, example_document(), notify=True, follow_through=True)
    tq += "-approval"
    district = inp.config.district
    policy = district.policy.model_copy(update={"swap_approval": WITHIN})
    config = inp.config.model_copy(update={"district": district.model_copy(update={"id": "demo", "policy": policy})})
    inp = inp.model_copy(update={"config": config})
    maildir = smtp_server.maildir
    involved: set[str] = set()

    async with create_worker(temporal_env.client, store, tq, fail_fast=True,
                             extra_activities=await live_activities(services)):
        handle = await temporal_env.client.start_workflow(AllocationPeriodWorkflow.run, inp, id=wid, task_queue=tq)
        view = await skip_until(temporal_env, handle, lambda v: v.phase is Phase.PUBLISHED)

        async def current() -> PeriodState:
            await wait_until_stored(store, wid, (await handle.query(AllocationPeriodWorkflow.phase)).version, timeout=10)
            return fold(parse_event(e.data) for e in await store.read_stream(wid))

        async def offer_and_accept(giver, shift, receiver):
            offered = await handle.execute_update(
                AllocationPeriodWorkflow.offer_swap,
                OfferSwapInput(giver=giver, shift=shift, receiver=None, actor=f"doctor:{giver}"))
            accepted = await handle.execute_update(
                AllocationPeriodWorkflow.accept_swap,
                AcceptSwapInput(swap=offered.swap, receiver=receiver, actor=f"doctor:{receiver}"))
            return accepted

        state = await current()
        calendar = PeriodCalendar.from_config(state.require_config())
        first_start = calendar.shifts[0].start
        # A: early — its shift starts more than 72 h ahead: takes effect on acceptance.
        giver_a, shift_a, receiver_a = legal_swap(state, calendar, view.now, involved,
                                                  first_start + timedelta(days=5), first_start + timedelta(days=14))
        a = await offer_and_accept(giver_a, shift_a, receiver_a)
        assert not a.awaiting_approval

        # Two days before the period's first shift: its first shifts are late ones now.
        now = first_start - timedelta(hours=48)  # the round's clock moves on with its next task
        await temporal_env.sleep(now - view.now)
        window = (now + timedelta(minutes=10), now + timedelta(hours=71))
        state = await current()
        giver_b, shift_b, receiver_b = legal_swap(state, calendar, now, involved, *window)
        giver_c, shift_c, receiver_c = legal_swap(state, calendar, now, involved, *window)
        giver_e, shift_e, receiver_e = legal_swap(state, calendar, now, involved, *window)
        giver_d, shift_d, receiver_d = legal_swap(state, calendar, now, involved, window[0],
                                                  first_start + timedelta(days=14))

        # B: late — waits; the giver keeps the shift until an operator approves.
        b = await offer_and_accept(giver_b, shift_b, receiver_b)
        assert b.awaiting_approval
        assert (await current()).assignments[shift_b].doctor == giver_b
        await mail_to(maildir, giver_b, "Vaktbytte venter på godkjenning")
        approved = await handle.execute_update(AllocationPeriodWorkflow.approve_swap,
                                               ApproveSwapInput(swap=b.swap, actor=OPERATOR))
        assert (await current()).assignments[shift_b].doctor == receiver_b
        # C: late — waits, and is rejected with a reason; approving it afterwards is refused and writes nothing.
        c = await offer_and_accept(giver_c, shift_c, receiver_c)
        assert c.awaiting_approval
        await handle.execute_update(AllocationPeriodWorkflow.reject_swap,
                                    RejectSwapInput(swap=c.swap, reason="Bakvakten må være på plass", actor=OPERATOR))
        version = (await handle.query(AllocationPeriodWorkflow.phase)).version
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(AllocationPeriodWorkflow.approve_swap,
                                        ApproveSwapInput(swap=c.swap, actor=OPERATOR))
        assert isinstance(refused.value.cause, ApplicationError) and "R-SWAP-1" in str(refused.value.cause)
        assert (await handle.query(AllocationPeriodWorkflow.phase)).version == version
        # D: an operator carries out a swap for two doctors who agree — at once.
        actor_d = f"{OPERATOR} for doctor:{giver_d} and doctor:{receiver_d}"
        await handle.execute_update(AllocationPeriodWorkflow.carry_out_swap, CarryOutSwapInput(
            shift=shift_d, giver=giver_d, receiver=receiver_d, reason="Legen er syk", actor=actor_d))
        # F: C's shift offered again to the same colleague; it waits, and its giver withdraws it:
        # the doctor who accepted it is told.
        giver_f, shift_f, receiver_f = giver_c, shift_c, receiver_c
        f = await offer_and_accept(giver_f, shift_f, receiver_f)
        assert f.awaiting_approval
        await handle.execute_update(AllocationPeriodWorkflow.close_swap,
                                    CloseSwapInput(swap=f.swap, by=giver_f, actor=f"doctor:{giver_f}"))
        # E: waits, and nobody decides: it expires when its shift starts.
        e = await offer_and_accept(giver_e, shift_e, receiver_e)
        assert e.awaiting_approval
        result = await handle.result()  # the server skips to the last shift's end
        history = await handle.fetch_history()
    assert result.phase is Phase.PUBLISHED
    # The round's own history replays with this code (the `swap-approval` patch included).
    replayed = await Replayer(workflows=[AllocationPeriodWorkflow], data_converter=CONVERTER).replay_workflow(
        history, raise_on_replay_failure=False)
    assert replayed.replay_failure is None, replayed.replay_failure

    stored = await store.read_stream(wid)
    events = [(s.actor, parse_event(s.data)) for s in stored]
    by_type = lambda t: [(actor, ev) for actor, ev in events if isinstance(ev, t)]  # noqa: E731
    assert [ev.shift for _, ev in by_type(SwapAccepted)] == [shift_a]
    assert sorted(ev.shift for _, ev in by_type(SwapAwaitingApproval)) == sorted([shift_b, shift_c, shift_e, shift_f])
    [(actor, approved_event)] = by_type(SwapApproved)
    assert actor == OPERATOR and approved_event.operator == OPERATOR and approved_event.receiver == receiver_b
    [(actor, rejected)] = by_type(SwapRejected)
    assert (rejected.shift, rejected.reason, actor) == (shift_c, "Bakvakten må være på plass", OPERATOR)
    [(actor, carried)] = by_type(SwapCarriedOut)
    assert actor == actor_d
    assert (carried.operator, carried.giver, carried.receiver, carried.reason) == (
        actor_d, giver_d, receiver_d, "Legen er syk")
    assert [ev.outcome for _, ev in by_type(SwapClosed) if ev.swap == e.swap] == ["expired"]
    assert [(actor, ev.outcome) for actor, ev in by_type(SwapClosed) if ev.swap == f.swap] == [
        (f"doctor:{giver_f}", "withdrawn")]
    # R-LOAD-1: the worked shift counts for whoever held it when it ended.
    worked = fold(ev for _, ev in events).worked
    assert worked[shift_a] == receiver_a and worked[shift_b] == receiver_b and worked[shift_d] == receiver_d
    assert worked[shift_c] == giver_c and worked[shift_e] == giver_e and worked[shift_f] == giver_f
    assert any(isinstance(ev, ShiftsWorked) for _, ev in events)

    # E-mail: each doctor concerned, once, in Norwegian first.
    await mail_to(maildir, giver_a, "Vaktbytte fullført")
    for doctor in (giver_b, receiver_b):
        await mail_to(maildir, doctor, "Vaktbytte godkjent")
    for doctor in (giver_c, receiver_c):
        rejected_mail = await mail_to(maildir, doctor, "Vaktbytte avvist")
        assert "Bakvakten må være på plass" in rejected_mail.text
    for doctor in (giver_d, receiver_d):
        carried_mail = await mail_to(maildir, doctor, "Vaktbytte gjennomført av legevakten")
        assert "syk" not in carried_mail.text  # the reason stays on record, not in the mail
    for doctor in (giver_e, receiver_e):
        await mail_to(maildir, doctor, "Vaktbytte ikke godkjent i tide")
    withdrawn_mail = await mail_to(maildir, receiver_f, "Vaktbytte trukket tilbake")
    assert f"lege {giver_f}" in withdrawn_mail.text.lower()
    rows = await pg_pool.fetch("SELECT doctor_id, kind FROM mail_sent WHERE period_id = $1 AND kind LIKE 'swap-%'", wid)
    kinds = sorted((r["doctor_id"], r["kind"]) for r in rows)
    assert len(kinds) == len(set(kinds))
    assert (giver_b, f"swap-approved:{b.swap}") in kinds and (receiver_b, f"swap-approved:{b.swap}") in kinds
    assert [k for k in kinds if k[1].startswith("swap-withdrawn")] == [(receiver_f, f"swap-withdrawn:{f.swap}")]
    assert approved.shift == shift_b
    await services.aclose()
