"""Independent qualification ("vaktkompetanse"), judged on the shift's date.

R-QUAL-1 (akuttmedisinforskriften § 7, report 2.2): qualified when
  (a) specialist in general practice and the violence/abuse course, or
  (b) >= 30 months of clinical service, and >= 40 duty shifts or >= 12 months as GP in the
      municipal service, and the acute-medicine and violence/abuse courses.
  The report's variants c-e reduce to (b)'s conditions.
R-QUAL-4: every dated condition must hold on the shift's date; time-limited exceptions are
district policies with an end date.
"""

from __future__ import annotations

from datetime import date

from domain.model import Policy, Qualification

MIN_CLINICAL_MONTHS = 30  # R-QUAL-1 (b)
MIN_DUTY_SHIFTS = 40  # R-QUAL-1 (b)
MIN_GP_MONTHS = 12  # R-QUAL-1 (b)


def _held_on(course: date | None, day: date) -> bool:
    return course is not None and course <= day


def qualified_by_specialty(q: Qualification, day: date) -> bool:
    """R-QUAL-1 (a)."""
    return _held_on(q.specialist_gp, day) and _held_on(q.violence_course, day)


def qualified_by_experience(q: Qualification, day: date) -> bool:
    """R-QUAL-1 (b)."""
    return (
        q.clinical_months >= MIN_CLINICAL_MONTHS
        and (q.duty_shifts_done >= MIN_DUTY_SHIFTS or q.gp_months >= MIN_GP_MONTHS)
        and _held_on(q.acute_course, day)
        and _held_on(q.violence_course, day)
    )


def qualified_by_exception(q: Qualification, day: date, policy: Policy) -> str | None:
    """R-QUAL-4: the name of a time-limited exception that applies on `day`, if any."""
    for exc in policy.qualification_exceptions:
        if day > exc.until:
            continue
        if q.clinical_months < exc.min_clinical_months:
            continue
        if exc.requires_acute_course and not _held_on(q.acute_course, day):
            continue
        return exc.name
    return None


def is_independently_qualified(q: Qualification, day: date, policy: Policy) -> bool:
    """R-QUAL-1 judged on `day` (R-QUAL-4)."""
    return (
        qualified_by_specialty(q, day)
        or qualified_by_experience(q, day)
        or qualified_by_exception(q, day, policy) is not None
    )


def why_not_qualified(q: Qualification, day: date) -> str:
    """A plain-language reason, for rejections and `vakt explain`. Names no personal data."""
    missing = []
    if not _held_on(q.violence_course, day):
        missing.append("the violence/abuse course")
    if not _held_on(q.specialist_gp, day):
        if q.clinical_months < MIN_CLINICAL_MONTHS:
            missing.append(f"{MIN_CLINICAL_MONTHS} months of clinical service")
        if q.duty_shifts_done < MIN_DUTY_SHIFTS and q.gp_months < MIN_GP_MONTHS:
            missing.append(f"{MIN_DUTY_SHIFTS} duty shifts or {MIN_GP_MONTHS} months as GP")
        if not _held_on(q.acute_course, day):
            missing.append("the acute-medicine course")
    if not missing:
        return "qualified"
    return "lacks " + ", ".join(missing) + f" on {day.isoformat()}"
