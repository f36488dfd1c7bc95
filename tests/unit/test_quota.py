"""R-LOAD-2 quota, R-EX-1/2/3 exemptions in it, R-EX-5 stand-ins, weight policy (R-LOAD-2)."""

from __future__ import annotations

import math
from datetime import date

import pytest

from domain.period.calendar import PeriodCalendar
from domain.model import Policy, WeightPolicy
from domain.period.process import open_meeting
from domain.period.quota import compute_quota, participation, shift_weight
from domain.period.rules import ActionKind
from domain.scenario import parse_scenario, to_period_config
from tests.helpers.builders import (
    MeetingAttendance,
    at_meeting,
    doctor_doc,
    gp,
    make_config,
    minimal_doc,
    opened,
    staff,
    substitute,
    take,
)

MON = date(2027, 1, 4)
WEEK_SHIFTS = 5 + 2 + 7 + 7 + 2  # evenings, days, nights, backups, backup-days in one week
FORTNIGHT_SHIFTS = 2 * WEEK_SHIFTS


def quota_after_staff(config, staff_shifts: list[tuple[str, str]] = ()):
    state, cal = opened(config)
    for doctor, shift in staff_shifts:
        state = take(state, cal, ActionKind.STAFF_ENTRY, doctor, shift)
    return at_meeting(state, cal).quota


def test_r_load_2_quota_is_shared_shifts_over_gps():
    """R-LOAD-2: 23 shifts over 1 week, no staff, 23 / 1 GP... and 23 / 4 GPs rounded up."""
    assert quota_after_staff(make_config([gp("gp1")])).base == WEEK_SHIFTS
    q = quota_after_staff(make_config([gp(f"gp{i}") for i in range(4)]))
    assert q.shared == WEEK_SHIFTS and q.participants == 4
    assert q.base == math.ceil(WEEK_SHIFTS / 4) == 6
    assert q.per_doctor == {f"gp{i}": 6 for i in range(4)}


def test_r_load_2_staff_assignments_are_subtracted_first():
    """R-LOAD-2: quota = shifts left after staff assignments / participating GPs, rounded up."""
    doctors = [gp("gp1"), gp("gp2"), gp("gp3"), staff("st1")]
    q = quota_after_staff(make_config(doctors), [("st1", "2027-01-04/night"), ("st1", "2027-01-06/night")])
    assert q.shared == WEEK_SHIFTS - 2 == 21
    assert q.base == 7
    assert "st1" not in q.per_doctor


def test_r_load_2_advance_wishes_are_not_subtracted():
    """R-LOAD-2: only staff assignments leave the shared pot; advance wishes are the GPs' own shifts."""
    doctors = [gp("gp1", meeting=MeetingAttendance.VALID_ABSENCE), gp("gp2")]
    state, cal = opened(make_config(doctors))
    state = take(state, cal, ActionKind.ADVANCE_WISH, "gp1", "2027-01-04/evening")
    assert open_meeting(state, cal).quota.shared == WEEK_SHIFTS


def test_r_load_2_rounded_up():
    """R-LOAD-2: 46 shifts / 5 GPs = 9.2 -> 10; an exact division is not rounded up."""
    cfg = make_config([gp(f"gp{i}") for i in range(5)], days=14)
    assert quota_after_staff(cfg).base == 10
    cfg = make_config([gp(f"gp{i}") for i in range(2)], days=14)
    assert quota_after_staff(cfg).base == FORTNIGHT_SHIFTS // 2 == 23


def test_r_proc_6_quota_recorded_when_meeting_opens():
    """R-PROC-6: the quota stated in the invitation is recorded in MeetingOpened."""
    config = make_config([gp("gp1"), gp("gp2")])
    state, cal = opened(config)
    event = open_meeting(state, cal)
    assert event.quota == compute_quota(config, PeriodCalendar.from_config(config).shifts, set())
    assert at_meeting(state, cal).quota == event.quota


