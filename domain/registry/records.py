"""The district registry's records: a district and the doctors on its roll.

This is where personal data lives (contact data, birth dates, exemption reasons, who decided
them), validated on the way in (R-DATA-1). Nothing here travels to Temporal: a period's
workflow gets a minimised `PeriodConfig` built by `domain.registry.config`. Record reprs hide
personal fields, so a record that ends up in a traceback or a log line does not leak them.

A record's fields are named like the CSV columns (docs/registry-csv.md), and every validation
problem names a record and a field, never the value (`Problem`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator,
                      model_validator)

from domain.district import DistrictPolicy
from domain.limits import MAX_ENTRIES_PER_DOCTOR, MAX_ID_LENGTH, MAX_NAME_LENGTH, MAX_TEMPLATES, MAX_TEXT_LENGTH
from domain.model import OSLO, Role, ShiftKind, ShiftTemplate
from domain.registry.profiles import R_EX_1_REASONS, ExemptionReason, courses_before_birth, norwegian_mobile
from domain.period.shifts import WEEKDAYS

# Validation context of a record read back from the registry's own tables (adapters/postgres).
STORED = "stored"

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
ENTRY_SEPARATOR = "|"  # between the entries of a multi-valued CSV cell


def _plain_text(value: str) -> str:
    """One line of text a person typed, without control characters (terminal escapes).
    Markup such as `[bold]` is kept: it is always shown literally."""
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in value):
        raise ValueError("contains control characters (such as terminal escape codes)")
    value = value.strip()
    if not value:
        raise ValueError("is empty")
    return value


def _entry_text(value: str) -> str:
    """Text inside a CSV cell's entry: plain, and without the `|` that separates entries."""
    if ENTRY_SEPARATOR in value:
        raise ValueError(f"contains '{ENTRY_SEPARATOR}', which separates entries")
    return _plain_text(value)


Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH), AfterValidator(_entry_text)]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_LENGTH), AfterValidator(_entry_text)]
Title = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH), AfterValidator(_plain_text)]
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH)]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class QualificationRecord(Record):
    """Dated qualifications (R-QUAL-1, R-QUAL-4) and experience counts as of the import."""

    specialist_gp: date | None = None
    violence_course: date | None = None
    acute_course: date | None = None
    clinical_months: int = Field(ge=0, le=1200)
    duty_shifts_done: int = Field(ge=0, le=100_000)
    gp_months: int = Field(ge=0, le=1200)


class ExemptionRecord(Record):
    """R-EX-1 (by right: age over 60, pregnancy, breastfeeding) or R-EX-2 (discretionary: health,
    social; in force only when granted, and then with who decided and when). R-EX-3: an
    application that arrived after a period's meeting is not in force for that period."""

    reason: ExemptionReason
    from_: date = Field(alias="from")
    to: date | None = None
    granted: bool = False
    decided_by: Name | None = None
    decided_at: date | None = None
    applied_on: date | None = None

    @property
    def rule(self) -> Literal["R-EX-1", "R-EX-2"]:
        return "R-EX-1" if self.reason in R_EX_1_REASONS else "R-EX-2"

    @model_validator(mode="after")
    def _consistent(self) -> ExemptionRecord:
        if self.to is not None and self.to < self.from_:
            raise ValueError("'to' is before 'from'")
        if self.rule == "R-EX-2" and self.granted and (self.decided_by is None or self.decided_at is None):
            raise ValueError("R-EX-2: a granted exemption records who decided it and when (decided_by, decided_at)")
        return self


class AbsenceRecord(Record):
    """Dates the doctor cannot work (vacation, course, leave): never drawn then (R-LOT-2)."""

    from_: date = Field(alias="from")
    to: date
    reason: Text

    @model_validator(mode="after")
    def _range(self) -> AbsenceRecord:
        if self.to < self.from_:
            raise ValueError("'to' is before 'from'")
        return self


class StandInRecord(Record):
    """R-EX-5: a substitute stands in for `substitute_for` (a GP) from `from` to `to`."""

    substitute_for: Id
    from_: date = Field(alias="from")
    to: date | None = None

    @model_validator(mode="after")
    def _range(self) -> StandInRecord:
        if self.to is not None and self.to < self.from_:
            raise ValueError("'to' is before 'from'")
        return self

    def overlaps(self, other: StandInRecord) -> bool:
        return (other.to is None or self.from_ <= other.to) and (self.to is None or other.from_ <= self.to)


