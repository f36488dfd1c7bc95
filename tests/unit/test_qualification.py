"""R-QUAL-1 (independent qualification), R-QUAL-4 (judged on the shift's date, time-limited
exceptions as dated policies)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.model import Policy, Qualification, QualificationException
from domain.period.qualification import (
    is_independently_qualified,
    qualified_by_exception,
    qualified_by_experience,
    qualified_by_specialty,
    why_not_qualified,
)
from domain.period.rules import ActionKind, check_action
from tests.helpers.builders import at_meeting, gp, make_config, opened

DAY = date(2027, 2, 1)
LONG_AGO = date(2015, 1, 1)
POLICY = Policy()

SPECIALIST = Qualification(specialist_gp=LONG_AGO, violence_course=LONG_AGO)
EXPERIENCED = Qualification(
    violence_course=LONG_AGO, acute_course=LONG_AGO, clinical_months=30, duty_shifts_done=40, gp_months=0
)


def q(base: Qualification, **changes) -> Qualification:
    return base.model_copy(update=changes)


# ------------------------------------------------------------------------------------ R-QUAL-1 (a)
def test_r_qual_1a_specialist_with_violence_course_is_qualified():
    """R-QUAL-1 (a): specialist in general practice and the violence/abuse course."""
    assert qualified_by_specialty(SPECIALIST, DAY)
    assert is_independently_qualified(SPECIALIST, DAY, POLICY)


@pytest.mark.parametrize("missing", ["specialist_gp", "violence_course"])
def test_r_qual_1a_each_missing_condition(missing):
    """R-QUAL-1 (a): without the specialty or without the violence course, (a) fails."""
    candidate = q(SPECIALIST, **{missing: None})
    assert not qualified_by_specialty(candidate, DAY)
    assert not is_independently_qualified(candidate, DAY, POLICY)


def test_r_qual_1a_needs_no_acute_course_or_counts():
    """R-QUAL-1 (a): the acute course and the experience counts are (b)'s conditions, not (a)'s."""
    bare = Qualification(specialist_gp=LONG_AGO, violence_course=LONG_AGO)
    assert bare.clinical_months == bare.duty_shifts_done == bare.gp_months == 0
    assert is_independently_qualified(bare, DAY, POLICY)


# ------------------------------------------------------------------------------------ R-QUAL-1 (b)
def test_r_qual_1b_experience_at_the_thresholds_is_qualified():
    """R-QUAL-1 (b): 30 months clinical, 40 duty shifts, acute and violence courses."""
    assert qualified_by_experience(EXPERIENCED, DAY)
    assert is_independently_qualified(EXPERIENCED, DAY, POLICY)


def test_r_qual_1b_twelve_gp_months_instead_of_forty_shifts():
    """R-QUAL-1 (b): >= 12 months as GP replaces >= 40 duty shifts."""
    alt = q(EXPERIENCED, duty_shifts_done=0, gp_months=12)
    assert qualified_by_experience(alt, DAY)


@pytest.mark.parametrize(
    ("changes", "reason_part"),
    [
        ({"clinical_months": 29}, "30 months of clinical service"),
        ({"duty_shifts_done": 39, "gp_months": 11}, "40 duty shifts or 12 months as GP"),
        ({"acute_course": None}, "the acute-medicine course"),
        ({"violence_course": None}, "the violence/abuse course"),
    ],
)
def test_r_qual_1b_each_missing_condition(changes, reason_part):
    """R-QUAL-1 (b): each missing condition alone makes the doctor not qualified."""
    candidate = q(EXPERIENCED, **changes)
    assert not qualified_by_experience(candidate, DAY)
    assert not is_independently_qualified(candidate, DAY, POLICY)
    assert reason_part in why_not_qualified(candidate, DAY)


def test_r_qual_1_nothing_is_not_qualified():
    """R-QUAL-1: a doctor with no courses and no experience is not qualified."""
    assert not is_independently_qualified(Qualification(), DAY, POLICY)
    assert why_not_qualified(SPECIALIST, DAY) == "qualified"


# -------------------------------------------------------------------------------------- R-QUAL-4
@pytest.mark.parametrize("course", ["specialist_gp", "violence_course"])
def test_r_qual_4_specialty_route_judged_on_the_shift_date(course):
    """R-QUAL-4: a specialty or course dated after the shift does not count that day, but does from
    its date on."""
    completed = date(2027, 3, 10)
    candidate = q(SPECIALIST, **{course: completed})
    assert not is_independently_qualified(candidate, completed - timedelta(days=1), POLICY)
    assert is_independently_qualified(candidate, completed, POLICY)
    assert is_independently_qualified(candidate, completed + timedelta(days=30), POLICY)


@pytest.mark.parametrize("course", ["acute_course", "violence_course"])
def test_r_qual_4_experience_route_judged_on_the_shift_date(course):
    """R-QUAL-4: (b)'s courses must be held on the shift's date."""
    completed = date(2027, 3, 10)
    candidate = q(EXPERIENCED, **{course: completed})
    assert not is_independently_qualified(candidate, date(2027, 3, 9), POLICY)
    assert "on 2027-03-09" in why_not_qualified(candidate, date(2027, 3, 9))
    assert is_independently_qualified(candidate, date(2027, 3, 10), POLICY)


def test_r_qual_4_backup_rejected_before_course_and_allowed_after():
    """R-QUAL-4 with R-QUAL-2: within one period, a backup before the course date is rejected and
    one on/after it is accepted."""
    course_day = date(2027, 1, 7)
    doctor = gp("gp1", qualification=q(SPECIALIST, violence_course=course_day))
    state, cal = opened(make_config([doctor, gp("gp2")], days=7))
    state = at_meeting(state, cal)
    before = check_action(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-06/backup", state.config.period.meeting_at)
    assert before is not None and before.rule == "R-QUAL-2"
    assert "2027-01-06" in before.message
    for sid in ("2027-01-07/backup", "2027-01-09/backup-day"):
        assert check_action(state, cal, ActionKind.MEETING_PICK, "gp1", sid, state.config.period.meeting_at) is None


# --------------------------------------------------------------------- R-QUAL-4 time-limited exception
LIS1 = QualificationException(name="LIS1", until=date(2023, 12, 31), min_clinical_months=12)
LIS1_POLICY = Policy(qualification_exceptions=(LIS1,))
JUNIOR = Qualification(acute_course=date(2021, 1, 1), clinical_months=14)


def test_r_qual_4_exception_valid_until_its_end_date_inclusive():
    """R-QUAL-4: a `QualificationException` qualifies its group up to and including `until`."""
    assert not is_independently_qualified(JUNIOR, date(2023, 6, 1), POLICY)
    assert is_independently_qualified(JUNIOR, date(2023, 6, 1), LIS1_POLICY)
    assert qualified_by_exception(JUNIOR, date(2023, 12, 31), LIS1_POLICY) == "LIS1"
    assert is_independently_qualified(JUNIOR, date(2023, 12, 31), LIS1_POLICY)


def test_r_qual_4_exception_expires_after_its_end_date():
    """R-QUAL-4: from the day after `until` the exception no longer applies."""
    assert qualified_by_exception(JUNIOR, date(2024, 1, 1), LIS1_POLICY) is None
    assert not is_independently_qualified(JUNIOR, date(2024, 1, 1), LIS1_POLICY)
    assert not is_independently_qualified(JUNIOR, date(2027, 1, 4), LIS1_POLICY)


def test_r_qual_4_exception_conditions():
    """R-QUAL-4: the exception's own conditions (clinical months, acute course on the date) apply."""
    too_junior = q(JUNIOR, clinical_months=11)
    assert not is_independently_qualified(too_junior, date(2023, 6, 1), LIS1_POLICY)
    no_course_yet = q(JUNIOR, acute_course=date(2023, 7, 1))
    assert not is_independently_qualified(no_course_yet, date(2023, 6, 30), LIS1_POLICY)
    assert is_independently_qualified(no_course_yet, date(2023, 7, 1), LIS1_POLICY)
    lax = Policy(qualification_exceptions=(LIS1.model_copy(update={"requires_acute_course": False}),))
    assert is_independently_qualified(q(JUNIOR, acute_course=None), date(2023, 6, 1), lax)


def test_r_qual_4_exception_in_a_period_policy_covers_only_its_dates():
    """R-QUAL-4: a district exception ending mid-period admits a backup pick only up to its end."""
    exc = QualificationException(name="local", until=date(2027, 1, 6), min_clinical_months=0)
    doctor = gp("gp1", qualification=Qualification(acute_course=LONG_AGO))
    state, cal = opened(make_config([doctor], days=7, policy=Policy(qualification_exceptions=(exc,))))
    state = at_meeting(state, cal)
    now = state.config.period.meeting_at
    assert check_action(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-06/backup", now) is None
    late = check_action(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-07/backup", now)
    assert late is not None and late.rule == "R-QUAL-2"