@pytest.mark.parametrize("rule", ["R-EX-1", "R-EX-2"])
def test_r_ex_1_r_ex_2_exempt_gp_not_counted(rule):
    """R-LOAD-2 / R-EX-1 / R-EX-2: a GP exempt for the whole period is no participant and has no quota."""
    exempt = gp("gp3", exempt=((date(2020, 1, 1), None),))
    exempt = exempt.model_copy(update={"exemptions": (exempt.exemptions[0].model_copy(update={"rule": rule}),)})
    q = quota_after_staff(make_config([gp("gp1"), gp("gp2"), exempt]))
    assert q.participants == 2
    assert q.base == math.ceil(WEEK_SHIFTS / 2) == 12
    assert "gp3" not in q.per_doctor and q.of("gp3") == 0


def _scenario_quota(doc: dict):
    config = to_period_config(parse_scenario(doc))
    cal = PeriodCalendar.from_config(config)
    return compute_quota(config, cal.shifts, set())


@pytest.mark.parametrize(("granted", "participants"), [(True, 3), (False, 4)])
def test_r_ex_2_health_exemption_counts_only_when_granted(granted, participants):
    """R-EX-2: a discretionary exemption removes the GP from the quota only when granted."""
    doc = minimal_doc()
    doc["doctors"][0]["exemptions"] = [{"reason": "health", "from": "2026-01-01", "to": None, "granted": granted}]
    q = _scenario_quota(doc)
    assert q.participants == participants
    assert q.base == math.ceil(FORTNIGHT_SHIFTS / participants)
    assert ("gp01" in q.per_doctor) is not granted


def test_r_ex_1_age_exemption_counts_even_if_not_marked_granted():
    """R-EX-1: over 60 is by right; the GP is not counted even with `granted: false`."""
    doc = minimal_doc()
    doc["doctors"][0]["birth_date"] = "1960-03-01"
    doc["doctors"][0]["exemptions"] = [{"reason": "age_over_60", "from": "2020-03-01", "to": None, "granted": False}]
    q = _scenario_quota(doc)
    assert q.participants == 3 and "gp01" not in q.per_doctor


def test_r_ex_3_partial_exemption_gives_proportional_quota():
    """R-EX-3: exempt for 7 of 14 days -> half a participant and half the quota (rounded up)."""
    half = gp("gp3", exempt=((date(2027, 1, 11), date(2027, 3, 1)),))
    config = make_config([gp("gp1"), gp("gp2"), half], days=14)
    assert participation(config, "gp3") == 0.5
    q = quota_after_staff(config)
    assert q.participants == 2.5
    assert q.base == math.ceil(FORTNIGHT_SHIFTS / 2.5) == 19
    assert q.per_doctor == {"gp1": 19, "gp2": 19, "gp3": 10}


def test_r_ex_3_exemption_outside_period_changes_nothing():
    """R-EX-3: an exemption that ended before the period starts does not reduce the quota."""
    past = gp("gp3", exempt=((date(2026, 1, 1), date(2027, 1, 3)),))
    q = quota_after_staff(make_config([gp("gp1"), past]))
    assert q.per_doctor == {"gp1": 12, "gp3": 12}


def test_r_ex_5_stand_in_takes_the_gps_share():
    """R-EX-5: a substitute standing in for the whole period takes the GP's place in the quota."""
    doctors = [gp("gp1"), gp("gp2"), gp("gp3"), substitute("sub1", stands_in=("gp3", date(2026, 12, 1), date(2027, 6, 1))),
               substitute("sub2")]
    q = quota_after_staff(make_config(doctors))
    assert q.participants == 3
    assert set(q.per_doctor) == {"gp1", "gp2", "sub1"}
    assert q.of("sub1") == q.base == 8
    assert q.of("sub2") == 0  # a substitute standing in for nobody has no quota


def test_r_ex_5_partial_stand_in_splits_the_share():
    """R-EX-5: standing in for 7 of 14 days: GP and substitute each carry half the quota."""
    doctors = [gp("gp1"), gp("gp2"), gp("gp3"), substitute("sub1", stands_in=("gp3", date(2027, 1, 11), date(2027, 1, 17)))]
    config = make_config(doctors, days=14)
    assert participation(config, "gp3") == participation(config, "sub1") == 0.5
    q = quota_after_staff(config)
    assert q.participants == 3
    assert q.base == math.ceil(FORTNIGHT_SHIFTS / 3) == 16
    assert q.per_doctor == {"gp1": 16, "gp2": 16, "gp3": 8, "sub1": 8}