class RegistryDoctor(Record):
    """One doctor on a district's roll. `joined_on` and `left_on` are the first and the last day
    on the roll (both inclusive; empty: since always, still there)."""

    id: Id
    role: Role
    name: Name = Field(repr=False)
    mobile: str = Field(max_length=40, repr=False)
    email: str = Field(max_length=254, repr=False)
    birth_date: date | None = Field(None, repr=False)
    qualification: QualificationRecord
    exemptions: tuple[ExemptionRecord, ...] = Field((), max_length=MAX_ENTRIES_PER_DOCTOR, repr=False)
    absences: tuple[AbsenceRecord, ...] = Field((), max_length=MAX_ENTRIES_PER_DOCTOR, repr=False)
    stand_ins: tuple[StandInRecord, ...] = Field((), max_length=MAX_ENTRIES_PER_DOCTOR)
    joined_on: date | None = None
    left_on: date | None = None

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str) -> str:
        return norwegian_mobile(value)  # R-DATA-1; the message never repeats the number

    @field_validator("email")
    @classmethod
    def _email(cls, value: str, info: ValidationInfo) -> str:
        if info.context and info.context.get(STORED):
            return value  # checked and normalised when written; a roll of 1,000 is read per page
        # R-DATA-1. email-validator's own messages can quote parts of the address: not repeated.
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValueError("not a valid e-mail address") from None

    def on_roll(self, first: date, last: date) -> bool:
        """On the roll some day from `first` to `last`: joined by `last`, not left before `first`."""
        return (self.joined_on is None or self.joined_on <= last) and (self.left_on is None or self.left_on >= first)


def default_shift_template() -> tuple[ShiftTemplate, ...]:
    """The shifts of a district imported without a template (a CSV): the usual legevakt week
    of the sample district — weekday evenings, weekend days, every night, and backup."""
    weekdays, weekend = tuple(WEEKDAYS[:5]), ("sat", "sun")
    return (
        ShiftTemplate(name="evening", kind=ShiftKind.DUTY, days=weekdays, start="16:00", end="23:00"),
        ShiftTemplate(name="day", kind=ShiftKind.DUTY, days=weekend, start="08:00", end="16:00"),
        ShiftTemplate(name="night", kind=ShiftKind.DUTY, days=tuple(WEEKDAYS), start="23:00", end="08:00"),
        ShiftTemplate(name="backup", kind=ShiftKind.BACKUP, days=tuple(WEEKDAYS), start="16:00", end="08:00"),
        ShiftTemplate(name="backup-day", kind=ShiftKind.BACKUP, days=weekend, start="08:00", end="16:00"),
    )


class DistrictRecord(Record):
    """A district: its name, time zone, standing policy (domain.district) and week of shifts."""

    id: Id
    name: Title
    timezone: Literal["Europe/Oslo"] = OSLO
    policy: DistrictPolicy = DistrictPolicy()
    shift_template: tuple[ShiftTemplate, ...] = Field(
        default_factory=default_shift_template, min_length=1, max_length=MAX_TEMPLATES
    )


@dataclass(frozen=True)
class RegistryImport:
    """A whole district as a file describes it: the roll replaces the stored one (doctors missing
    from it are marked as left). `name`, `policy` and `shift_template` are None when the file
    does not set them: a new district then gets the defaults, an existing one keeps its own."""

    doctors: tuple[RegistryDoctor, ...]
    name: str | None = None
    policy: DistrictPolicy | None = None
    shift_template: tuple[ShiftTemplate, ...] | None = None


# ------------------------------------------------------------------------------- problems


@dataclass(frozen=True, order=True)
class Problem:
    """What is wrong with one field of one record (`index` into the roll). Never the value."""

    index: int
    field: str
    reason: str


class RegistryError(ValueError):
    """An invalid registry input: every problem, each naming its record and field.
    `bad_records`: how many records (CSV rows, scenario doctors) have a problem, when the
    problems are about records rather than the file as a whole."""

    def __init__(self, problems: Sequence[str], *, bad_records: int | None = None):
        self.problems = list(problems)
        self.bad_records = bad_records
        super().__init__("; ".join(self.problems))


