"""Swaps after publication (R-SWAP-1) and worked load (R-LOAD-1), on the pure decisions."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.period.events import Source, SwapAccepted, SwapClosed, SwapOffered
from domain.period.roster import loads
from domain.period.rules import RuleViolation
from domain.period.state import apply, fold
from domain.period.swaps import accept_swap, all_worked, close_swap, expired_swaps, next_wakeup, offer_swap, shifts_ended
from tests.helpers.builders import TZ, drive, gp, make_config, staff

BEFORE = datetime(2027, 1, 1, 12, 0, tzinfo=TZ)  # published, before the period's first shift


def published():
    config = make_config([gp("gp1"), gp("gp2"), gp("weak", qualified=False), gp("gp3"), staff("st1")], days=7)
    return drive(config, seed=3)


def holding(outcome, doctor, kind=None):
    return [s for s in outcome.state.held_by(doctor) if kind is None or s.endswith(f"/{kind}")]


def offered(outcome, giver, shift, receiver, now=BEFORE, swap_id="s1"):
    event = offer_swap(outcome.state, outcome.calendar, swap_id=swap_id, giver=giver, shift_id=shift, receiver=receiver, now=now)
    assert isinstance(event, SwapOffered), event
    return apply(outcome.state, event)


def test_r_swap_1_a_completed_swap_moves_the_shift_and_the_load():
    outcome = published()
    legal = [
        (shift, receiver)
        for shift in holding(outcome, "gp1")
        for receiver in ("gp2", "gp3")
        if isinstance(
            accept_swap(offered(outcome, "gp1", shift, receiver), outcome.calendar, swap_id="s1", receiver=receiver, now=BEFORE),
            SwapAccepted,
        )
    ]
    assert legal, "the sample gives gp1 at least one shift a colleague may take over"
    shift, receiver = legal[0]
    state = offered(outcome, "gp1", shift, receiver)
    assert state.assignments[shift].doctor == "gp1"  # the giver owns it until the swap completes
    state = apply(state, accept_swap(state, outcome.calendar, swap_id="s1", receiver=receiver, now=BEFORE))
    assert state.assignments[shift].doctor == receiver and state.assignments[shift].source is Source.SWAP
    assert not state.swaps
    before, after = loads(outcome.state, outcome.calendar), loads(state, outcome.calendar)
    assert after["gp1"].shifts == before["gp1"].shifts - 1 and after[receiver].shifts == before[receiver].shifts + 1


def test_r_swap_1_receiver_must_be_qualified_for_a_backup():
    outcome = published()
    backups = [s for s, a in outcome.state.assignments.items() if s.endswith("/backup") and a.doctor != "weak"]
    giver = outcome.state.assignments[backups[0]].doctor
    state = offered(outcome, giver, backups[0], None)
    refused = accept_swap(state, outcome.calendar, swap_id="s1", receiver="weak", now=BEFORE)
    assert isinstance(refused, RuleViolation) and refused.rule == "R-QUAL-2"
    assert state.assignments[backups[0]].doctor == giver  # a refused swap changes nothing


def test_r_swap_1_receiver_needs_rest():
    """R-REST-1: the receiver holds a shift right next to the offered one."""
    outcome = published()
    for shift_id, a in outcome.state.assignments.items():
        shift = outcome.calendar.by_id[shift_id]
        for other_id, b in outcome.state.assignments.items():
            other = outcome.calendar.by_id[other_id]
            if b.doctor not in (a.doctor, "st1") and timedelta(0) <= other.start - shift.end < timedelta(hours=8):
                state = offered(outcome, a.doctor, shift_id, b.doctor)
                refused = accept_swap(state, outcome.calendar, swap_id="s1", receiver=b.doctor, now=BEFORE)
                assert isinstance(refused, RuleViolation) and refused.rule == "R-REST-1", refused
                assert state.assignments[shift_id].doctor == a.doctor
                return
    raise AssertionError("no pair of adjacent shifts with different holders in the sample")


def test_offers_only_by_the_holder_before_the_shift_and_once():
    outcome = published()
    shift = holding(outcome, "gp1")[0]
    start = outcome.calendar.by_id[shift].start
    not_mine = offer_swap(outcome.state, outcome.calendar, swap_id="x", giver="gp2", shift_id=shift, receiver=None, now=BEFORE)
    assert isinstance(not_mine, RuleViolation) and not_mine.rule == "R-SWAP-1" and "only its holder" in not_mine.message
    started = offer_swap(outcome.state, outcome.calendar, swap_id="x", giver="gp1", shift_id=shift, receiver=None, now=start)
    assert isinstance(started, RuleViolation) and "started" in started.message
    state = offered(outcome, "gp1", shift, None)
    twice = offer_swap(state, outcome.calendar, swap_id="y", giver="gp1", shift_id=shift, receiver=None, now=BEFORE)
    assert isinstance(twice, RuleViolation) and "already offered" in twice.message
    to_staff = offer_swap(outcome.state, outcome.calendar, swap_id="z", giver="gp1", shift_id=shift, receiver="st1", now=BEFORE)
    assert isinstance(to_staff, RuleViolation) and to_staff.rule == "R-PROC-2"


def test_named_receiver_only_declines_giver_withdraws_and_offers_expire():
    outcome = published()
    shift = holding(outcome, "gp1")[0]
    state = offered(outcome, "gp1", shift, "gp2")
    assert isinstance(accept_swap(state, outcome.calendar, swap_id="s1", receiver="gp3", now=BEFORE), RuleViolation)
    assert isinstance(close_swap(state, swap_id="s1", by="gp3"), RuleViolation)
    declined = close_swap(state, swap_id="s1", by="gp2")
    assert isinstance(declined, SwapClosed) and declined.outcome == "declined"
    withdrawn = close_swap(state, swap_id="s1", by="gp1")
    assert isinstance(withdrawn, SwapClosed) and withdrawn.outcome == "withdrawn"
    expiry = state.swaps["s1"].expires_at
    assert expiry <= outcome.calendar.by_id[shift].start and next_wakeup(state, outcome.calendar) <= expiry
    assert expired_swaps(state, expiry - timedelta(seconds=1)) == []
    [gone] = expired_swaps(state, expiry)
    after = apply(state, gone)
    assert not after.swaps and after.assignments == outcome.state.assignments  # nothing changed hands
    late = accept_swap(state, outcome.calendar, swap_id="s1", receiver="gp2", now=expiry)
    assert isinstance(late, RuleViolation) and "expired" in late.message


def test_r_load_1_worked_shifts_are_recorded_for_their_holder_at_the_end():
    outcome = published()
    state = outcome.state
    first = outcome.calendar.shifts[0]
    assert shifts_ended(state, outcome.calendar, first.start) is None
    worked = shifts_ended(state, outcome.calendar, first.end)
    assert worked is not None and (first.id, state.assignments[first.id].doctor) in worked.worked
    state = apply(state, worked)
    assert shifts_ended(state, outcome.calendar, first.end) is None  # counted once
    everything = shifts_ended(state, outcome.calendar, datetime(2027, 2, 1, tzinfo=TZ))
    state = apply(state, everything)
    assert all_worked(state, outcome.calendar)
    assert state.worked == {s: a.doctor for s, a in state.assignments.items()}
    assert fold([], state) == state


def test_r_swap_1_refusals_name_no_other_doctor_and_carry_a_code_the_pages_translate():
    from web.i18n import has

    outcome = published()
    shift = holding(outcome, "gp1")[0]
    state = offered(outcome, "gp1", shift, "gp2")
    gone = apply(state, SwapOffered(swap="s2", shift=holding(outcome, "gp3")[0], giver="gp3", receiver=None,
                                    expires_at=BEFORE + timedelta(days=1)))
    moved = dict(gone.assignments)
    moved[shift] = moved[shift].model_copy(update={"doctor": "gp3"})  # the giver lost it meanwhile
    refusals = [
        offer_swap(outcome.state, outcome.calendar, swap_id="x", giver="gp2", shift_id=shift, receiver=None, now=BEFORE),
        accept_swap(state, outcome.calendar, swap_id="s1", receiver="gp3", now=BEFORE),
        close_swap(state, swap_id="s1", by="gp3"),
        accept_swap(gone.model_copy(update={"assignments": moved}), outcome.calendar, swap_id="s1", receiver="gp2", now=BEFORE),
        offer_swap(outcome.state, outcome.calendar, swap_id="z", giver="gp1", shift_id=shift, receiver="st1", now=BEFORE),
    ]
    assert [r.code for r in refusals] == ["swap_not_holder", "swap_not_yours", "swap_not_yours", "swap_giver_gone", "role_staff"]
    for refusal in refusals:
        assert isinstance(refusal, RuleViolation) and has(f"refusal.{refusal.code}")
        assert not any(doctor in refusal.message for doctor in ("gp1", "gp2", "gp3", "st1")), refusal.message