# --------------------------------------------------------------------------------- weights (R-LOAD-2)
WEIGHTS = WeightPolicy(night=2.0, weekend=1.5, public_holiday=3.0)


def _shift(sid: str):
    day = date.fromisoformat(sid.split("/")[0])
    cal = PeriodCalendar.from_config(make_config([gp("gp1")], start=day, days=1))
    return cal.get(sid)


@pytest.mark.parametrize(
    ("sid", "points"),
    [
        ("2027-01-05/evening", 1.0),  # ordinary weekday evening
        ("2027-01-05/night", 2.0),  # night
        ("2027-01-05/backup", 2.0),  # 16 h backup overnight counts as a night
        ("2027-01-09/day", 1.5),  # Saturday
        ("2027-01-10/day", 1.5),  # an ordinary Sunday is a weekend day, not a public holiday
        ("2027-01-09/night", 2.0),  # Saturday night: max(night, weekend)
        ("2027-05-17/evening", 3.0),  # Constitution Day (Monday)
        ("2027-05-17/night", 3.0),  # holiday night: max(night, holiday)
        ("2027-03-29/evening", 3.0),  # Easter Monday
        ("2027-03-26/evening", 3.0),  # Good Friday
        ("2027-03-25/evening", 3.0),  # Maundy Thursday
        ("2027-05-06/evening", 3.0),  # Ascension Day
        ("2027-05-18/evening", 1.0),  # the day after is ordinary
        ("2027-12-25/day", 3.0),  # Christmas Day (a Saturday)
    ],
)
def test_r_load_2_weight_policy_points(sid, points):
    """R-LOAD-2 policy: nights, weekends and Norwegian public holidays count more."""
    shift = _shift(sid)
    assert shift_weight(shift, WEIGHTS) == points
    assert shift_weight(shift, None) == 1.0


def test_r_load_2_weighted_quota_in_points():
    """R-LOAD-2 policy: with weights the quota is in points: week of 2027-05-17 (holiday Monday)."""
    config = make_config([gp(f"gp{i}") for i in range(4)], start=date(2027, 5, 17), policy=Policy(weights=WEIGHTS))
    q = quota_after_staff(config)
    evenings = 3.0 + 4 * 1.0  # Monday 17 May is a holiday
    days = 2 * 1.5
    nights = 3.0 + 6 * 2.0
    backups = 3.0 + 6 * 2.0
    backup_days = 2 * 1.5
    shared = evenings + days + nights + backups + backup_days
    assert q.weighted
    assert q.shared == pytest.approx(shared) == 43.0
    assert q.base == math.ceil(shared / 4) == 11
    unweighted = quota_after_staff(make_config([gp(f"gp{i}") for i in range(4)], start=date(2027, 5, 17)))
    assert not unweighted.weighted and unweighted.base == 6


def test_r_load_2_weights_make_holiday_week_heavier():
    """R-LOAD-2 policy: Easter week 2027 carries more points than an ordinary week."""
    easter = quota_after_staff(make_config([gp("gp1")], start=date(2027, 3, 22), policy=Policy(weights=WEIGHTS)))
    plain = quota_after_staff(make_config([gp("gp1")], start=date(2027, 2, 8), policy=Policy(weights=WEIGHTS)))
    assert easter.shared > plain.shared


def test_r_load_2_scenario_weights_reach_the_quota():
    """R-LOAD-2 policy: `district.policy.weights` in a scenario is applied to the quota."""
    doc = minimal_doc()
    doc["district"]["policy"]["weights"] = {"night": 2, "weekend": 1.5, "public_holiday": 3}
    assert _scenario_quota(doc).weighted
    doc["doctors"].append(doctor_doc("gp05"))
    assert _scenario_quota(doc).participants == 5
