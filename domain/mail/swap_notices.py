"""Who is told what when a shift changes hands, or does not, after publication (R-SWAP-1). Pure:
the workflow queues what this returns and sends it (workflows/period/swaps.py).

- **Offered to a named colleague**: that colleague, with the shift, the giver's id and until when
  the offer stands. An offer to everyone who may take it tells no one: it could be dozens of
  doctors; they see it on their board.
- **Accepted**: the giver, that the shift is now the receiver's, with their own shifts as they
  now stand (a calendar that replaces the results' events, the given shift cancelled). The
  receiver accepted it themselves and needs no mail.
- **Declined or expired**: the giver, that the shift is still theirs (an offer to everyone
  included: one message, to one doctor). Not when the offer ran until the shift's start: the
  shift is under way and the giver working it; nor for a withdrawal, the giver's own act.

Each decision reads the state *before* its event: a closed offer has left the state after it.
"""

from __future__ import annotations

from datetime import datetime

from domain.period.calendar import PeriodCalendar
from domain.period.events import DomainEvent, SwapAccepted, SwapClosed, SwapOffered
from domain.mail.facts import ShiftFact, SwapAcceptedFacts, SwapFacts, SwapLapsedFacts, SwapOfferedFacts
from domain.period.state import PeriodState

SwapNotice = tuple[str, SwapFacts]  # (doctor id, facts)


def shift_fact(calendar: PeriodCalendar, shift_id: str) -> ShiftFact:
    s = calendar.by_id[shift_id]
    return ShiftFact(shift_id=s.id, name=s.name, kind=s.kind, start=s.start, end=s.end)


def swap_notices(before: PeriodState, calendar: PeriodCalendar, event: DomainEvent, at: datetime) -> list[SwapNotice]:
    """The messages `event` calls for, given the state just before it was applied."""
    match event:
        case SwapOffered(receiver=None):
            return []
        case SwapOffered(swap=swap, shift=shift, giver=giver, receiver=receiver, expires_at=expires_at):
            facts = SwapOfferedFacts(swap=swap, giver=giver, shift=shift_fact(calendar, shift), expires_at=expires_at)
            return [(receiver, facts)]
        case SwapAccepted(swap=swap, shift=shift, giver=giver, receiver=receiver):
            kept = sorted((calendar.by_id[s] for s in before.held_by(giver) if s != shift),
                          key=lambda s: (s.start, s.id))
            facts = SwapAcceptedFacts(
                swap=swap, receiver=receiver, shift=shift_fact(calendar, shift),
                shifts=tuple(shift_fact(calendar, s.id) for s in kept),
                accepted_at=at, sequence=before.version + 1,  # the version SwapAccepted gets
            )
            return [(giver, facts)]
        case SwapClosed(swap=swap, shift=shift, outcome="declined" | "expired" as outcome):
            offer = before.swaps.get(swap)
            if offer is None or (outcome == "expired" and offer.expires_at >= calendar.by_id[shift].start):
                return []
            facts = SwapLapsedFacts(
                swap=swap, outcome=outcome, receiver=offer.receiver or offer.accepted_by, shift=shift_fact(calendar, shift)
            )
            return [(offer.giver, facts)]
        case _:
            return []


def still_news(state: PeriodState, facts: SwapFacts) -> bool:
    """Whether a queued message still says something true when its turn comes: an offer that
    was accepted, declined or withdrawn meanwhile (say, while SMTP was down) is not sent."""
    if isinstance(facts, SwapOfferedFacts):
        return facts.swap in state.swaps
    return True
