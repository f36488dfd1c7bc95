"""Data minimisation (domain.registry.minimise): the workflow's config holds less, and every rule answers
the same on it for every shift of the period, whatever the records said."""

from __future__ import annotations

import json
from datetime import timedelta

from hypothesis import given, settings

from domain.period.availability import absent_on, duty_bound_on, exemption_on, replaced_on, stands_in_on
from domain.period.calendar import PeriodCalendar
from domain.registry.minimise import minimise
from domain.period.qualification import is_independently_qualified, why_not_qualified
from domain.period.quota import compute_quota
from domain.scenario import parse_scenario, to_period_config
from tests.helpers.strategies import cases
from tests.helpers.builders import minimal_doc


@settings(max_examples=150, deadline=None)
@given(cases())
def test_every_rule_answers_the_same_on_the_minimised_config(case):
    """R-EX-1..5, R-QUAL-1/4, R-LOT-2 absences, R-LOAD-2 quota: identical for every day and shift."""
    full = case.config
    small = minimise(full)
    policy = full.district.policy
    period = full.period
    days = [period.start + timedelta(days=i) for i in range((period.end - period.start).days + 1)]
    for a, b in zip(full.doctors, small.doctors, strict=True):
        for day in days:
            assert (exemption_on(a, day) is None) == (exemption_on(b, day) is None), (a.id, day)
            if exemption_on(a, day):
                assert exemption_on(a, day).rule == exemption_on(b, day).rule
            assert absent_on(a, day) == absent_on(b, day)
            assert stands_in_on(a, day) == stands_in_on(b, day)
            assert replaced_on(full, a.id, day) == replaced_on(small, b.id, day)
            assert duty_bound_on(full, a, day) == duty_bound_on(small, b, day)
            assert is_independently_qualified(a.qualification, day, policy) == is_independently_qualified(
                b.qualification, day, policy
            )
            assert why_not_qualified(a.qualification, day) == why_not_qualified(b.qualification, day)
    shifts = PeriodCalendar.from_config(full).shifts
    assert compute_quota(full, shifts, set()) == compute_quota(small, shifts, set())
    assert minimise(small) == small  # idempotent


def test_the_minimised_config_gives_away_no_birth_date_reason_or_contact():
    """An R-EX-1 age exemption from a 60th birthday before the period, and a pregnancy, look the
    same once clamped: neither the birth date nor the reason can be read from the config."""
    doc = minimal_doc()
    doc["doctors"][0]["birth_date"] = "1950-06-17"
    doc["doctors"][0]["exemptions"] = [{"reason": "age_over_60", "from": "2010-06-17", "to": None, "granted": True}]
    doc["doctors"][1]["exemptions"] = [{"reason": "pregnancy", "from": "2026-12-01", "to": "2027-03-31", "granted": True}]
    config = to_period_config(parse_scenario(doc))
    text = json.dumps(config.model_dump(mode="json"))
    age, pregnancy = config.doctors[0].exemptions[0], config.doctors[1].exemptions[0]
    assert age.range == pregnancy.range and age.rule == pregnancy.rule == "R-EX-1"
    assert (age.range.start, age.range.end) == (config.period.start, config.period.end)
    for secret in ("1950", "2010-06-17", "2026-12-01", "2027-03-31", "pregnancy", "age_over_60", "@", "+47"):
        assert secret not in text, secret


@settings(max_examples=150, deadline=None)
@given(cases())
def test_participation_by_ranges_equals_the_rule_read_day_by_day(case):
    """R-LOAD-2, R-EX-3, R-EX-5: the fast range arithmetic gives every doctor's share exactly."""
    from domain.period.quota import participation_by_day, participations

    fast = participations(case.config)
    for doctor in case.config.doctors:
        assert abs(fast[doctor.id] - participation_by_day(case.config, doctor.id)) < 1e-12, doctor.id
