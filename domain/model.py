"""The configuration of one allocation period, as the engine sees it.

These models are what the workflow carries. They hold no contact data (mobile, e-mail, birth
date) and no exemption reasons: those stay in the clinic's records (see `domain.scenario`), and
only the facts the rules need travel in Temporal payloads — exemption *ranges* with the rule that
grants them, absence ranges, qualification dates.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.swap_policy import SwapApprovalPolicy

OSLO = "Europe/Oslo"
OSLO_TZ = ZoneInfo(OSLO)  # R-TIME-1: every wall-clock time in the engine is Europe/Oslo


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Role(StrEnum):
    GP = "gp"
    SUBSTITUTE = "substitute"
    STAFF = "staff"


class ShiftKind(StrEnum):
    DUTY = "duty"
    BACKUP = "backup"


class Phase(StrEnum):
    """R-PROC-1: meeting → offering → lottery → published, in this order."""

    MEETING = "meeting"
    OFFERING = "offering"
    LOTTERY = "lottery"
    PUBLISHED = "published"
    CANCELLED = "cancelled"  # an operator cancelled the round (recorded); terminal, no roster


PHASE_ORDER: tuple[Phase, ...] = (Phase.MEETING, Phase.OFFERING, Phase.LOTTERY, Phase.PUBLISHED)


def next_phase(phase: Phase) -> Phase:
    return PHASE_ORDER[PHASE_ORDER.index(phase) + 1]


class MeetingAttendance(StrEnum):
    """R-MEET-1: attendance is mandatory; only the listed reasons make an absence valid."""

    ATTENDED = "attended"
    VALID_ABSENCE = "valid_absence"
    UNEXCUSED = "unexcused"


class DateRange(Frozen):
    """Inclusive range of local dates; `end=None` means open-ended (a permanent exemption)."""

    start: date
    end: date | None = None

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def days_within(self, first: date, last: date) -> int:
        lo = max(self.start, first)
        hi = last if self.end is None else min(self.end, last)
        return max(0, (hi - lo).days + 1)


class WeightPolicy(Frozen):
    """R-LOAD-2 (policy): optional weights so nights, weekends and public holidays count more."""

    night: float = Field(1.0, ge=0, le=10)
    weekend: float = Field(1.0, ge=0, le=10)
    public_holiday: float = Field(1.0, ge=0, le=10)


class QualificationException(Frozen):
    """R-QUAL-4: a time-limited exception that treats a group as qualified until `until`.

    Example: the LIS1 exception that ran to 2023-12-31 — doctors with at least
    `min_clinical_months` of clinical service counted as qualified for duty while it lasted.
    """

    name: str
    until: date
    min_clinical_months: int = 0
    requires_acute_course: bool = True


class BeaconChain(Frozen):
    """A drand chain as its /info endpoint publishes it (R-LOT-5). The default is the League of
    Entropy's `quicknet` (unchained, G1 signatures, a round every 3 s)."""

    hash: str = Field("52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971", pattern=r"^[0-9a-f]{64}$")
    public_key: str = Field(
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d"
        "1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
        pattern=r"^[0-9a-f]{96}([0-9a-f]{96})?$",
    )
    scheme: Literal["bls-unchained-g1-rfc9380", "pedersen-bls-chained"] = "bls-unchained-g1-rfc9380"
    genesis_time: int = Field(1692803367, ge=0)  # unix seconds of round 1
    period_seconds: int = Field(3, ge=1, le=3600)


class Policy(Frozen):
    """District policy: every choice the rulebook leaves open, with the rulebook's defaults."""

    min_rest_hours: float = Field(8.0, ge=0, le=24)  # R-REST-1 (SFS 2305 § 7.4)
    allow_back_to_back: bool = False  # R-REST-1: voluntary picks may ignore the rest minimum
    meeting_duration_hours: float = Field(3.0, gt=0, le=72)  # phase A ends this long after meeting_at
    reminder_hours_before: float = Field(48.0, ge=0, le=336)  # reminders this long before a deadline
    weights: WeightPolicy | None = None  # R-LOAD-2
    qualification_exceptions: tuple[QualificationException, ...] = ()  # R-QUAL-4
    # R-LOAD-3: at most this many shifts in any 7 consecutive days per doctor (None: no cap).
    max_shifts_per_week: int | None = Field(None, ge=1, le=14)
    # R-LOT-5: where the lottery's seed comes from. "system" (generated inside the round, the
    # behaviour before R-LOT-5, kept as the default so running rounds and demos stay as they
    # were), "drand" (a public beacon round after the offering closes) or "offline" (a secret
    # committed to when the offering opens and revealed at the draw).
    seed_source: Literal["system", "drand", "offline"] = "system"
    beacon: BeaconChain | None = None  # the drand chain for "drand"; None: League of Entropy quicknet
    # R-VAC-3: the operators are alerted when a vacancy is still open this many hours (elapsed
    # time, not wall-clock: an alert needs real hours to act on) before its shift starts.
    vacancy_alert_hours: float = Field(48.0, ge=0, le=2160)
    # R-SWAP-2: whether an accepted swap waits for an operator's approval (default: it does not).
    swap_approval: SwapApprovalPolicy = SwapApprovalPolicy()


