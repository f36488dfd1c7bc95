"""The scenario document (`docs/scenario-format.md`, format 1): parsing, validation, import.

The clinic's records hold personal data (mobile, e-mail, birth date, exemption reasons). They
are validated here (R-DATA-1) and turned into `DoctorProfile`s that carry only what the rules
need, so nothing sensitive reaches Temporal payloads or logs. Validation errors name the JSON
path and the reason — never the offending value, which may be personal data.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, field_validator, model_validator

from domain.model import (
    BeaconChain,
    DateRange,
    District,
    DoctorProfile,
    PeriodConfig,
    PeriodDates,
    OSLO_TZ,
    Policy,
    QualificationException,
    Role,
    ShiftKind,
    ShiftTemplate,
    StandIn,
    WeightPolicy,
)
from domain.limits import (
    MAX_ACTIONS,
    MAX_DOCTORS,
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PERIOD_DAYS,
    MAX_SHIFT_ID_LENGTH,
    MAX_SHIFTS,
    MAX_TEMPLATES,
    MAX_TEXT_LENGTH,
)
from domain.registry.minimise import minimise
from domain.registry.profiles import courses_before_birth, meeting_day, norwegian_mobile, profile
from domain.period.shifts import WEEKDAYS

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
ID = Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)
NAME = Field(min_length=1, max_length=MAX_NAME_LENGTH)
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

# The mobile-number check, the exemption reasons and the grant rules (R-EX-1..3, R-MEET-1) live
# in domain.registry.profiles, shared with the district registry.


class ScenarioError(ValueError):
    """An invalid scenario: every problem as `path: reason`."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


class _Open(BaseModel):
    # "More fields are welcome" (scenario-format.md): unknown keys are kept, not rejected.
    model_config = ConfigDict(extra="allow")


class ScenarioPolicy(_Open):
    min_rest_hours: float = Field(8.0, ge=0, le=24)
    allow_back_to_back: bool = False
    meeting_duration_hours: float = Field(3.0, gt=0, le=72)
    weights: WeightPolicy | None = None  # R-LOAD-2; unknown keys are errors, not ignored
    qualification_exceptions: list[QualificationException] = []  # R-QUAL-4
    max_shifts_per_week: int | None = Field(None, ge=1, le=14)  # R-LOAD-3
    seed_source: Literal["system", "drand", "offline"] = "system"  # R-LOT-5
    beacon: BeaconChain | None = None  # R-LOT-5: the drand chain (default: quicknet)


class ScenarioDistrict(_Open):
    id: str = ID
    name: str = NAME
    timezone: Literal["Europe/Oslo"] = "Europe/Oslo"
    policy: ScenarioPolicy = ScenarioPolicy()


class ScenarioPeriod(_Open):
    id: str = ID
    start: date
    end: date
    wishes_due: datetime
    meeting_at: datetime
    offering_closes: datetime

    @field_validator("wishes_due", "meeting_at", "offering_closes")
    @classmethod
    def _oslo_wall_clock(cls, value: datetime) -> datetime:
        # R-TIME-1: without an offset a time is Europe/Oslo wall-clock; with one, it is an instant.
        return value.replace(tzinfo=OSLO_TZ) if value.tzinfo is None else value


class ScenarioShiftTemplate(_Open):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=MAX_ID_LENGTH)
    kind: ShiftKind
    days: list[str] | Literal["all"]
    start: str
    end: str

    @field_validator("days")
    @classmethod
    def _weekdays(cls, value: list[str] | str) -> list[str] | str:
        if value != "all":
            unknown = [d for d in value if d not in WEEKDAYS]
            if unknown or not value:
                raise ValueError("days must be 'all' or a non-empty list of mon, tue, wed, thu, fri, sat, sun")
        return value

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not HHMM.match(value):
            raise ValueError("not a time of day as HH:MM")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> ScenarioShiftTemplate:
        if self.start == self.end:
            raise ValueError("start and end are equal: a shift cannot last 0 or 24 hours")
        return self


class ScenarioQualification(_Open):
    specialist_gp: date | None = None
    violence_course: date | None = None
    acute_course: date | None = None
    clinical_months: int = Field(ge=0)
    duty_shifts_done: int = Field(ge=0)
    gp_months: int = Field(ge=0)


class ScenarioExemption(_Open):
    reason: Literal["age_over_60", "pregnancy", "breastfeeding", "health", "social"]
    from_: date = Field(alias="from")
    to: date | None = None
    granted: bool
    decided_by: str | None = None  # R-EX-2
    decided_at: date | None = None  # R-EX-2
    applied_on: date | None = None  # R-EX-3

    @model_validator(mode="after")
    def _range(self) -> ScenarioExemption:
        if self.to is not None and self.to < self.from_:
            raise ValueError("'to' is before 'from'")
        return self


