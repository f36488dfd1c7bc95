"""R-SWAP-2 as pure decisions: a swap that waits for an operator, the operator's approval or
rejection, and a swap an operator carries out on behalf of two doctors who agree.

- **Waiting.** Under the district's `swap_approval` policy (domain/swap_policy.py) a receiver's
  valid acceptance (every R-SWAP-1 check passed) records `SwapAwaitingApproval` instead of moving
  the shift; the giver keeps it (R-SWAP-1). It waits at the latest until the shift starts, when
  it expires like any offer (domain/period/swaps.expired_swaps).
- **Approval.** R-SWAP-1's checks are made again (R-QUAL-2/3, R-REST-1, absences, the shift not
  started, the giver still holding it): the receiver may have taken another shift meanwhile.
- **Operator swap.** The operator's own act is the approval: it takes effect at once, with the
  same checks, and is recorded with the operator, both doctors and the reason.

Refusals name nobody but the actor (here an operator): the engine's message about a doctor's
qualification or rest is replaced by one that names no one; the rule and code stay.
"""

from __future__ import annotations

from datetime import datetime

from domain.model import Phase, Role
from domain.period.calendar import PeriodCalendar
from domain.period.events import SwapAccepted, SwapApproved, SwapAwaitingApproval, SwapCarriedOut, SwapRejected
from domain.period.rules import RuleViolation, eligibility_violation
from domain.period.state import PeriodState

REASON_LIMIT = 500


def _no(rule: str, message: str, code: str) -> RuleViolation:
    return RuleViolation(rule=rule, message=message, code=code)


def wait_or_take(
    state: PeriodState, calendar: PeriodCalendar, accepted: SwapAccepted, now: datetime
) -> SwapAccepted | SwapAwaitingApproval:
    """R-SWAP-2: a valid acceptance as it takes effect under the district's policy."""
    policy = state.require_config().district.policy.swap_approval
    shift = calendar.by_id[accepted.shift]
    if not policy.needs_approval(shift.start, now):
        return accepted
    return SwapAwaitingApproval(
        swap=accepted.swap, shift=accepted.shift, giver=accepted.giver, receiver=accepted.receiver,
        accepted_at=now, expires_at=shift.start,
    )


def _receiver_may_take(
    state: PeriodState, calendar: PeriodCalendar, shift_id: str, receiver: str
) -> RuleViolation | None:
    """R-SWAP-1's checks on the receiver, worded for an operator (no doctor named)."""
    config = state.require_config()
    doctor = config.doctor(receiver)
    if doctor is None:
        return _no("R-PROC-7", f"the receiver is not on the roll of district {config.district.id}", "swap_not_on_roll")
    if doctor.role is Role.STAFF:
        return _no("R-PROC-2", "staff doctors' shifts are entered by the clinic", "role_staff")
    held = [calendar.by_id[s] for s in state.held_by(receiver)]
    violation = eligibility_violation(
        config.district.policy, calendar, doctor, calendar.by_id[shift_id], held, voluntary=True)
    if violation is not None:
        return _no(violation.rule, f"the receiver may not take this shift now ({violation.rule})", violation.code)
    return None


def _waiting(state: PeriodState, swap_id: str):
    offer = state.swaps.get(swap_id)
    if offer is None:
        return None, _no("R-SWAP-1", "this swap is no longer open", "swap_closed")
    if offer.accepted_by is None:
        return None, _no("R-SWAP-2", "this swap is not waiting for approval", "swap_not_awaiting")
    return offer, None


def approve_swap(
    state: PeriodState, calendar: PeriodCalendar, *, swap_id: str, operator: str, now: datetime
) -> SwapApproved | RuleViolation:
    """R-SWAP-2: an operator approves a waiting swap, if R-SWAP-1 still allows it."""
    offer, refusal = _waiting(state, swap_id)
    if refusal is not None:
        return refusal
    shift = calendar.by_id[offer.shift]
    if shift.start <= now:
        return _no("R-SWAP-1", "the shift has started; it can no longer change hands", "swap_started")
    holder = state.assignments.get(offer.shift)
    if holder is None or holder.doctor != offer.giver:
        return _no("R-SWAP-1", "the giver no longer holds the shift", "swap_giver_gone")
    violation = _receiver_may_take(state, calendar, offer.shift, offer.accepted_by)
    if violation is not None:
        return violation
    return SwapApproved(swap=swap_id, shift=offer.shift, giver=offer.giver, receiver=offer.accepted_by,
                        operator=operator)


def _reason(reason: str) -> str | RuleViolation:
    text = (reason or "").strip()
    if not text:
        return _no("R-SWAP-2", "give a reason", "reason_required")
    if len(text) > REASON_LIMIT:
        return _no("R-SWAP-2", f"the reason is longer than {REASON_LIMIT} characters", "reason_too_long")
    return text


def reject_swap(state: PeriodState, *, swap_id: str, operator: str, reason: str) -> SwapRejected | RuleViolation:
    """R-SWAP-2: an operator rejects a waiting swap, with a reason; nothing changes hands."""
    offer, refusal = _waiting(state, swap_id)
    if refusal is not None:
        return refusal
    text = _reason(reason)
    if isinstance(text, RuleViolation):
        return text
    return SwapRejected(swap=swap_id, shift=offer.shift, giver=offer.giver, receiver=offer.accepted_by,
                        operator=operator, reason=text)


def carry_out_swap(
    state: PeriodState, calendar: PeriodCalendar, *, swap_id: str, shift_id: str, giver: str, receiver: str,
    operator: str, reason: str, now: datetime,
) -> SwapCarriedOut | RuleViolation:
    """R-SWAP-2: an operator hands `giver`'s shift to `receiver` for them, at once, under
    R-SWAP-1's checks."""
    config = state.require_config()
    if state.phase is not Phase.PUBLISHED:
        return _no("R-SWAP-1", f"shifts are swapped after publication; the round is in phase {state.phase.value}",
                   "swap_not_published")
    shift = calendar.get(shift_id)
    if shift is None:
        return _no("R-PROC-7", f"{shift_id} is not a shift of period {config.period.id}", "no_such_shift")
    holder = state.assignments.get(shift_id)
    if holder is None or holder.doctor != giver:
        return _no("R-SWAP-1", "the chosen giver does not hold this shift", "swap_not_holder")
    if shift.start <= now:
        return _no("R-SWAP-1", "the shift has started; it can no longer change hands", "swap_started")
    if receiver == giver:
        return _no("R-SWAP-1", "a shift is handed to someone else", "swap_to_self")
    violation = _receiver_may_take(state, calendar, shift_id, receiver)
    if violation is not None:
        return violation
    text = _reason(reason)
    if isinstance(text, RuleViolation):
        return text
    return SwapCarriedOut(swap=swap_id, shift=shift_id, giver=giver, receiver=receiver, operator=operator, reason=text)
