"""Swaps after publication (R-SWAP-1) and the shifts worked (R-LOAD-1), as pure decisions.

R-SWAP-1: a doctor owns a shift until a swap is completed; a pending, declined, expired or
refused swap changes nothing. The receiver must satisfy R-QUAL-2/3 and R-REST-1 beside the
shifts they hold, and must not be registered absent that day (as for any voluntary shift). An
exemption does not stop a receiver: an exempt doctor may volunteer (R-EX-4) — only the lottery
never draws one. Staff doctors' shifts are entered by the clinic (R-PROC-2), so they do not
take swaps.

A swap offer expires at the earlier of its deadline (policy, default 7 days) and the shift's
start; a shift that has started can no longer change hands. When a shift ends, whoever holds it
then has worked it (R-LOAD-1): a shift given away counts for the doctor who took it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.period.calendar import PeriodCalendar
from domain.period.events import ShiftsWorked, SwapAccepted, SwapClosed, SwapOffered
from domain.model import Phase, Role, Shift
from domain.period.rules import RuleViolation, eligibility_violation
from domain.period.state import PeriodState

SWAP_OFFER_DAYS = 7  # how long an offer stands, unless the shift starts sooner


def _no(rule: str, message: str, code: str) -> RuleViolation:
    """A refusal that names nobody but the actor: the other party of a swap stays unnamed."""
    return RuleViolation(rule=rule, message=message, code=code)


def offer_swap(
    state: PeriodState,
    calendar: PeriodCalendar,
    *,
    swap_id: str,
    giver: str,
    shift_id: str,
    receiver: str | None,
    now: datetime,
) -> SwapOffered | RuleViolation:
    config = state.require_config()
    if state.phase is not Phase.PUBLISHED:
        return _no("R-SWAP-1", f"shifts are swapped after publication; the round is in phase {state.phase.value}", "swap_not_published")
    shift = calendar.get(shift_id)
    if shift is None:
        return _no("R-PROC-7", f"{shift_id} is not a shift of period {config.period.id}", "no_such_shift")
    holder = state.assignments.get(shift_id)
    if holder is None or holder.doctor != giver:
        return _no("R-SWAP-1", "you do not hold this shift; only its holder can offer it", "swap_not_holder")
    if shift.start <= now:
        return _no("R-SWAP-1", "the shift has started; it can no longer change hands", "swap_started")
    if any(s.shift == shift_id for s in state.swaps.values()):
        return _no("R-SWAP-1", "the shift is already offered; withdraw that offer first", "swap_already_offered")
    if any(v.open and v.shift == shift_id for v in state.vacancies.values()):  # R-VAC-1: one way out at a time
        return _no("R-VAC-1", "the shift is declared vacant; a colleague takes it from the vacancy", "swap_shift_vacant")
    if receiver is not None:
        if receiver == giver:
            return _no("R-SWAP-1", "a shift is offered to someone else", "swap_to_self")
        doctor = config.doctor(receiver)
        if doctor is None:
            return _no("R-PROC-7", f"the chosen doctor is not on the roll of district {config.district.id}", "swap_not_on_roll")
        if doctor.role is Role.STAFF:
            return _no("R-PROC-2", "staff doctors' shifts are entered by the clinic", "role_staff")
    expires_at = min(now + timedelta(days=SWAP_OFFER_DAYS), shift.start)
    return SwapOffered(swap=swap_id, shift=shift_id, giver=giver, receiver=receiver, expires_at=expires_at)


def accept_swap(
    state: PeriodState, calendar: PeriodCalendar, *, swap_id: str, receiver: str, now: datetime,
    held: list[Shift] | None = None,
) -> SwapAccepted | RuleViolation:
    """R-SWAP-1: the receiver takes the shift over, if the rules let them work it. `held`: the
    receiver's shifts, when the caller has them (as for `rules.check_action`)."""
    config = state.require_config()
    offer = state.swaps.get(swap_id)
    if offer is None:
        return _no("R-SWAP-1", "this swap is no longer open", "swap_closed")
    if offer.expires_at <= now:
        return _no("R-SWAP-1", "the offer has expired", "swap_expired")
    if offer.accepted_by is not None:  # R-SWAP-2: accepted already, waiting for an operator
        return _no("R-SWAP-2", "the offer is accepted and waits for an operator's approval", "swap_awaiting_approval")
    if offer.receiver is not None and offer.receiver != receiver:
        return _no("R-SWAP-1", "the shift was offered to another doctor", "swap_not_yours")
    if receiver == offer.giver:
        return _no("R-SWAP-1", "the giver cannot take their own offer", "swap_own_offer")
    doctor = config.doctor(receiver)
    if doctor is None:
        return _no("R-PROC-7", f"the chosen doctor is not on the roll of district {config.district.id}", "swap_not_on_roll")
    if doctor.role is Role.STAFF:
        return _no("R-PROC-2", "staff doctors' shifts are entered by the clinic", "role_staff")
    shift = calendar.by_id[offer.shift]
    holder = state.assignments.get(offer.shift)
    if holder is None or holder.doctor != offer.giver:
        return _no("R-SWAP-1", "the giver no longer holds the shift", "swap_giver_gone")
    if shift.start <= now:
        return _no("R-SWAP-1", "the shift has started; it can no longer change hands", "swap_started")
    if held is None:
        held = [calendar.by_id[s] for s in state.held_by(receiver)]
    violation = eligibility_violation(config.district.policy, calendar, doctor, shift, held, voluntary=True)
    if violation is not None:
        return violation
    return SwapAccepted(swap=swap_id, shift=offer.shift, giver=offer.giver, receiver=receiver)