class ScenarioAbsence(_Open):
    from_: date = Field(alias="from")
    to: date
    reason: str = Field(min_length=1, max_length=MAX_TEXT_LENGTH)

    @model_validator(mode="after")
    def _range(self) -> ScenarioAbsence:
        if self.to < self.from_:
            raise ValueError("'to' is before 'from'")
        return self


class ScenarioDoctor(_Open):
    id: str = ID
    name: str = NAME
    role: Role
    birth_date: date | None = None
    mobile: str
    email: EmailStr
    qualification: ScenarioQualification
    exemptions: list[ScenarioExemption] = []
    absences: list[ScenarioAbsence] = []
    meeting_absence: (
        Literal["illness", "vacation", "course", "on_duty", "approved_other", "unexcused"] | None
    ) = None
    substitute_for: str | None = Field(None, max_length=MAX_ID_LENGTH)
    substitute_from: date | None = None
    substitute_to: date | None = None

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str) -> str:
        # R-DATA-1. The message never repeats the number (personal data).
        return norwegian_mobile(value)

    @model_validator(mode="after")
    def _dates(self) -> ScenarioDoctor:
        early = courses_before_birth(self.qualification, self.birth_date)
        if early:
            raise ValueError(f"qualification.{early[0]} is before the doctor's birth date")  # R-DATA-1
        if self.role is not Role.SUBSTITUTE and self.substitute_for is not None:
            raise ValueError("substitute_for is only for role 'substitute'")
        if self.substitute_from and self.substitute_to and self.substitute_to < self.substitute_from:
            raise ValueError("substitute_to is before substitute_from")
        return self


class ScenarioAction(_Open):
    doctor: str = Field(min_length=1, max_length=MAX_ID_LENGTH)
    shift: str = Field(min_length=1, max_length=MAX_SHIFT_ID_LENGTH)


class Scenario(_Open):
    format: Literal[1]
    district: ScenarioDistrict
    period: ScenarioPeriod
    shift_template: list[ScenarioShiftTemplate] = Field(min_length=1, max_length=MAX_TEMPLATES)
    doctors: list[ScenarioDoctor] = Field(min_length=1, max_length=MAX_DOCTORS)
    staff_assignments: list[ScenarioAction] = Field([], max_length=MAX_ACTIONS)
    advance_wishes: list[ScenarioAction] = Field([], max_length=MAX_ACTIONS)
    meeting_picks: list[ScenarioAction] = Field([], max_length=MAX_ACTIONS)
    claims: list[ScenarioAction] = Field([], max_length=MAX_ACTIONS)
    lottery_seed: int | None = None


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, str) and any(c in part for c in "[('"):
            continue  # pydantic's tag for a union branch (`list[str]`), not a JSON key
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = "from" if part == "from_" else str(part)
            out += f".{name}" if out else name
    return out or "(document)"


def _reason(error: dict[str, Any]) -> str:
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message


def parse_scenario(document: Any) -> Scenario:
    """Validate a scenario document; raise ScenarioError with every problem found."""
    try:
        scenario = Scenario.model_validate(document)
    except ValidationError as exc:
        # Build messages from loc and msg only: str(exc) would echo the input values.
        raise ScenarioError([f"{_path(e['loc'])}: {_reason(e)}" for e in exc.errors()]) from None
    problems = _cross_check(scenario)
    if problems:
        raise ScenarioError(problems)
    return scenario


