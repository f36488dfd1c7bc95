"""Who is told what when an operator decides a swap (R-SWAP-2). Pure, like
domain/mail/swap_notices.py, and decided on the state just before the event:

- **Waiting for approval**: the giver (the receiver accepted it themselves and sees it on the page).
- **Approved, rejected, carried out**: the giver and the receiver, each in their role; a rejection
  with the operator's reason. A carried-out swap's reason is not sent: it may speak of one
  doctor's health, and the other doctor is told too.
- **Expired while waiting** (the shift started first): both — nothing waits forever unsaid.
- **Withdrawn while waiting** by the giver: the doctor who accepted it, who would otherwise
  believe the shift was coming to them (`withdrawal_notices`; the giver acted themselves).
"""

from __future__ import annotations

from domain.mail.facts import SwapDecisionFacts
from domain.mail.swap_notices import SwapNotice, shift_fact
from domain.period.calendar import PeriodCalendar
from domain.period.events import DomainEvent, SwapApproved, SwapAwaitingApproval, SwapCarriedOut, SwapClosed, SwapRejected
from domain.period.state import PeriodState


def _both(kind: str, swap: str, shift, giver: str, receiver: str, reason: str | None = None) -> list[SwapNotice]:
    return [
        (giver, SwapDecisionFacts(kind=kind, swap=swap, role="giver", other=receiver, shift=shift, reason=reason)),
        (receiver, SwapDecisionFacts(kind=kind, swap=swap, role="receiver", other=giver, shift=shift, reason=reason)),
    ]


def approval_notices(before: PeriodState, calendar: PeriodCalendar, event: DomainEvent) -> list[SwapNotice]:
    match event:
        case SwapAwaitingApproval(swap=swap, shift=shift, giver=giver, receiver=receiver):
            facts = SwapDecisionFacts(kind="swap-waiting", swap=swap, role="giver", other=receiver,
                                      shift=shift_fact(calendar, shift))
            return [(giver, facts)]
        case SwapApproved(swap=swap, shift=shift, giver=giver, receiver=receiver):
            return _both("swap-approved", swap, shift_fact(calendar, shift), giver, receiver)
        case SwapRejected(swap=swap, shift=shift, giver=giver, receiver=receiver, reason=reason):
            return _both("swap-rejected", swap, shift_fact(calendar, shift), giver, receiver, reason)
        case SwapCarriedOut(swap=swap, shift=shift, giver=giver, receiver=receiver):
            return _both("swap-carried-out", swap, shift_fact(calendar, shift), giver, receiver)
        case SwapClosed(swap=swap, shift=shift, outcome="expired"):
            offer = before.swaps.get(swap)
            if offer is None or offer.accepted_by is None:
                return []
            return _both("swap-wait-expired", swap, shift_fact(calendar, shift), offer.giver, offer.accepted_by)
        case _:
            return []


def withdrawal_notices(before: PeriodState, calendar: PeriodCalendar, event: DomainEvent) -> list[SwapNotice]:
    """R-SWAP-2: the giver withdrew a swap that waited for approval: its accepter is told."""
    match event:
        case SwapClosed(swap=swap, shift=shift, outcome="withdrawn"):
            offer = before.swaps.get(swap)
            if offer is None or offer.accepted_by is None:
                return []
            facts = SwapDecisionFacts(kind="swap-withdrawn", swap=swap, role="receiver", other=offer.giver,
                                      shift=shift_fact(calendar, shift))
            return [(offer.accepted_by, facts)]
        case _:
            return []
