"""An independent oracle: the rulebook re-derived from the config alone — shift intervals with
zoneinfo, qualification, R-LOT-1/R-LOT-2 pool membership, R-LOT-3 deficits, the R-LOT-4 tie
formula — so the tests do not trust the engine's own checks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain.model import (
    DateRange,
    DoctorProfile,
    MeetingAttendance,
    PeriodConfig,
    Policy,
    Qualification,
    Role,
    Shift,
    ShiftKind,
)
from domain.period.quota import shift_weight
from tests.helpers.builders import TZ, WEEKDAYS


@dataclass(frozen=True)
class Interval:
    id: str
    day: date
    kind: ShiftKind
    start: datetime  # UTC
    end: datetime  # UTC

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def _hm(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


def oracle_shifts(config: PeriodConfig) -> dict[str, Interval]:
    """Every shift of the period, recomputed with zoneinfo (R-TIME-1)."""
    out: dict[str, Interval] = {}
    day = config.period.start
    while day <= config.period.end:
        for t in config.shift_template:
            if WEEKDAYS[day.weekday()] not in t.days:
                continue
            s, e = _hm(t.start), _hm(t.end)
            end_day = day + timedelta(days=1) if e <= s else day
            out[f"{day.isoformat()}/{t.name}"] = Interval(
                id=f"{day.isoformat()}/{t.name}",
                day=day,
                kind=t.kind,
                start=datetime.combine(day, s, tzinfo=TZ).astimezone(UTC),
                end=datetime.combine(end_day, e, tzinfo=TZ).astimezone(UTC),
            )
        day += timedelta(days=1)
    return out


def oracle_qualified(q: Qualification, day: date, policy: Policy) -> bool:
    """R-QUAL-1 (a)/(b) judged on `day` (R-QUAL-4), plus the policy's time-limited exceptions."""

    def has(d: date | None) -> bool:
        return d is not None and d <= day

    a = has(q.specialist_gp) and has(q.violence_course)
    b = (
        q.clinical_months >= 30
        and (q.duty_shifts_done >= 40 or q.gp_months >= 12)
        and has(q.acute_course)
        and has(q.violence_course)
    )
    exc = any(
        day <= e.until
        and q.clinical_months >= e.min_clinical_months
        and (not e.requires_acute_course or has(q.acute_course))
        for e in policy.qualification_exceptions
    )
    return a or b or exc


def _in_range(r: DateRange, day: date) -> bool:
    return r.start <= day and (r.end is None or day <= r.end)


def oracle_backups_cover(shifts: dict[str, Interval], target: Interval) -> bool:
    """R-QUAL-3: the union of the period's backup shifts covers the whole of `target`."""
    reached = target.start
    for b in sorted((s for s in shifts.values() if s.kind is ShiftKind.BACKUP), key=lambda s: s.start):
        if b.end <= reached:
            continue
        if b.start > reached:
            break
        reached = b.end
        if reached >= target.end:
            return True
    return reached >= target.end


def oracle_rest_ok(a: Interval, b: Interval, min_rest_hours: float, *, allow_back_to_back: bool = False) -> bool:
    """R-REST-1 between two shifts of one doctor: never overlapping; at least the minimum rest."""
    if a.start < b.end and b.start < a.end:
        return False
    gap = b.start - a.end if a.end <= b.start else a.start - b.end
    return allow_back_to_back or gap >= timedelta(hours=min_rest_hours)


def oracle_weight(shift: Interval, config: PeriodConfig) -> float:
    """The shift's points under the district's weight policy (R-LOAD-2); 1 without one."""
    weights = config.district.policy.weights
    if weights is None:
        return 1.0
    return shift_weight(
        Shift(id=shift.id, day=shift.day, name=shift.id.split("/", 1)[1], kind=shift.kind, start=shift.start, end=shift.end),
        weights,
    )


def replaced_by(config: PeriodConfig, gp_id: str, day: date) -> str | None:
    for d in config.doctors:
        if d.role is Role.SUBSTITUTE and d.stands_in and d.stands_in.gp == gp_id and _in_range(d.stands_in.range, day):
            return d.id
    return None


def oracle_drawable(
    config: PeriodConfig,
    shifts: dict[str, Interval],
    doctor: DoctorProfile,
    shift: Interval,
    *,
    wishes: int,
    load: float,
    quota: int,
    held: list[Interval],
) -> bool:
    """R-LOT-1 pool membership and R-LOT-2 exclusions, from the rulebook alone."""
    day = shift.day
    policy = config.district.policy
    # R-LOT-2: staff never; substitutes only while standing in (R-EX-5); a replaced GP not.
    if doctor.role is Role.STAFF:
        return False
    if doctor.role is Role.SUBSTITUTE and not (doctor.stands_in and _in_range(doctor.stands_in.range, day)):
        return False
    if doctor.role is Role.GP and replaced_by(config, doctor.id, day) is not None:
        return False
    # R-LOT-1: (a) no wishes and no valid absence, (b) gave wishes but below the quota.
    if wishes == 0:
        if doctor.meeting is MeetingAttendance.VALID_ABSENCE:
            return False
    elif not load < quota:
        return False
    # R-LOT-2: exempt, absent, not qualified for a backup, R-QUAL-3, rest/overlap.
    if any(_in_range(g.range, day) for g in doctor.exemptions):
        return False
    if any(_in_range(r, day) for r in doctor.absences):
        return False
    qualified = oracle_qualified(doctor.qualification, day, policy)
    if shift.kind is ShiftKind.BACKUP and not qualified:
        return False
    if shift.kind is ShiftKind.DUTY and not qualified and not oracle_backups_cover(shifts, shift):
        return False
    return all(oracle_rest_ok(shift, h, policy.min_rest_hours) for h in held if h.id != shift.id)


def expected_tie_index(seed: int, shift_id: str, n: int, attempt: int = 1) -> int:
    """R-LOT-4: SHA-256 of "<seed>:<shift id>" (first pick) or "<seed>:<shift id>:<attempt>"
    as a big-endian integer, modulo the number of candidates left."""
    text = f"{seed}:{shift_id}" if attempt == 1 else f"{seed}:{shift_id}:{attempt}"
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % n


def decode(doctor_set, ids: list[str]) -> list[str]:
    """A recorded doctor set (hex bits over the period's doctors sorted by id) as ids."""
    value = int(doctor_set.bits, 16)
    members = [d for i, d in enumerate(ids) if (value >> i) & 1]
    assert len(members) == doctor_set.size, (doctor_set, members)
    assert value >> len(ids) == 0, "a doctor set names a doctor the period does not have"
    return members
