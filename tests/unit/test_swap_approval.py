"""R-SWAP-2 on the pure decisions: the approval policy's modes (the `within_hours` boundary, across
a DST change), a swap that waits, the re-check at approval, rejection, expiry of a waiting swap,
and an operator's swap with its refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.district import DistrictPolicy
from domain.mail.approval_notices import approval_notices, withdrawal_notices
from domain.model import Policy
from domain.period.events import SwapAccepted, SwapApproved, SwapAwaitingApproval, SwapCarriedOut, SwapClosed, SwapOffered, SwapRejected, ShiftTaken, Source
from domain.period.roster import loads
from domain.period.rules import RuleViolation
from domain.period.state import apply
from domain.period.swap_approval import approve_swap, carry_out_swap, reject_swap, wait_or_take
from domain.period.swaps import accept_swap, close_swap, expired_swaps, offer_swap
from domain.registry.policy import apply_policy_changes
from domain.registry.records import RegistryError
from domain.swap_policy import SwapApprovalPolicy
from tests.helpers.builders import TZ, drive, gp, make_config, staff

BEFORE = datetime(2027, 1, 1, 12, 0, tzinfo=TZ)
OPERATOR = "operator:acc-1"


def published(approval: SwapApprovalPolicy = SwapApprovalPolicy(mode="always")):
    config = make_config([gp("gp1"), gp("gp2"), gp("weak", qualified=False), gp("gp3"), staff("st1")], days=7,
                         policy=Policy(swap_approval=approval))
    return drive(config, seed=3)


def legal_swap(outcome, giver="gp1", receivers=("gp2", "gp3")):
    """(state with an offer "s1", shift, receiver) that R-SWAP-1 allows."""
    for shift in outcome.state.held_by(giver):
        for receiver in receivers:
            event = offer_swap(outcome.state, outcome.calendar, swap_id="s1", giver=giver, shift_id=shift,
                               receiver=receiver, now=BEFORE)
            state = apply(outcome.state, event)
            if isinstance(accept_swap(state, outcome.calendar, swap_id="s1", receiver=receiver, now=BEFORE), SwapAccepted):
                return state, shift, receiver
    raise AssertionError("no legal swap in the sample")


def waiting(outcome):
    state, shift, receiver = legal_swap(outcome)
    accepted = accept_swap(state, outcome.calendar, swap_id="s1", receiver=receiver, now=BEFORE)
    event = wait_or_take(state, outcome.calendar, accepted, BEFORE)
    assert isinstance(event, SwapAwaitingApproval)
    return state, apply(state, event), shift, receiver, event


# ------------------------------------------------------------------------------ the policy

def test_r_swap_2_policy_modes_and_the_within_hours_boundary():
    start = datetime(2027, 1, 10, 18, 0, tzinfo=TZ)
    assert not SwapApprovalPolicy().needs_approval(start, start - timedelta(minutes=1))  # on_accept (default)
    assert SwapApprovalPolicy(mode="always").needs_approval(start, start - timedelta(days=100))
    within = SwapApprovalPolicy(mode="within_hours", hours=72)
    assert within.needs_approval(start, start - timedelta(hours=72))  # exactly N hours: waits
    assert not within.needs_approval(start, start - timedelta(hours=72, seconds=1))
    assert within.needs_approval(start, start - timedelta(hours=1))


def test_r_swap_2_within_hours_counts_real_hours_across_the_spring_dst_change():
    """R-TIME-1: Sunday 28 March 2027 is an hour short in Europe/Oslo. 72 real hours before
    Sunday 18:00 is Thursday 17:00 wall-clock, not 18:00."""
    start = datetime(2027, 3, 28, 18, 0, tzinfo=TZ)
    within = SwapApprovalPolicy(mode="within_hours", hours=72)
    thursday_18 = datetime(2027, 3, 25, 18, 0, tzinfo=TZ)  # 72 h on the wall clock, 71 real hours
    assert start.astimezone(UTC) - thursday_18.astimezone(UTC) == timedelta(hours=71)
    assert within.needs_approval(start, thursday_18)
    assert within.needs_approval(start, datetime(2027, 3, 25, 17, 0, tzinfo=TZ))  # exactly 72 real hours
    assert not within.needs_approval(start, datetime(2027, 3, 25, 16, 59, tzinfo=TZ))


def test_r_swap_2_policy_is_validated_naming_the_setting():
    with pytest.raises(RegistryError) as missing:
        apply_policy_changes(DistrictPolicy(), ["swap_approval.mode=within_hours"])
    assert "swap_approval" in str(missing.value.problems) and "hours" in str(missing.value.problems)
    with pytest.raises(RegistryError) as negative:
        apply_policy_changes(DistrictPolicy(), ["swap_approval.mode=within_hours", "swap_approval.hours=-3"])
    assert "swap_approval.hours" in str(negative.value.problems)
    with pytest.raises(RegistryError):
        apply_policy_changes(DistrictPolicy(), ["swap_approval.mode=sometimes"])
    set_ = apply_policy_changes(DistrictPolicy(), ["swap_approval.mode=within_hours", "swap_approval.hours=72"])
    assert set_.engine_policy().swap_approval == SwapApprovalPolicy(mode="within_hours", hours=72)
    assert DistrictPolicy().swap_approval.mode == "on_accept"


# ---------------------------------------------------------------------------- waiting

def test_r_swap_2_on_accept_takes_effect_at_once():
    outcome = published(SwapApprovalPolicy())
    state, _, receiver = legal_swap(outcome)
    accepted = accept_swap(state, outcome.calendar, swap_id="s1", receiver=receiver, now=BEFORE)
    assert wait_or_take(state, outcome.calendar, accepted, BEFORE) is accepted


def test_r_swap_2_a_waiting_swap_leaves_the_shift_with_the_giver_and_takes_no_second_acceptance():
    outcome = published()
    before, state, shift, receiver, event = waiting(outcome)
    assert event.expires_at == outcome.calendar.by_id[shift].start  # waits until the shift starts at most
    assert state.assignments[shift].doctor == "gp1"  # R-SWAP-1: the giver still holds it
    assert state.swaps["s1"].accepted_by == receiver
    again = accept_swap(state, outcome.calendar, swap_id="s1", receiver="gp3", now=BEFORE)
    assert isinstance(again, RuleViolation) and again.code == "swap_awaiting_approval" and again.rule == "R-SWAP-2"
    [(giver, facts)] = approval_notices(before, outcome.calendar, event)
    assert giver == "gp1" and facts.kind == "swap-waiting"
    backs_out = close_swap(state, swap_id="s1", by=receiver)
    assert isinstance(backs_out, SwapClosed) and backs_out.outcome == "declined"


def test_r_swap_2_approval_moves_the_shift_and_the_load():
    outcome = published()
    _, state, shift, receiver, _ = waiting(outcome)
    approved = approve_swap(state, outcome.calendar, swap_id="s1", operator=OPERATOR, now=BEFORE)
    assert isinstance(approved, SwapApproved) and approved.operator == OPERATOR and approved.receiver == receiver
    after = apply(state, approved)
    assert after.assignments[shift].doctor == receiver and after.assignments[shift].source is Source.SWAP
    assert not after.swaps
    assert loads(after, outcome.calendar)[receiver].shifts == loads(state, outcome.calendar)[receiver].shifts + 1
    notices = approval_notices(state, outcome.calendar, approved)
    assert sorted((d, f.role) for d, f in notices) == sorted([("gp1", "giver"), (receiver, "receiver")])


def test_r_swap_2_approval_rechecks_r_swap_1():
    """Things change while a swap waits: the receiver takes a shift that leaves no rest, or the
    shift starts. The approval is refused with the rule, naming no doctor, and writes nothing."""
    outcome = published()
    _, state, shift, receiver, _ = waiting(outcome)
    target = outcome.calendar.by_id[shift]
    # The receiver is handed an adjacent shift meanwhile (R-REST-1 now fails).
    neighbour = next(s for s in outcome.calendar.shifts
                     if s.id != shift and s.start - target.end < timedelta(hours=8)
                     and target.start - s.end < timedelta(hours=8))
    holder = state.assignments.get(neighbour.id)
    crowded = apply(state, ShiftTaken(shift=neighbour.id, doctor=receiver, source=Source.SWAP)) if holder is None or holder.doctor != receiver else state
    refused = approve_swap(crowded, outcome.calendar, swap_id="s1", operator=OPERATOR, now=BEFORE)
    assert isinstance(refused, RuleViolation) and refused.rule == "R-REST-1", refused
    assert receiver not in refused.message and "gp1" not in refused.message
    started = approve_swap(state, outcome.calendar, swap_id="s1", operator=OPERATOR, now=target.start)
    assert isinstance(started, RuleViolation) and started.code == "swap_started"
    not_waiting = approve_swap(apply(state, SwapOffered(swap="s9", shift=state.held_by("gp3")[0], giver="gp3",
                                                        receiver=None, expires_at=BEFORE + timedelta(days=1))),
                               outcome.calendar, swap_id="s9", operator=OPERATOR, now=BEFORE)
    assert isinstance(not_waiting, RuleViolation) and not_waiting.code == "swap_not_awaiting"


def test_r_swap_2_reject_needs_a_reason_and_changes_nothing():
    outcome = published()
    _, state, shift, receiver, _ = waiting(outcome)
    no_reason = reject_swap(state, swap_id="s1", operator=OPERATOR, reason="  ")
    assert isinstance(no_reason, RuleViolation) and no_reason.code == "reason_required" and no_reason.rule == "R-SWAP-2"
    rejected = reject_swap(state, swap_id="s1", operator=OPERATOR, reason="Bakvakt mangler")
    assert isinstance(rejected, SwapRejected) and rejected.reason == "Bakvakt mangler"
    after = apply(state, rejected)
    assert after.assignments == outcome.state.assignments and not after.swaps
    notices = approval_notices(state, outcome.calendar, rejected)
    assert {f.reason for _, f in notices} == {"Bakvakt mangler"} and len(notices) == 2


def test_r_swap_2_a_waiting_swap_expires_when_its_shift_starts_and_both_are_told():
    outcome = published()
    _, state, shift, receiver, _ = waiting(outcome)
    start = outcome.calendar.by_id[shift].start
    assert expired_swaps(state, start - timedelta(seconds=1)) == []
    [gone] = expired_swaps(state, start)
    assert gone.outcome == "expired"
    notices = approval_notices(state, outcome.calendar, gone)
    assert sorted(d for d, _ in notices) == sorted(["gp1", receiver])
    assert {f.kind for _, f in notices} == {"swap-wait-expired"}
    assert apply(state, gone).assignments == outcome.state.assignments


def test_r_swap_2_a_waiting_swap_withdrawn_by_its_giver_tells_the_doctor_who_accepted_it():
    outcome = published()
    _, state, shift, receiver, _ = waiting(outcome)
    gone = close_swap(state, swap_id="s1", by="gp1")
    assert isinstance(gone, SwapClosed) and gone.outcome == "withdrawn"
    [(told, facts)] = withdrawal_notices(state, outcome.calendar, gone)
    assert told == receiver and facts.kind == "swap-withdrawn" and facts.other == "gp1" and facts.role == "receiver"
    assert approval_notices(state, outcome.calendar, gone) == []  # the giver acted themselves
    assert apply(state, gone).assignments == outcome.state.assignments  # the shift stays with the giver
    # An open offer nobody accepted yet tells no one when withdrawn.
    open_offer, *_ = legal_swap(outcome)
    withdrawn = close_swap(open_offer, swap_id="s1", by="gp1")
    assert isinstance(withdrawn, SwapClosed) and withdrawal_notices(open_offer, outcome.calendar, withdrawn) == []


# ------------------------------------------------------------------------ operator swap

def test_r_swap_2_operator_swap_takes_effect_at_once_with_operator_both_doctors_and_reason():
    outcome = published()
    _, shift, receiver = legal_swap(outcome)
    event = carry_out_swap(outcome.state, outcome.calendar, swap_id="c1", shift_id=shift, giver="gp1",
                           receiver=receiver, operator=OPERATOR, reason="gp1 er syk", now=BEFORE)
    assert isinstance(event, SwapCarriedOut)
    assert (event.operator, event.giver, event.receiver, event.reason) == (OPERATOR, "gp1", receiver, "gp1 er syk")
    after = apply(outcome.state, event)
    assert after.assignments[shift].doctor == receiver
    # An open offer of the shift ends with it.
    offered = apply(outcome.state, SwapOffered(swap="s1", shift=shift, giver="gp1", receiver=None,
                                               expires_at=BEFORE + timedelta(days=1)))
    assert not apply(offered, event).swaps
    mails = approval_notices(outcome.state, outcome.calendar, event)
    assert len(mails) == 2 and all(f.reason is None for _, f in mails)  # the reason may be about health


def test_r_swap_2_operator_swap_refusals_name_the_rule():
    outcome = published()
    backup = next(s for s, a in outcome.state.assignments.items() if s.endswith("/backup") and a.doctor != "weak")
    giver = outcome.state.assignments[backup].doctor
    shift = outcome.state.held_by("gp1")[0]

    def carry(**kw):
        args = dict(swap_id="c1", shift_id=shift, giver="gp1", receiver="gp2", operator=OPERATOR, reason="syk",
                    now=BEFORE)
        args.update(kw)
        return carry_out_swap(outcome.state, outcome.calendar, **args)

    cases = {
        "R-QUAL-2": carry(shift_id=backup, giver=giver, receiver="weak"),
        "R-PROC-2": carry(receiver="st1"),
        "R-PROC-7": carry(receiver="nobody"),
    }
    for rule, refused in cases.items():
        assert isinstance(refused, RuleViolation) and refused.rule == rule, (rule, refused)
    assert carry(giver="gp2").code == "swap_not_holder"
    assert carry(now=outcome.calendar.by_id[shift].start).code == "swap_started"
    assert carry(receiver="gp1").code == "swap_to_self"
    assert carry(reason="").code == "reason_required"


# ------------------------------------------------------------------- pages and mail

def test_r_swap_2_a_waiting_swap_shows_to_its_giver_and_receiver_only():
    from domain.period.doctor_board import doctor_board

    outcome = published()
    _, state, shift, receiver, _ = waiting(outcome)
    [out] = doctor_board(state, outcome.calendar, "gp1", BEFORE).swaps_out
    assert out.awaiting_approval and out.accepted_by == receiver
    [incoming] = doctor_board(state, outcome.calendar, receiver, BEFORE).swaps_in
    assert incoming.awaiting_approval and not incoming.allowed
    bystander = next(d for d in ("gp2", "gp3") if d != receiver)
    assert doctor_board(state, outcome.calendar, bystander, BEFORE).swaps_in == []


def test_r_swap_2_notices_are_worded_in_norwegian_first_for_each_decision():
    from datetime import date

    from domain.mail.facts import PeriodLine, ShiftFact, SwapDecisionFacts
    from domain.mail.render import render
    from domain.model import ShiftKind

    period = PeriodLine(period_id="mosse-2027-h1", district_name="Mosse", start=date(2027, 1, 1), end=date(2027, 6, 30))
    shift = ShiftFact(shift_id="2027-01-09/day", name="day", kind=ShiftKind.DUTY,
                      start=datetime(2027, 1, 9, 8, tzinfo=TZ), end=datetime(2027, 1, 9, 16, tzinfo=TZ))
    subjects = {"swap-waiting": "Vaktbytte venter på godkjenning", "swap-approved": "Vaktbytte godkjent",
                "swap-rejected": "Vaktbytte avvist", "swap-wait-expired": "Vaktbytte ikke godkjent i tide",
                "swap-carried-out": "Vaktbytte gjennomført av legevakten", "swap-withdrawn": "Vaktbytte trukket tilbake"}
    for kind, subject in subjects.items():
        for role in ("giver", "receiver"):
            facts = SwapDecisionFacts(kind=kind, swap="s-1", role=role, other="gp02", shift=shift,
                                      reason="Bakvakt mangler" if kind == "swap-rejected" else None)
            message = render(period, facts, name="Kari", public_url="https://vakt.example.no")
            assert message.subject.startswith(subject) and "09.01.2027 08:00" in message.subject
            assert message.text.index("Hei") < message.text.index("Hello")  # Norwegian first
            assert "lege gp02" in message.text.lower()
            if kind == "swap-rejected":
                assert "Begrunnelse: Bakvakt mangler" in message.text
