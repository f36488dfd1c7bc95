"""Events after publication between doctors: swaps offered, accepted, closed (R-SWAP-1) and
waiting for, approved, rejected or carried out by an operator (R-SWAP-2).

Part of the period's event union (domain.period.events), which re-exports them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from domain.period.event_base import _Event


class SwapOffered(_Event):
    """R-SWAP-1: a holder offers a published shift to a named colleague, or to every doctor who
    may take it (`receiver` None). The giver still holds it."""

    type: Literal["SwapOffered"] = "SwapOffered"
    swap: str  # id
    shift: str
    giver: str
    receiver: str | None
    expires_at: datetime


class SwapAccepted(_Event):
    """R-SWAP-1: the swap completed; from now on the receiver holds (and works) the shift."""

    type: Literal["SwapAccepted"] = "SwapAccepted"
    swap: str
    shift: str
    giver: str
    receiver: str


class SwapClosed(_Event):
    """A swap that ended without completing: it changed nothing (R-SWAP-1)."""

    type: Literal["SwapClosed"] = "SwapClosed"
    swap: str
    shift: str
    outcome: Literal["declined", "withdrawn", "expired"]
    by: str | None = None  # the doctor who declined or withdrew


class SwapAwaitingApproval(_Event):
    """R-SWAP-2: the receiver accepted, but the district's policy wants an operator's approval
    first. The giver still holds the shift (R-SWAP-1); the swap waits until `expires_at` (the
    shift's start) at the latest."""

    type: Literal["SwapAwaitingApproval"] = "SwapAwaitingApproval"
    swap: str
    shift: str
    giver: str
    receiver: str
    accepted_at: datetime
    expires_at: datetime


class SwapApproved(_Event):
    """R-SWAP-2: an operator approved a waiting swap; from now on the receiver holds the shift."""

    type: Literal["SwapApproved"] = "SwapApproved"
    swap: str
    shift: str
    giver: str
    receiver: str
    operator: str  # the approving operator's actor (domain.actors), no name


class SwapRejected(_Event):
    """R-SWAP-2: an operator rejected a waiting swap, with a reason; the giver keeps the shift."""

    type: Literal["SwapRejected"] = "SwapRejected"
    swap: str
    shift: str
    giver: str
    receiver: str
    operator: str
    reason: str


class SwapCarriedOut(_Event):
    """R-SWAP-2: an operator carried out a swap on behalf of two doctors who agree (one may be
    ill and unable to use the page): the shift is the receiver's at once. An open offer of the
    shift, if any, ends with it."""

    type: Literal["SwapCarriedOut"] = "SwapCarriedOut"
    swap: str  # a new id, for the notices' sent-log
    shift: str
    giver: str
    receiver: str
    operator: str
    reason: str
