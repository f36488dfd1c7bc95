"""From a clinic's record of a doctor to the rules' view of them (`DoctorProfile`).

One implementation, shared by the two ways a period gets its doctors: a scenario document
(`domain.scenario`) and the district registry (`domain.registry.config`). It decides which
exemptions are in force (R-EX-1/2/3), what meeting attendance the record implies (R-MEET-1) and
checks the personal fields every record must get right (R-DATA-1). Nothing here reads or keeps
contact data beyond validating it; the profile it builds holds none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Literal, Protocol

from domain.model import (
    DateRange,
    DoctorProfile,
    ExemptionGrant,
    OSLO_TZ,
    MeetingAttendance,
    Qualification,
    Role,
    StandIn,
)

# R-DATA-1: Norwegian mobile numbers have 8 digits and start with 4 or 9; +47 / 0047 optional.
MOBILE = re.compile(r"^(?:\+47|0047)?([49][0-9]{7})$")

ExemptionReason = Literal["age_over_60", "pregnancy", "breastfeeding", "health", "social"]
R_EX_1_REASONS = frozenset({"age_over_60", "pregnancy", "breastfeeding"})  # by right, on request
R_EX_2_REASONS = frozenset({"health", "social"})  # discretionary, decided by the clinic
VALID_MEETING_ABSENCE = frozenset({"illness", "vacation", "course", "on_duty", "approved_other"})  # R-MEET-1
COURSE_DATES = ("specialist_gp", "violence_course", "acute_course")


def norwegian_mobile(value: str) -> str:
    """R-DATA-1: the number as +47XXXXXXXX. The error never repeats the number."""
    match = MOBILE.match(re.sub(r"[\s-]", "", value))
    if not match:
        raise ValueError("not a Norwegian mobile number")
    return "+47" + match.group(1)


class ExemptionFacts(Protocol):
    reason: str
    from_: date
    to: date | None
    granted: bool
    applied_on: date | None


class QualificationFacts(Protocol):
    specialist_gp: date | None
    violence_course: date | None
    acute_course: date | None
    clinical_months: int
    duty_shifts_done: int
    gp_months: int


def courses_before_birth(q: QualificationFacts, birth: date | None) -> list[str]:
    """R-DATA-1: the qualification dates that fall before the doctor was born (impossible)."""
    if birth is None:
        return []
    return [name for name in COURSE_DATES if (day := getattr(q, name)) is not None and day < birth]


def sixtieth_birthday(birth: date) -> date:
    try:
        return birth.replace(year=birth.year + 60)
    except ValueError:  # born 29 February
        return birth.replace(year=birth.year + 60, day=28) + timedelta(days=1)


def meeting_day(meeting_at: datetime) -> date:
    """The meeting's date in Europe/Oslo (R-TIME-1): the cut-off for applications (R-EX-3)."""
    return meeting_at.astimezone(OSLO_TZ).date()


def grants_in_force(
    exemptions: Iterable[ExemptionFacts], birth_date: date | None, meeting_day: date
) -> tuple[ExemptionGrant, ...]:
    """Exemptions in force, reasons dropped (R-EX-1..3)."""
    grants = []
    for e in exemptions:
        if e.applied_on is not None and e.applied_on > meeting_day:
            continue  # R-EX-3: applications must arrive before the meeting
        start = e.from_
        if e.reason in R_EX_1_REASONS:
            # R-EX-1: by right, whatever the record's `granted` says; age from the 60th birthday.
            if e.reason == "age_over_60":
                if birth_date is None:
                    continue
                start = max(start, sixtieth_birthday(birth_date))
                if e.to is not None and e.to < start:
                    continue
            grants.append(ExemptionGrant(rule="R-EX-1", range=DateRange(start=start, end=e.to)))
        elif e.granted:  # R-EX-2: discretionary, in force only when the clinic granted it
            grants.append(ExemptionGrant(rule="R-EX-2", range=DateRange(start=start, end=e.to)))
    return tuple(grants)


def attendance(meeting_absence: str | None) -> MeetingAttendance:
    """R-MEET-1: only the listed reasons make an absence from the meeting valid."""
    if meeting_absence in VALID_MEETING_ABSENCE:
        return MeetingAttendance.VALID_ABSENCE
    if meeting_absence == "unexcused":
        return MeetingAttendance.UNEXCUSED
    return MeetingAttendance.ATTENDED


def qualification(q: QualificationFacts) -> Qualification:
    return Qualification(
        specialist_gp=q.specialist_gp,
        violence_course=q.violence_course,
        acute_course=q.acute_course,
        clinical_months=q.clinical_months,
        duty_shifts_done=q.duty_shifts_done,
        gp_months=q.gp_months,
    )


def profile(
    *,
    doctor_id: str,
    role: Role,
    qualification_facts: QualificationFacts,
    exemptions: Iterable[ExemptionFacts],
    birth_date: date | None,
    absences: Iterable[DateRange],
    meeting_day: date,
    meeting_absence: str | None = None,
    stands_in: StandIn | None = None,
    carried: float = 0.0,
) -> DoctorProfile:
    """The rules' view of one doctor, before minimisation (`domain.registry.minimise`)."""
    return DoctorProfile(
        id=doctor_id,
        role=role,
        qualification=qualification(qualification_facts),
        exemptions=grants_in_force(exemptions, birth_date, meeting_day),
        absences=tuple(absences),
        meeting=attendance(meeting_absence),
        stands_in=stands_in,
        carried=carried,
    )