def close_swap(state: PeriodState, *, swap_id: str, by: str) -> SwapClosed | RuleViolation:
    """The named receiver declines, or the giver withdraws; nothing changes hands."""
    offer = state.swaps.get(swap_id)
    if offer is None:
        return _no("R-SWAP-1", "this swap is no longer open", "swap_closed")
    if by == offer.giver:
        return SwapClosed(swap=swap_id, shift=offer.shift, outcome="withdrawn", by=by)
    if by in (offer.receiver, offer.accepted_by) and by is not None:
        # The named receiver, or (R-SWAP-2) whoever accepted while it waits, backs out.
        return SwapClosed(swap=swap_id, shift=offer.shift, outcome="declined", by=by)
    return _no("R-SWAP-1", "only the giver can withdraw an offer, and only its named receiver decline it", "swap_not_yours")


def expired_swaps(state: PeriodState, now: datetime) -> list[SwapClosed]:
    return [
        SwapClosed(swap=swap_id, shift=offer.shift, outcome="expired")
        for swap_id, offer in sorted(state.swaps.items(), key=lambda kv: (kv[1].expires_at, kv[0]))
        if offer.expires_at <= now
    ]


def shifts_ended(state: PeriodState, calendar: PeriodCalendar, now: datetime) -> ShiftsWorked | None:
    """R-LOAD-1: every held shift that has ended by `now` and is not yet counted, with its holder."""
    worked = [
        (shift.id, state.assignments[shift.id].doctor)
        for shift in calendar.shifts
        if shift.end <= now and shift.id in state.assignments and shift.id not in state.worked
    ]
    return ShiftsWorked(worked=worked, until=now) if worked else None


def next_wakeup(state: PeriodState, calendar: PeriodCalendar) -> datetime | None:
    """When the published round next has something to record: a shift's end or an offer's expiry."""
    ends = [s.end for s in calendar.shifts if s.id in state.assignments and s.id not in state.worked]
    expiries = [o.expires_at for o in state.swaps.values()]
    candidates = [t for t in (min(ends, default=None), min(expiries, default=None)) if t is not None]
    return min(candidates, default=None)


def all_worked(state: PeriodState, calendar: PeriodCalendar) -> bool:
    """Every held shift has ended and been counted, and no offer is open: the round is over."""
    return not state.swaps and all(s in state.worked for s in state.assignments)
