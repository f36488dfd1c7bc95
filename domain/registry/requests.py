"""Doctors' requests to the clinic (through the web service) and what granting one changes in the registry.

- an exemption (R-EX-1 by right: age over 60, pregnancy, breastfeeding; R-EX-2 discretionary:
  health, weighty social reasons), applied for before the meeting (R-EX-3: the application's
  date is recorded, and an application after a period's meeting is not in force for it);
- an absence from the meeting with its reason (R-MEET-1: illness, vacation, course, on duty,
  or another weighty reason approved by the clinic head before the meeting);
- a leave with a substitute standing in (R-EX-5): the GP is absent, the substitute takes the
  GP's place in the quota and the pool for those dates.
A decision is recorded with who decided and when: on the request, and — for a grant, and for a
refused exemption — in the doctor's registry record and its change history.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from domain.registry.profiles import R_EX_1_REASONS, VALID_MEETING_ABSENCE, ExemptionReason
from domain.registry.records import AbsenceRecord, ExemptionRecord, RegistryDoctor, StandInRecord, Text

MAX_DAYS = 400

Kind = Literal["exemption", "meeting_absence", "leave"]


def _absence_reason(value: str) -> str:
    if value not in VALID_MEETING_ABSENCE:
        raise ValueError(f"must be one of {', '.join(sorted(VALID_MEETING_ABSENCE))} (R-MEET-1)")
    return value


class _Request(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    from_: date = Field(alias="from")
    to: date | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _range(self):
        if self.to is not None and self.to < self.from_:
            raise ValueError("'to' is before 'from'")
        if self.to is not None and (self.to - self.from_).days > MAX_DAYS:
            raise ValueError(f"longer than {MAX_DAYS} days")
        return self


class ExemptionRequest(_Request):
    kind: Literal["exemption"] = "exemption"
    reason: ExemptionReason

    @property
    def rule(self) -> str:
        return "R-EX-1" if self.reason in R_EX_1_REASONS else "R-EX-2"


class MeetingAbsenceRequest(_Request):
    kind: Literal["meeting_absence"] = "meeting_absence"
    reason: Annotated[str, AfterValidator(_absence_reason)]
    to: date  # type: ignore[assignment]


class LeaveRequest(_Request):
    kind: Literal["leave"] = "leave"
    to: date  # type: ignore[assignment]
    substitute: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$", max_length=64)]


AnyRequest = Annotated[ExemptionRequest | MeetingAbsenceRequest | LeaveRequest, Field(discriminator="kind")]


def granted_record(doctor: RegistryDoctor, request, *, decided_by: str, decided_at: date, applied_on: date,
                   granted: bool = True) -> RegistryDoctor | None:
    """The doctor's record after the decision, or None when the decision changes no record
    (a refused absence or leave)."""
    if isinstance(request, ExemptionRequest):
        record = ExemptionRecord.model_validate({
            "reason": request.reason, "from": request.from_, "to": request.to, "granted": granted,
            "decided_by": decided_by, "decided_at": decided_at, "applied_on": applied_on,
        })
        return doctor.model_copy(update={"exemptions": (*doctor.exemptions, record)})
    if not granted:
        return None
    if isinstance(request, MeetingAbsenceRequest):
        absence = AbsenceRecord.model_validate({"from": request.from_, "to": request.to, "reason": request.reason})
        return doctor.model_copy(update={"absences": (*doctor.absences, absence)})
    if isinstance(request, LeaveRequest):
        absence = AbsenceRecord.model_validate({"from": request.from_, "to": request.to, "reason": "leave"})
        return doctor.model_copy(update={"absences": (*doctor.absences, absence)})
    raise TypeError(type(request).__name__)


def stand_in_record(substitute: RegistryDoctor, request: LeaveRequest, gp: str) -> RegistryDoctor:
    """R-EX-5: the substitute stands in for the GP on the leave's dates."""
    entry = StandInRecord.model_validate({"substitute_for": gp, "from": request.from_, "to": request.to})
    return substitute.model_copy(update={"stand_ins": (*substitute.stand_ins, entry)})


