"""What the registry's read commands show: a district with its counts, and one row per doctor.

A doctor's row shows what an operator needs to run the rounds — role, from when independently
qualified (R-QUAL-1), the exemptions in force by rule only (R-EX-1/R-EX-2, never the reason),
whether on the roll — and their contact data only when asked for, masked otherwise.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from domain.district import invitation_at, next_period_start, period_start_for, round_dates
from domain.model import Policy
from domain.registry.profiles import grants_in_force
from domain.period.qualification import is_independently_qualified
from domain.registry.records import DistrictRecord, RegistryDoctor


class DoctorRow(BaseModel):
    id: str
    role: str
    qualified_from: date | None  # first day independently qualified (R-QUAL-1); None: not yet
    exemptions: list[str]  # rules of the exemptions in force on the day (R-EX-1, R-EX-2)
    absent: bool  # a registered absence covers the day
    stands_in_for: str | None  # R-EX-5, on the day
    status: str  # "on roll", "joins YYYY-MM-DD", "left YYYY-MM-DD"
    contact: dict[str, str]  # masked unless asked for: email, mobile (and name)


class NextRound(BaseModel):
    period: str
    start: date
    end: date
    invitation_at: datetime
    wishes_due: datetime
    meeting_at: datetime
    offering_closes: datetime


class DistrictView(BaseModel):
    id: str
    name: str
    timezone: str
    policy: dict[str, Any]
    shift_template: list[str]  # "evening (duty) mon–fri 16:00–23:00"
    doctors: int  # every record, including those who left
    on_roll: dict[str, int]  # by role, today
    left: int
    joining: int  # not yet on the roll
    exempt_today: int
    created_at: datetime
    updated_at: datetime
    next_round: NextRound


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
    return f"{local[:1]}***@***.{tld}" if tld else f"{local[:1]}***@***"


def mask_mobile(mobile: str) -> str:
    return mobile[:3] + "*" * max(0, len(mobile) - 6) + mobile[-3:]


def qualified_from(d: RegistryDoctor) -> date | None:
    """The first course date from which R-QUAL-1 holds (experience counts as recorded)."""
    q = d.qualification
    days = sorted({day for day in (q.specialist_gp, q.violence_course, q.acute_course) if day is not None})
    return next((day for day in days if is_independently_qualified(q, day, Policy())), None)


def status(d: RegistryDoctor, day: date) -> str:
    if d.joined_on is not None and d.joined_on > day:
        return f"joins {d.joined_on.isoformat()}"
    if d.left_on is not None and d.left_on < day:
        return f"left {d.left_on.isoformat()}"
    return "on roll"


def doctor_row(d: RegistryDoctor, day: date, *, contacts: bool) -> DoctorRow:
    grants = grants_in_force(d.exemptions, d.birth_date, day)
    stand_in = next(
        (s.substitute_for for s in d.stand_ins if s.from_ <= day and (s.to is None or day <= s.to)), None
    )
    contact = (
        {"name": d.name, "email": d.email, "mobile": d.mobile}
        if contacts
        else {"email": mask_email(d.email), "mobile": mask_mobile(d.mobile)}
    )
    return DoctorRow(
        id=d.id,
        role=d.role.value,
        qualified_from=qualified_from(d),
        exemptions=sorted({g.rule for g in grants if g.range.contains(day)}),
        absent=any(a.from_ <= day <= a.to for a in d.absences),
        stands_in_for=stand_in,
        status=status(d, day),
        contact=contact,
    )


def _template_line(t) -> str:
    days = ", ".join(t.days) if len(t.days) < 7 else "every day"
    return f"{t.name} ({t.kind.value}) {days} {t.start}–{t.end}"


def district_view(district: DistrictRecord, doctors: list[RegistryDoctor], today: date, created_at, updated_at) -> DistrictView:
    rounds = district.policy.rounds
    start = next_period_start(period_start_for(today, rounds.months), rounds.months)
    dates = round_dates(district.id, start, rounds)
    on_roll = [d for d in doctors if status(d, today) == "on roll"]
    return DistrictView(
        id=district.id,
        name=district.name,
        timezone=district.timezone,
        policy=district.policy.model_dump(mode="json"),
        shift_template=[_template_line(t) for t in district.shift_template],
        doctors=len(doctors),
        on_roll=dict(Counter(d.role.value for d in on_roll)),
        left=sum(1 for d in doctors if status(d, today).startswith("left")),
        joining=sum(1 for d in doctors if status(d, today).startswith("joins")),
        exempt_today=sum(
            1 for d in on_roll if any(g.range.contains(today) for g in grants_in_force(d.exemptions, d.birth_date, today))
        ),
        created_at=created_at,
        updated_at=updated_at,
        next_round=NextRound(
            period=dates.id,
            start=dates.start,
            end=dates.end,
            invitation_at=invitation_at(dates, rounds),
            wishes_due=dates.wishes_due,
            meeting_at=dates.meeting_at,
            offering_closes=dates.offering_closes,
        ),
    )
