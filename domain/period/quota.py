"""The quota (R-LOAD-2) and how much a shift weighs.

R-LOAD-2: quota = the shifts left after staff assignments, divided among the participating GPs
(not exempt, not replaced), rounded up. R-EX-3: a doctor exempt for part of the period has the
quota reduced in proportion. R-EX-5: a substitute standing in takes the GP's place for those
dates. With a weight policy, nights, weekends and public holidays count more and quota and load
are in points; without one a shift is one point and points are shift counts.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from functools import lru_cache

from pydantic import BaseModel

from domain.period.availability import duty_bound_on
from domain.model import PeriodConfig, Role, Shift, WeightPolicy


class QuotaSnapshot(BaseModel):
    """Recorded when the meeting opens (R-PROC-6: the invitation states the quota)."""

    base: int  # a fully participating GP's quota
    shared: float  # points left after staff assignments
    participants: float  # participating GPs, partial participation counted in proportion
    per_doctor: dict[str, int]  # individual quotas (R-EX-3 / R-EX-5 proportions applied)
    weighted: bool = False

    def of(self, doctor_id: str) -> int:
        return self.per_doctor.get(doctor_id, 0)


@lru_cache(maxsize=8)
def norwegian_public_holidays(year: int) -> frozenset[date]:
    # A maintained calendar library rather than a hand-typed list (movable Easter feasts).
    import holidays  # imported on first use: ~40 ms of country tables most callers never need

    return frozenset(holidays.country_holidays("NO", years=year).keys())


def shift_weight(shift: Shift, weights: WeightPolicy | None) -> float:
    """R-LOAD-2 (policy): the points a shift counts for; 1 without a weight policy."""
    if weights is None:
        return 1.0
    factor = 1.0
    local = shift.local_start
    if local.hour >= 22 or local.hour < 6 or shift.hours >= 12:
        factor = max(factor, weights.night)
    if shift.day.weekday() >= 5:
        factor = max(factor, weights.weekend)
    if shift.day in norwegian_public_holidays(shift.day.year):
        factor = max(factor, weights.public_holiday)
    return factor


def participation(config: PeriodConfig, doctor_id: str) -> float:
    """Share of the period's days on which the doctor carries a GP's duty (R-EX-3, R-EX-5)."""
    doctor = config.doctor(doctor_id)
    if doctor is None:
        return 0.0
    return participations(config).get(doctor_id, 0.0)


def _days(ranges: list[tuple[int, int]]) -> int:
    """Days in the union of inclusive day-number ranges."""
    covered, reached = 0, None
    for lo, hi in sorted(ranges):
        if reached is not None and lo <= reached:
            lo = reached + 1
        if lo <= hi:
            covered += hi - lo + 1
            reached = hi
    return covered


def participations(config: PeriodConfig) -> dict[str, float]:
    """Every doctor's share of the period's days carrying a GP's duty (duty_bound_on), from
    range arithmetic: a GP is bound unless exempt or stood in for (R-EX-3, R-EX-5), a substitute
    while standing in and not exempt, a staff doctor never. Linear in the doctors, whatever the
    period's length: the per-day rule for 1,000 doctors over a year took seconds in a workflow
    task (`participation_by_day` keeps the per-day reading for tests to compare with)."""
    first, last = config.period.start, config.period.end
    days = (last - first).days + 1
    origin = first.toordinal()

    def clamp(r) -> tuple[int, int] | None:
        lo = max(r.start.toordinal(), origin)
        hi = min((r.end or last).toordinal(), last.toordinal())
        return (lo, hi) if lo <= hi else None

    replaced: dict[str, list[tuple[int, int]]] = {}
    for sub in config.stand_ins:
        c = clamp(sub.stands_in.range)
        if c is not None:
            replaced.setdefault(sub.stands_in.gp, []).append(c)
    out: dict[str, float] = {}
    for doctor in config.doctors:
        off = [c for g in doctor.exemptions if (c := clamp(g.range)) is not None]
        if doctor.role is Role.GP:
            bound = days - _days(off + replaced.get(doctor.id, []))
        elif doctor.role is Role.SUBSTITUTE and doctor.stands_in is not None:
            standing = clamp(doctor.stands_in.range)
            if standing is None:
                bound = 0
            else:
                lo, hi = standing
                bound = (hi - lo + 1) - _days([(max(a, lo), min(b, hi)) for a, b in off if a <= hi and b >= lo])
        else:
            bound = 0
        out[doctor.id] = bound / days
    return out


def participation_by_day(config: PeriodConfig, doctor_id: str) -> float:
    """The rule read day by day (slow; the reference `participations` is checked against)."""
    doctor = config.doctor(doctor_id)
    if doctor is None:
        return 0.0
    first, last = config.period.start, config.period.end
    days = (last - first).days + 1
    return sum(1 for i in range(days) if duty_bound_on(config, doctor, first + timedelta(days=i))) / days


def compute_quota(config: PeriodConfig, shifts: tuple[Shift, ...], staff_held: set[str]) -> QuotaSnapshot:
    """R-LOAD-2 with R-EX-3 and R-EX-5 proportions."""
    weights = config.district.policy.weights
    shared = sum(shift_weight(s, weights) for s in shifts if s.id not in staff_held)
    shares = participations(config)
    participants = sum(shares.values())
    base = math.ceil(shared / participants - 1e-9) if participants > 0 else 0
    per_doctor = {
        doctor_id: math.ceil(base * share - 1e-9) for doctor_id, share in shares.items() if share > 0
    }
    return QuotaSnapshot(
        base=base,
        shared=shared,
        participants=round(participants, 4),
        per_doctor=per_doctor,
        weighted=weights is not None,
    )
