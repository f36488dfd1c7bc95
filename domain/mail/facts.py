"""What a message to one doctor says, as facts: the invitation (R-PROC-6), the reminders before a
deadline, the published results, the swap notices after publication (R-SWAP-1); and the rendered
message itself.

The facts are the minimum each message needs and nothing about any other doctor. They travel
in Temporal payloads (encrypted), so they hold no contact data either: the address is looked
up when the message is sent (activities/mail.py). Times are aware datetimes; the templates
(domain/mail/templates.py) show them as Europe/Oslo wall-clock (R-TIME-1).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, get_args

from pydantic import AwareDatetime, Field

from domain.mail.shift_fact import ShiftFact
from domain.model import Frozen

MailKind = Literal[
    "invitation", "reminder-wishes", "reminder-offering", "results", "swap-offered", "swap-accepted", "swap-lapsed",
    "vacancy-offered", "vacancy-filled", "vacancy-assigned", "vacancy-escalated", "vacancy-uncovered",
    "swap-waiting", "swap-approved", "swap-rejected", "swap-wait-expired", "swap-carried-out", "swap-withdrawn",
]
MAIL_KINDS: tuple[MailKind, ...] = get_args(MailKind)
SwapId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]  # workflow.uuid4()


class PeriodLine(Frozen):
    """What every message of a period names: the district and the period's dates."""

    period_id: str
    district_name: str
    start: date
    end: date


class Quota(Frozen):
    """A doctor's own quota (R-LOAD-2 / R-PROC-6) and carried balance (R-LOAD-1)."""

    quota: int = Field(ge=0)  # shifts, or points when `weighted`
    weighted: bool = False
    carried: float = Field(0.0, ge=-100, le=100)  # + worked above quota in earlier periods


class InvitationFacts(Frozen):
    kind: Literal["invitation"] = "invitation"
    quota: Quota
    wishes_due: AwareDatetime
    meeting_at: AwareDatetime
    meeting_place: str | None = Field(None, max_length=200)  # None: "to be announced"
    offering_closes: AwareDatetime


class ReminderFacts(Frozen):
    """A reminder to a doctor who can still act before `deadline` (the workflow decides who)."""

    kind: Literal["reminder-wishes", "reminder-offering"]
    deadline: AwareDatetime
    quota: Quota | None = None
    taken: float | None = Field(None, ge=0)  # shifts/points this doctor holds so far
    open_shifts: int | None = Field(None, ge=0)  # offering: shifts still on the board


class ResultsFacts(Frozen):
    kind: Literal["results"] = "results"
    published_at: AwareDatetime  # the calendar's DTSTAMP: the same bytes on every retry
    shifts: tuple[ShiftFact, ...]
    quota: Quota | None = None
    taken: float | None = Field(None, ge=0)
    sequence: int = Field(0, ge=0)  # iCalendar SEQUENCE: raise it when a later mail updates events


class SwapOfferedFacts(Frozen):
    """R-SWAP-1: to the named receiver of an offer. The giver by doctor id: a workflow holds no
    names; the receiver sees the same id on the board."""

    kind: Literal["swap-offered"] = "swap-offered"
    swap: SwapId
    giver: str = Field(min_length=1, max_length=200)
    shift: ShiftFact
    expires_at: AwareDatetime  # the offer stands until then


class SwapAcceptedFacts(Frozen):
    """R-SWAP-1: to the giver, once the swap completed: the shift is the receiver's now."""

    kind: Literal["swap-accepted"] = "swap-accepted"
    swap: SwapId
    receiver: str = Field(min_length=1, max_length=200)
    shift: ShiftFact
    shifts: tuple[ShiftFact, ...]  # the giver's shifts after the swap, for the calendar
    accepted_at: AwareDatetime  # the calendar's DTSTAMP: the same bytes on every retry
    sequence: int = Field(ge=1)  # the period's version at the swap: replaces the results' events


class SwapLapsedFacts(Frozen):
    """To the giver, when an offer ended without a swap: declined by its named receiver, or
    expired. The shift stays the giver's (R-SWAP-1)."""

    kind: Literal["swap-lapsed"] = "swap-lapsed"
    swap: SwapId
    outcome: Literal["declined", "expired"]
    receiver: str | None = Field(None, max_length=200)  # None: an offer to everyone
    shift: ShiftFact


class SwapDecisionFacts(Frozen):
    """R-SWAP-2, to the giver or the receiver of a swap an operator decides: accepted and waiting
    for approval (to the giver), approved, rejected (with the operator's reason), expired while
    waiting, withdrawn by the giver while waiting (to the receiver), or carried out by an operator. The other doctor by id, as on the board."""

    kind: Literal["swap-waiting", "swap-approved", "swap-rejected", "swap-wait-expired", "swap-carried-out",
                  "swap-withdrawn"]
    swap: SwapId
    role: Literal["giver", "receiver"]
    other: str = Field(min_length=1, max_length=200)
    shift: ShiftFact
    reason: str | None = Field(None, max_length=500)  # a rejection's reason


SwapFacts = Annotated[SwapOfferedFacts | SwapAcceptedFacts | SwapLapsedFacts | SwapDecisionFacts,
                      Field(discriminator="kind")]
from domain.mail.vacancy_facts import (  # noqa: E402 - they build on ShiftFact above
    VacancyAlertFacts,
    VacancyAssignedFacts,
    VacancyFilledFacts,
    VacancyOfferedFacts,
)

AnyFacts = (
    InvitationFacts | ReminderFacts | ResultsFacts | SwapOfferedFacts | SwapAcceptedFacts | SwapLapsedFacts
    | SwapDecisionFacts | VacancyOfferedFacts | VacancyFilledFacts | VacancyAssignedFacts | VacancyAlertFacts
)
MailFacts = Annotated[AnyFacts, Field(discriminator="kind")]


def sent_kind(facts: AnyFacts) -> str:
    """The kind under which the sent-log keeps a message (period, doctor, kind). A period sends
    one invitation per doctor, but a doctor may be told of many swaps: a swap's message is one
    per swap, so its id is part of the kind (`swap-offered:<swap id>`)."""
    swap = getattr(facts, "swap", None) or getattr(facts, "vacancy", None)  # a vacancy's too
    return f"{facts.kind}:{swap}" if swap else facts.kind


class Attachment(Frozen):
    filename: str
    content_type: str  # "text/calendar"
    params: dict[str, str] = {}  # extra Content-Type parameters, e.g. {"method": "PUBLISH"}
    data: bytes


class MailMessage(Frozen):
    """A rendered message: subject, plain-text body (Norwegian first, then English), attachments."""

    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()
