"""The least a period's workflow needs to know about its doctors (data minimisation).

A `PeriodConfig` travels in Temporal payloads and in the `PeriodOpened` event. Built from a
scenario or from the district registry, it is passed through `minimise` first, so that:
- every exemption, absence and stand-in range is clamped to the period's dates. An open-ended
  R-EX-1 exemption (over 60) and a dated one (pregnancy, breastfeeding) then look alike, and
  an exemption starting on a 60th birthday before the period no longer gives the birth date;
- an exemption names only its rule (R-EX-1 or R-EX-2), never the reason or who decided;
- qualification dates before the period become the period's first day, and dates after it
  are dropped. Experience counts are capped at the highest threshold any rule or policy
  compares them with (R-QUAL-1, R-QUAL-4).
Every rule gives the same answer for every shift of the period on the minimised config as on
the original (tests/unit/test_minimise.py checks this). Contact data never enters a config.
"""

from __future__ import annotations

from datetime import date

from domain.model import DateRange, DoctorProfile, PeriodConfig, Qualification, StandIn
from domain.period.qualification import MIN_CLINICAL_MONTHS, MIN_DUTY_SHIFTS, MIN_GP_MONTHS


def _clamp(r: DateRange, first: date, last: date) -> DateRange | None:
    start = max(r.start, first)
    end = last if r.end is None else min(r.end, last)
    return DateRange(start=start, end=end) if start <= end else None


def _clamp_all(ranges, first: date, last: date) -> tuple:
    return tuple(c for r in ranges if (c := _clamp(r, first, last)) is not None)


def _course(day: date | None, first: date, last: date) -> date | None:
    if day is None or day > last:
        return None
    return max(day, first)


def _qualification(q: Qualification, first: date, last: date, clinical_cap: int) -> Qualification:
    return Qualification(
        specialist_gp=_course(q.specialist_gp, first, last),
        violence_course=_course(q.violence_course, first, last),
        acute_course=_course(q.acute_course, first, last),
        clinical_months=min(q.clinical_months, clinical_cap),
        duty_shifts_done=min(q.duty_shifts_done, MIN_DUTY_SHIFTS),
        gp_months=min(q.gp_months, MIN_GP_MONTHS),
    )


def _doctor(d: DoctorProfile, first: date, last: date, clinical_cap: int) -> DoctorProfile:
    stands_in = None
    if d.stands_in is not None:
        clamped = _clamp(d.stands_in.range, first, last)
        stands_in = StandIn(gp=d.stands_in.gp, range=clamped) if clamped else None
    return d.model_copy(
        update={
            "qualification": _qualification(d.qualification, first, last, clinical_cap),
            "exemptions": tuple(
                g.model_copy(update={"range": c})
                for g in d.exemptions
                if (c := _clamp(g.range, first, last)) is not None
            ),
            "absences": _clamp_all(d.absences, first, last),
            "stands_in": stands_in,
        }
    )


def minimise(config: PeriodConfig) -> PeriodConfig:
    """The config with every doctor reduced to what the rules need within the period."""
    first, last = config.period.start, config.period.end
    exceptions = config.district.policy.qualification_exceptions
    clinical_cap = max([MIN_CLINICAL_MONTHS, *(e.min_clinical_months for e in exceptions)])
    return config.model_copy(
        update={"doctors": tuple(_doctor(d, first, last, clinical_cap) for d in config.doctors)}
    )
