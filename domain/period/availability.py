"""Who is available on a date: exemptions (R-EX-*), absences, stand-ins (R-EX-5)."""

from __future__ import annotations

from datetime import date

from domain.model import DoctorProfile, ExemptionGrant, PeriodConfig, Role


def exemption_on(doctor: DoctorProfile, day: date) -> ExemptionGrant | None:
    """R-EX-1/R-EX-2/R-EX-3: the exemption in force on `day`, if any."""
    for grant in doctor.exemptions:
        if grant.range.contains(day):
            return grant
    return None


def absent_on(doctor: DoctorProfile, day: date) -> bool:
    """An absence (vacation, course, leave) makes the doctor unavailable that day (R-LOT-2)."""
    return any(r.contains(day) for r in doctor.absences)


def stands_in_on(doctor: DoctorProfile, day: date) -> str | None:
    """R-EX-5: the GP this substitute stands in for on `day`."""
    if doctor.role is Role.SUBSTITUTE and doctor.stands_in and doctor.stands_in.range.contains(day):
        return doctor.stands_in.gp
    return None


def replaced_on(config: PeriodConfig, gp_id: str, day: date) -> str | None:
    """R-EX-5: the substitute standing in for this GP on `day`; the GP leaves the pool then."""
    for d in config.stand_ins:
        if stands_in_on(d, day) == gp_id:
            return d.id
    return None


def duty_bound_on(config: PeriodConfig, doctor: DoctorProfile, day: date) -> bool:
    """Whether the doctor carries a GP's duty on `day` (R-LOAD-2 participation, R-LOT-1 pool).

    A GP does unless exempt or replaced; a substitute does only while standing in (R-EX-5);
    staff doctors never (their shifts are pre-entered, R-PROC-2).
    """
    if exemption_on(doctor, day) is not None:
        return False
    if doctor.role is Role.GP:
        return replaced_on(config, doctor.id, day) is None
    return doctor.role is Role.SUBSTITUTE and stands_in_on(doctor, day) is not None
