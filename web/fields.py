"""The JSON API's field types: each tells the OpenAPI document what the service checks, so a
client (and schemathesis) never meets a refusal the document did not announce.

Ids, shifts, verbs and kinds are checked here, at the door. Free text, the mobile number and the
e-mail address carry their pattern in the document only: app/ checks them (app/validate.py,
R-DATA-1), with errors that name the field and never echo the value.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Path, Query
from pydantic import ConfigDict, Field, StringConstraints

from app.registry.edits import EDITABLE
from app.validate import ID_PATTERN, MONTH_PATTERN, SHIFT_PATTERN, text_pattern
from domain.limits import MAX_ID_LENGTH, MAX_SHIFT_ID_LENGTH, MAX_TEXT_LENGTH
from domain.registry.profiles import MOBILE, VALID_MEETING_ABSENCE
from web.deps import Body

Id = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_LENGTH, pattern=ID_PATTERN)]
ShiftRef = Annotated[str, StringConstraints(max_length=MAX_SHIFT_ID_LENGTH, pattern=SHIFT_PATTERN),
                     Field(description="DATE/NAME, e.g. 2027-01-05/evening")]
Verb = Annotated[Literal["wish", "pick", "claim"], Field(description="wish | pick | claim")]
FreeText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_LENGTH, json_schema_extra={"pattern": text_pattern()})]
EntryText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_LENGTH,
                                 json_schema_extra={"pattern": text_pattern("|")})]
# R-DATA-1: 8 digits starting with 4 or 9, +47 or 0047 before them optional (spaces and dashes
# between digits are taken too, the document shows the plain form).
Mobile = Annotated[str, Field(min_length=8, max_length=40, json_schema_extra={"pattern": MOBILE.pattern})]
Email = Annotated[str, Field(min_length=3, max_length=254, json_schema_extra={"format": "email"})]
MeetingAbsenceReason = Literal[tuple(sorted(VALID_MEETING_ABSENCE))]  # type: ignore[valid-type]

# Query parameters.
DistrictQuery = Annotated[str | None, Query(min_length=1, max_length=MAX_ID_LENGTH, pattern=ID_PATTERN,
                                            description="one of your own districts (default: your first)")]
DoctorQuery = Annotated[str | None, Query(min_length=1, max_length=MAX_ID_LENGTH, pattern=ID_PATTERN,
                                          description="only events naming this doctor")]
MonthQuery = Annotated[str | None, Query(pattern=MONTH_PATTERN, description="YYYY-MM (default: the first)")]
RequestNumber = Annotated[int, Path(ge=1, lt=2**62, description="the request's number")]
AtLeastQuery = Annotated[int, Query(ge=0, le=2**53, description="wait (briefly) until this version is stored")]


class DetailChanges(Body):
    """At least one of a doctor's details (R-DATA-1); a field left out is kept."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": [{"required": [f]} for f in EDITABLE]})

    mobile: Mobile = None  # type: ignore[assignment]  # not null: a doctor is reached by mobile
    email: Email = None  # type: ignore[assignment]
    specialist_gp: date | None = None
    violence_course: date | None = None
    acute_course: date | None = None