def _cross_check(s: Scenario) -> list[str]:
    problems = []
    if s.period.end < s.period.start:
        problems.append("period.end: before period.start")
    if not (s.period.wishes_due <= s.period.meeting_at <= s.period.offering_closes):
        problems.append("period: deadlines must satisfy wishes_due <= meeting_at <= offering_closes")
    days = (s.period.end - s.period.start).days + 1
    if days > MAX_PERIOD_DAYS:
        problems.append(f"period.end: a period longer than {MAX_PERIOD_DAYS} days is not an allocation period")
    elif days > 0:
        shifts = sum(_weekday_count(s.period.start, days, t.days) for t in s.shift_template)
        if shifts > MAX_SHIFTS:
            problems.append(f"shift_template: the period would have {shifts} shifts; at most {MAX_SHIFTS} are allowed")
    actions = sum(len(a) for a in (s.staff_assignments, s.advance_wishes, s.meeting_picks, s.claims))
    if actions > MAX_ACTIONS:
        problems.append(f"(document): {actions} scripted actions; at most {MAX_ACTIONS} are allowed")
    seen: dict[str, int] = {}
    for i, t in enumerate(s.shift_template):
        if t.name in seen:
            problems.append(f"shift_template[{i}].name: duplicate of shift_template[{seen[t.name]}]")
        seen[t.name] = i
    ids: dict[str, int] = {}
    for i, d in enumerate(s.doctors):
        if d.id in ids:
            problems.append(f"doctors[{i}].id: duplicate of doctors[{ids[d.id]}]")
        ids[d.id] = i
    roles = {d.id: d.role for d in s.doctors}
    for i, d in enumerate(s.doctors):
        if d.substitute_for is not None and roles.get(d.substitute_for) is not Role.GP:
            problems.append(f"doctors[{i}].substitute_for: not a GP of the district")
    for i, d in enumerate(s.doctors):
        if any(e.reason == "age_over_60" for e in d.exemptions) and d.birth_date is None:
            problems.append(f"doctors[{i}].birth_date: required for an age_over_60 exemption (R-EX-1)")
    stand_ins: dict[str, list[tuple[int, date, date]]] = {}
    for i, d in enumerate(s.doctors):
        if d.substitute_for is not None:
            start, end = d.substitute_from or s.period.start, d.substitute_to or s.period.end
            for j, other_start, other_end in stand_ins.get(d.substitute_for, []):
                if start <= other_end and other_start <= end:
                    problems.append(
                        f"doctors[{i}].substitute_for: doctors[{j}] already stands in for that GP on overlapping dates (R-EX-5)"
                    )
            stand_ins.setdefault(d.substitute_for, []).append((i, start, end))
    return problems


def _weekday_count(start: date, days: int, template_days: list[str] | str) -> int:
    wanted = set(range(7)) if template_days == "all" else {WEEKDAYS.index(d) for d in template_days}
    return sum(1 for i in range(days) if (start.weekday() + i) % 7 in wanted)


def doctor_profile(d: ScenarioDoctor, s: Scenario) -> DoctorProfile:
    """The rules' view of one doctor, before minimisation (to_period_config minimises it).
    The grant and attendance rules are domain.registry.profiles', shared with the district registry."""
    stands_in = None
    if d.substitute_for is not None:
        stands_in = StandIn(
            gp=d.substitute_for,
            range=DateRange(start=d.substitute_from or s.period.start, end=d.substitute_to or s.period.end),
        )
    return profile(
        doctor_id=d.id,
        role=d.role,
        qualification_facts=d.qualification,
        exemptions=d.exemptions,
        birth_date=d.birth_date,
        absences=(DateRange(start=a.from_, end=a.to) for a in d.absences),
        meeting_day=meeting_day(s.period.meeting_at),
        meeting_absence=d.meeting_absence,
        stands_in=stands_in,
    )


def engine_policy(s: Scenario) -> Policy:
    """The district policy the scenario sets (the rulebook's defaults for what it leaves out)."""
    policy = s.district.policy
    return Policy(
        min_rest_hours=policy.min_rest_hours,
        allow_back_to_back=policy.allow_back_to_back,
        meeting_duration_hours=policy.meeting_duration_hours,
        weights=policy.weights,
        qualification_exceptions=tuple(policy.qualification_exceptions),
        max_shifts_per_week=policy.max_shifts_per_week,
        seed_source=policy.seed_source,
        beacon=policy.beacon,
    )


def shift_templates(s: Scenario) -> tuple[ShiftTemplate, ...]:
    return tuple(
        ShiftTemplate(
            name=t.name,
            kind=t.kind,
            days=tuple(WEEKDAYS) if t.days == "all" else tuple(t.days),
            start=t.start,
            end=t.end,
        )
        for t in s.shift_template
    )


def to_period_config(s: Scenario) -> PeriodConfig:
    """The minimised config a period's workflow gets (domain.registry.minimise): no contact data, no
    reasons, every range clamped to the period."""
    return minimise(PeriodConfig(
        district=District(id=s.district.id, name=s.district.name, policy=engine_policy(s)),
        period=PeriodDates(
            id=s.period.id,
            start=s.period.start,
            end=s.period.end,
            wishes_due=s.period.wishes_due,
            meeting_at=s.period.meeting_at,
            offering_closes=s.period.offering_closes,
        ),
        shift_template=shift_templates(s),
        doctors=tuple(doctor_profile(d, s) for d in s.doctors),
        lottery_seed=s.lottery_seed,
    ))