class District(Frozen):
    id: str
    name: str
    timezone: Literal["Europe/Oslo"] = OSLO
    policy: Policy = Policy()


class PeriodDates(Frozen):
    """The period's dates and deadlines; deadlines are Europe/Oslo wall-clock (R-TIME-1)."""

    id: str
    start: date
    end: date
    wishes_due: datetime
    meeting_at: datetime
    offering_closes: datetime

    @field_validator("wishes_due", "meeting_at", "offering_closes")
    @classmethod
    def _oslo_wall_clock(cls, value: datetime) -> datetime:
        # R-TIME-1: a deadline without an offset is Europe/Oslo wall-clock.
        return value.replace(tzinfo=OSLO_TZ) if value.tzinfo is None else value

    @model_validator(mode="after")
    def _in_order(self) -> PeriodDates:
        if self.end < self.start:
            raise ValueError("period end is before its start")
        if not (self.wishes_due <= self.meeting_at <= self.offering_closes):
            raise ValueError("deadlines must satisfy wishes_due <= meeting_at <= offering_closes")
        return self

    def meeting_closes(self, policy: Policy) -> datetime:
        return self.meeting_at + timedelta(hours=policy.meeting_duration_hours)


class ShiftTemplate(Frozen):
    name: str
    kind: ShiftKind
    days: tuple[str, ...]  # mon..sun; "all" is expanded on import
    start: str  # "HH:MM" local
    end: str  # "HH:MM" local; end <= start means it ends the next day


class Qualification(Frozen):
    """Dated qualifications (R-QUAL-1, judged on the shift's date by R-QUAL-4).

    Counts are as of the period's import; dates say from when a course or specialty holds.
    """

    specialist_gp: date | None = None
    violence_course: date | None = None
    acute_course: date | None = None
    clinical_months: int = Field(0, ge=0)
    duty_shifts_done: int = Field(0, ge=0)
    gp_months: int = Field(0, ge=0)


class ExemptionGrant(Frozen):
    """An exemption in force, stripped of its (sensitive) reason and of who decided it: only the
    rule and the dates within the period (`domain.registry.minimise`). The decision itself (R-EX-2: who
    and when) stays in the clinic's records."""

    rule: Literal["R-EX-1", "R-EX-2"]
    range: DateRange


class StandIn(Frozen):
    """R-EX-5: this substitute stands in for `gp` on the dates of `range`."""

    gp: str
    range: DateRange


class DoctorProfile(Frozen):
    """What the rules need to know about a doctor. No contact data, no exemption reasons."""

    id: str
    role: Role
    qualification: Qualification = Qualification()
    exemptions: tuple[ExemptionGrant, ...] = ()
    absences: tuple[DateRange, ...] = ()
    meeting: MeetingAttendance = MeetingAttendance.ATTENDED  # R-MEET-1
    stands_in: StandIn | None = None  # R-EX-5 (substitutes only)
    # R-LOAD-1 across periods: points worked above (+) or below (-) quota in the district's
    # earlier periods, carried by its policy (domain.district.CarryPolicy). The lottery's deficit
    # includes it (R-LOT-3).
    carried: float = Field(0.0, ge=-100, le=100)

    @property
    def valid_meeting_absence(self) -> bool:
        return self.meeting is MeetingAttendance.VALID_ABSENCE


class PeriodConfig(Frozen):
    """Everything fixed when a period is opened. Shifts are derived from it (`domain.period.shifts`)."""

    district: District
    period: PeriodDates
    shift_template: tuple[ShiftTemplate, ...]
    doctors: tuple[DoctorProfile, ...]
    lottery_seed: int | None = None  # R-LOT-4; generated once and recorded when absent

    @cached_property
    def doctors_by_id(self) -> dict[str, DoctorProfile]:
        return {d.id: d for d in self.doctors}

    @cached_property
    def stand_ins(self) -> tuple[DoctorProfile, ...]:
        """Substitutes that stand in for a GP some of the period (R-EX-5)."""
        return tuple(d for d in self.doctors if d.stands_in is not None)

    def doctor(self, doctor_id: str) -> DoctorProfile | None:
        return self.doctors_by_id.get(doctor_id)


class Shift(Frozen):
    """One concrete shift.

    `start`/`end` are stored in UTC: Python compares and subtracts two datetimes that share a
    tzinfo as wall-clock times, which would make the spring DST night 9 h instead of 8 h. UTC
    makes every interval check exact (R-TIME-1); `local_start`/`local_end` are for display.
    """

    id: str  # "DATE/NAME"
    day: date
    name: str
    kind: ShiftKind
    start: datetime
    end: datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(OSLO_TZ)

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(OSLO_TZ)
