"""The bodies of a request to the clinic, one per kind (the `kind` field tells them apart), as
the doctor sends them and as an operator enters them for a doctor. They mirror
domain.registry.requests, which checks them again with the rules JSON Schema cannot state
(`to` not before `from`; a leave's substitute on the district's roll, R-EX-5)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from domain.registry.profiles import ExemptionReason
from web.deps import Body
from web.fields import EntryText, Id, MeetingAbsenceReason


class _Request(Body):
    from_: date = Field(alias="from")
    note: EntryText | None = None
    district: Id | None = Field(None, description="one of your own districts (default: your first)")


class ExemptionBody(_Request):
    """R-EX-1 (by right) or R-EX-2 (discretionary), applied for before the meeting (R-EX-3)."""

    kind: Literal["exemption"]
    reason: ExemptionReason
    to: date | None = None


class MeetingAbsenceBody(_Request):
    """R-MEET-1: a valid absence from the allocation meeting."""

    kind: Literal["meeting_absence"]
    reason: MeetingAbsenceReason
    to: date


class LeaveBody(_Request):
    """R-EX-5: a leave, with a substitute of the district standing in."""

    kind: Literal["leave"]
    to: date
    substitute: Id


REQUEST_KINDS = ("exemption", "meeting_absence", "leave")
RequestBody = Annotated[ExemptionBody | MeetingAbsenceBody | LeaveBody, Field(discriminator="kind")]


class _ForDoctor(Body):
    district: Id  # type: ignore[assignment]
    doctor: Id = Field(description="the doctor the operator enters the request for")


class ExemptionForBody(_ForDoctor, ExemptionBody):
    pass


class MeetingAbsenceForBody(_ForDoctor, MeetingAbsenceBody):
    pass


class LeaveForBody(_ForDoctor, LeaveBody):
    pass


RequestForBody = Annotated[ExemptionForBody | MeetingAbsenceForBody | LeaveForBody, Field(discriminator="kind")]