def _field_of(loc: tuple[Any, ...]) -> tuple[str, str]:
    """A pydantic error location as (record field, prefix for the reason)."""
    if not loc:
        return "(record)", ""
    head, rest = str(loc[0]), loc[1:]
    if head == "qualification" and rest:
        return str(rest[0]), ""
    if rest and isinstance(rest[0], int):
        inner = ".".join("from" if p == "from_" else str(p) for p in rest[1:])
        return head, f"entry {rest[0] + 1}: " + (f"{inner}: " if inner else "")
    return head, ""


def validation_problems(index: int, error: ValidationError) -> list[Problem]:
    """A pydantic error as problems: field and message only (pydantic's `str(error)` would echo
    the input, which may be personal data)."""
    problems = []
    for e in error.errors():
        field, prefix = _field_of(tuple(e["loc"]))
        message = str(e["msg"])
        for noise in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(noise)
        problems.append(Problem(index, field, prefix + message))
    return problems


def doctor_problems(index: int, d: RegistryDoctor) -> list[Problem]:
    """R-DATA-1 checks across one record's fields."""
    problems = [
        Problem(index, name, "before the doctor's birth date")
        for name in courses_before_birth(d.qualification, d.birth_date)
    ]
    if d.birth_date is None and any(e.reason == "age_over_60" for e in d.exemptions):
        problems.append(Problem(index, "birth_date", "required for an age_over_60 exemption (R-EX-1)"))
    if d.joined_on and d.left_on and d.left_on < d.joined_on:
        problems.append(Problem(index, "left_on", "before joined_on"))
    if d.stand_ins and d.role is not Role.SUBSTITUTE:
        problems.append(Problem(index, "stand_ins", "only a substitute stands in for a GP (R-EX-5)"))
    for i, a in enumerate(d.stand_ins):
        for j, b in enumerate(d.stand_ins[:i]):
            if a.overlaps(b):
                problems.append(Problem(
                    index, "stand_ins", f"entries {j + 1} and {i + 1} overlap: a substitute stands in for one GP at a time (R-EX-5)"
                ))
    return problems


def roll_problems(doctors: Sequence[RegistryDoctor], where: Callable[[int], str]) -> list[Problem]:
    """Checks across the records of a roll; `where(i)` names record i in a message ("row 5")."""
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for i, d in enumerate(doctors):
        if d.id in first:
            problems.append(Problem(i, "id", f"duplicate of {where(first[d.id])}"))
        else:
            first[d.id] = i
    # The address is the sign-in identifier: one doctor of a roll per address.
    addresses: dict[str, int] = {}
    for i, d in enumerate(doctors):
        address = d.email.lower()
        if address in addresses:
            problems.append(Problem(i, "email", f"the same address as {where(addresses[address])}; each doctor needs their own"))
        else:
            addresses[address] = i
    roles = {d.id: d.role for d in doctors}
    covering: dict[str, list[tuple[int, StandInRecord]]] = {}
    for i, d in enumerate(doctors):
        for n, s in enumerate(d.stand_ins, start=1):
            if roles.get(s.substitute_for) is not Role.GP:
                problems.append(Problem(i, "stand_ins", f"entry {n}: not a GP of the district (R-EX-5)"))
                continue
            for j, other in covering.get(s.substitute_for, []):
                if j != i and s.overlaps(other):
                    problems.append(Problem(
                        i, "stand_ins", f"entry {n}: {where(j)} already stands in for that GP on overlapping dates (R-EX-5)"
                    ))
            covering.setdefault(s.substitute_for, []).append((i, s))
    return sorted(problems)


def parse_doctor(index: int, data: dict[str, Any]) -> tuple[RegistryDoctor | None, list[Problem]]:
    """One record, validated field by field and across its fields (R-DATA-1): the record when
    it is valid, else None and every problem found."""
    try:
        doctor = RegistryDoctor.model_validate(data)
    except ValidationError as e:
        return None, validation_problems(index, e)
    problems = doctor_problems(index, doctor)
    return (None if problems else doctor), problems
