"""check_action / decide_action against the rulebook: R-PROC-2/3/7, R-MEET-1/2, R-QUAL-2/3,
R-REST-1, R-EX-4, R-EX-5 and absences (R-LOT-2). A rejected action changes nothing."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

import pytest

from domain.period.calendar import PeriodCalendar
from domain.period.events import ShiftTaken, Source
from domain.model import MeetingAttendance, Policy, ShiftKind, ShiftTemplate
from domain.period.process import decide_action
from domain.period.rules import ActionKind, RuleViolation, check_action
from domain.scenario import parse_scenario, to_period_config
from domain.period.state import PeriodState, apply
from tests.helpers.builders import (
    DUTY_ONLY_TEMPLATE,
    EXAMPLE_TEMPLATE,
    WEEKDAYS,
    at_lottery,
    at_meeting,
    at_offering,
    before_wishes_due,
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
DOCTORS = [
    gp("gp1"),
    gp("gp2", qualified=False),
    gp("gp3"),
    gp("abs", meeting=MeetingAttendance.VALID_ABSENCE),
    gp("unex", meeting=MeetingAttendance.UNEXCUSED),
    gp("exempt", exempt=((date(2026, 1, 1), None),)),
    gp("away", absent=((date(2027, 1, 6), date(2027, 1, 7)),)),
    substitute("sub1"),
    substitute("sub2", stands_in=("gp3", date(2027, 1, 8), date(2027, 1, 10))),
    staff("st1"),
]


def setup(policy: Policy | None = None, template=EXAMPLE_TEMPLATE, doctors=DOCTORS, start=MON, days=7):
    state, cal = opened(make_config(doctors, policy=policy, template=template, start=start, days=days))
    return state, cal


def meeting_now(state: PeriodState) -> datetime:
    return state.require_config().period.meeting_at


def rejected(
    state: PeriodState,
    cal: PeriodCalendar,
    kind: ActionKind,
    doctor: str,
    shift: str,
    rule: str,
    now: datetime | None = None,
) -> RuleViolation:
    """Assert the action is rejected under `rule` and that nothing in the state changed."""
    now = now or (meeting_now(state) if state.meeting_open else before_wishes_due(state.require_config()))
    snapshot = copy.deepcopy(state.model_dump())
    version = state.version
    result = decide_action(state, cal, kind, doctor, shift, now)
    assert isinstance(result, RuleViolation), f"{kind} {doctor} {shift} was accepted"
    assert result.rule == rule, result
    assert check_action(state, cal, kind, doctor, shift, now) == result
    assert state.model_dump() == snapshot  # R-PROC-7: a rejected action changes nothing
    assert state.version == version
    return result


def accepted(state, cal, kind, doctor, shift, now=None) -> PeriodState:
    now = now or (meeting_now(state) if state.meeting_open else before_wishes_due(state.require_config()))
    result = decide_action(state, cal, kind, doctor, shift, now)
    assert isinstance(result, ShiftTaken), result
    assert (result.shift, result.doctor, result.source) == (shift, doctor, kind.source)
    new = apply(state, result)
    assert new.assignments[shift].doctor == doctor
    return new


# ------------------------------------------------------------------------------------------ R-PROC-7
def test_r_proc_7_unknown_doctor_rejected():
    """R-PROC-7: a doctor unknown to the district is rejected, naming the id."""
    state, cal = setup()
    state = at_meeting(state, cal)
    v = rejected(state, cal, ActionKind.MEETING_PICK, "ghost", "2027-01-04/evening", "R-PROC-7")
    assert "ghost" in v.message


@pytest.mark.parametrize("shift", ["2027-02-01/night", "2027-01-04/day", "2027-01-03/night", "nonsense"])
def test_r_proc_7_unknown_shift_rejected(shift):
    """R-PROC-7: a shift that is not in the period (wrong date, no such template day) is rejected."""
    state, cal = setup()
    state = at_meeting(state, cal)
    v = rejected(state, cal, ActionKind.MEETING_PICK, "gp1", shift, "R-PROC-7")
    assert shift in v.message


def test_r_proc_7_already_held_rejected_in_every_phase():
    """R-PROC-7: a shift already held cannot be taken again (meeting, offering)."""
    state, cal = setup()
    state = at_meeting(state, cal)
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-04/evening")
    v = rejected(state, cal, ActionKind.MEETING_PICK, "gp3", "2027-01-04/evening", "R-PROC-7")
    assert v.code == "taken" and "already taken" in v.message
    assert "gp1" not in v.message and "gp1" not in str(v.params)  # never who holds it
    rejected(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-04/evening", "R-PROC-7")
    state = at_offering(state, cal)
    rejected(state, cal, ActionKind.OFFERING_CLAIM, "sub1", "2027-01-04/evening", "R-PROC-7",
             now=state.config.period.offering_closes)


def test_r_proc_7_staff_entry_on_held_shift_rejected():
    """R-PROC-7: a second staff entry on the same shift is rejected."""
    state, cal = setup(doctors=[*DOCTORS, staff("st2")])
    state = accepted(state, cal, ActionKind.STAFF_ENTRY, "st1", "2027-01-04/night")
    rejected(state, cal, ActionKind.STAFF_ENTRY, "st2", "2027-01-04/night", "R-PROC-7")


def test_r_proc_7_wrong_phase_rejected():
    """R-PROC-7 / R-PROC-1: picks only while the meeting is open, claims only in the offering."""
    state, cal = setup()
    rejected(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-04/evening", "R-PROC-7")  # not open yet
    rejected(state, cal, ActionKind.OFFERING_CLAIM, "gp1", "2027-01-04/evening", "R-PROC-7")
    state = at_meeting(state, cal)
    rejected(state, cal, ActionKind.OFFERING_CLAIM, "sub1", "2027-01-04/evening", "R-PROC-7")
    state = at_offering(state, cal)
    rejected(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-04/evening", "R-PROC-7", now=meeting_now(state))
    state = at_lottery(state, cal)
    for kind in (ActionKind.MEETING_PICK, ActionKind.OFFERING_CLAIM):
        rejected(state, cal, kind, "gp1", "2027-01-04/evening", "R-PROC-7", now=meeting_now(state))


# ------------------------------------------------------------------------------------------ R-PROC-2
def test_r_proc_2_staff_entry_by_staff_before_meeting_accepted():
    """R-PROC-2: staff doctors' shifts are entered before the meeting."""
    state, cal = setup()
    state = accepted(state, cal, ActionKind.STAFF_ENTRY, "st1", "2027-01-04/night")
    assert state.assignments["2027-01-04/night"].source is Source.STAFF


@pytest.mark.parametrize("doctor", ["gp1", "sub1", "sub2", "abs"])
def test_r_proc_2_staff_entry_only_by_staff(doctor):
    """R-PROC-2: only staff doctors' shifts are pre-entered as staff entries."""
    state, cal = setup()
    rejected(state, cal, ActionKind.STAFF_ENTRY, doctor, "2027-01-04/night", "R-PROC-2")


def test_r_proc_2_staff_entry_only_before_meeting_opens():
    """R-PROC-2: once the meeting is open (or later), staff entries are rejected."""
    state, cal = setup()
    state = at_meeting(state, cal)
    rejected(state, cal, ActionKind.STAFF_ENTRY, "st1", "2027-01-04/night", "R-PROC-2")
    state = at_offering(state, cal)
    rejected(state, cal, ActionKind.STAFF_ENTRY, "st1", "2027-01-04/night", "R-PROC-2")


def test_r_proc_2_staff_doctor_cannot_pick_or_wish():
    """R-PROC-2: a staff doctor's shifts are entered before the meeting, not picked at it."""
    state, cal = setup()
    rejected(state, cal, ActionKind.ADVANCE_WISH, "st1", "2027-01-04/night", "R-PROC-2")
    state = at_meeting(state, cal)
    rejected(state, cal, ActionKind.MEETING_PICK, "st1", "2027-01-04/night", "R-PROC-2")


# ------------------------------------------------------------------------------------------ R-MEET-2
def test_r_meet_2_advance_wish_with_valid_absence_accepted_until_wishes_due():
    """R-MEET-2: a doctor with valid absence may submit wishes before the meeting, up to wishes_due."""
    state, cal = setup()
    due = state.config.period.wishes_due
    state = accepted(state, cal, ActionKind.ADVANCE_WISH, "abs", "2027-01-04/evening", now=due - timedelta(days=3))
    state = accepted(state, cal, ActionKind.ADVANCE_WISH, "abs", "2027-01-06/evening", now=due)
    assert state.assignments["2027-01-04/evening"].source is Source.ADVANCE_WISH
    assert state.wishes == {"abs": 2}


def test_r_meet_2_advance_wish_after_wishes_due_rejected():
    """R-MEET-2: after wishes_due an advance wish is rejected."""
    state, cal = setup()
    late = state.config.period.wishes_due + timedelta(minutes=1)
    rejected(state, cal, ActionKind.ADVANCE_WISH, "abs", "2027-01-04/evening", "R-MEET-2", now=late)


def test_r_meet_2_advance_wish_after_meeting_opened_rejected():
    """R-MEET-2: wishes are entered before the meeting; once it is open they are rejected."""
    state, cal = setup()
    state = at_meeting(state, cal)
    rejected(state, cal, ActionKind.ADVANCE_WISH, "abs", "2027-01-04/evening", "R-MEET-2",
             now=before_wishes_due(state.config))


@pytest.mark.parametrize("doctor", ["gp1", "unex"])
def test_r_meet_2_advance_wish_without_valid_absence_rejected(doctor):
    """R-MEET-2: only a doctor with a valid absence may wish in advance (attended/unexcused may not)."""
    state, cal = setup()
    rejected(state, cal, ActionKind.ADVANCE_WISH, doctor, "2027-01-04/evening", "R-MEET-2")


# ------------------------------------------------------------------------------------------ R-MEET-1
@pytest.mark.parametrize("doctor", ["abs", "unex"])
def test_r_meet_1_absent_doctor_cannot_pick_at_meeting(doctor):
    """R-MEET-1: a doctor absent from the meeting (valid or not) cannot pick there."""
    state, cal = setup()
    state = at_meeting(state, cal)
    rejected(state, cal, ActionKind.MEETING_PICK, doctor, "2027-01-04/evening", "R-MEET-1")


def test_r_meet_1_attending_doctor_picks():
    """R-MEET-1: an attending GP picks at the meeting; the pick counts as a wish (R-LOT-1)."""
    state, cal = setup()
    state = at_meeting(state, cal)
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-04/evening")
    assert state.assignments["2027-01-04/evening"].source is Source.MEETING
    assert state.wishes == {"gp1": 1}


@pytest.mark.parametrize("reason", ["illness", "vacation", "course", "on_duty", "approved_other"])
def test_r_meet_1_valid_absence_reasons_allow_advance_wishes(reason):
    """R-MEET-1 / R-MEET-2: each valid reason makes the absence valid, so advance wishes are accepted."""
    doc = minimal_doc()
    doc["doctors"][0]["meeting_absence"] = reason
    config = to_period_config(parse_scenario(doc))
    assert config.doctors[0].meeting is MeetingAttendance.VALID_ABSENCE
    state, cal = opened(config)
    accepted(state, cal, ActionKind.ADVANCE_WISH, "gp01", "2027-01-04/evening")
    state = at_meeting(state, cal)
    rejected(state, cal, ActionKind.MEETING_PICK, "gp01", "2027-01-05/evening", "R-MEET-1")


def test_r_meet_1_unexcused_is_not_valid():
    """R-MEET-1: `unexcused` is not a valid absence: no advance wishes, and no meeting pick."""
    doc = minimal_doc()
    doc["doctors"][0]["meeting_absence"] = "unexcused"
    config = to_period_config(parse_scenario(doc))
    assert config.doctors[0].meeting is MeetingAttendance.UNEXCUSED
    state, cal = opened(config)
    rejected(state, cal, ActionKind.ADVANCE_WISH, "gp01", "2027-01-04/evening", "R-MEET-2")


# ------------------------------------------------------------------------------------------ R-PROC-3
def test_r_proc_3_staff_cannot_claim_in_offering():
    """R-PROC-3: the offering is for GPs and approved substitutes, not staff."""
    state, cal = setup()
    state = at_offering(state, cal)
    rejected(state, cal, ActionKind.OFFERING_CLAIM, "st1", "2027-01-04/evening", "R-PROC-3")


@pytest.mark.parametrize("doctor", ["sub1", "sub2", "gp1", "unex", "abs"])
def test_r_proc_3_gps_and_substitutes_claim_in_offering(doctor):
    """R-PROC-3: GPs and substitutes (standing in or not) claim in the offering; first claim wins."""
    state, cal = setup()
    state = at_offering(state, cal)
    now = state.config.period.offering_closes
    state = accepted(state, cal, ActionKind.OFFERING_CLAIM, doctor, "2027-01-05/evening", now=now)
    assert state.assignments["2027-01-05/evening"].source is Source.OFFERING
    other = "gp1" if doctor != "gp1" else "gp3"
    rejected(state, cal, ActionKind.OFFERING_CLAIM, other, "2027-01-05/evening", "R-PROC-7", now=now)


def test_r_proc_3_substitute_not_standing_in_cannot_pick_at_meeting():
    """R-PROC-3: a substitute who stands in for nobody claims in the offering, not at the meeting."""
    state, cal = setup()
    rejected(state, cal, ActionKind.ADVANCE_WISH, "sub1", "2027-01-04/evening", "R-PROC-3")
    state = at_meeting(state, cal)
    rejected(state, cal, ActionKind.MEETING_PICK, "sub1", "2027-01-04/evening", "R-PROC-3")


def test_r_ex_5_standing_in_substitute_picks_at_meeting():
    """R-EX-5: a substitute standing in for a GP takes the GP's place at the meeting."""
    state, cal = setup()
    state = at_meeting(state, cal)
    accepted(state, cal, ActionKind.MEETING_PICK, "sub2", "2027-01-08/evening")


# ------------------------------------------------------------------------------------------ R-QUAL-2
@pytest.mark.parametrize("shift", ["2027-01-04/backup", "2027-01-09/backup-day"])
def test_r_qual_2_backup_by_not_qualified_rejected(shift):
    """R-QUAL-2: only independently qualified doctors take backup shifts (meeting and offering)."""
    state, cal = setup()
    state = at_meeting(state, cal)
    v = rejected(state, cal, ActionKind.MEETING_PICK, "gp2", shift, "R-QUAL-2")
    assert "gp2" in v.message and shift in v.message
    state = at_offering(state, cal)
    rejected(state, cal, ActionKind.OFFERING_CLAIM, "gp2", shift, "R-QUAL-2", now=state.config.period.offering_closes)
    accepted(state, cal, ActionKind.OFFERING_CLAIM, "gp1", shift, now=state.config.period.offering_closes)


def test_r_qual_2_staff_entry_of_backup_by_not_qualified_staff_rejected():
    """R-QUAL-2 applies to staff entries too."""
    weak_staff = staff("st9").model_copy(update={"qualification": gp("x", qualified=False).qualification})
    state, cal = setup(doctors=[*DOCTORS, weak_staff])
    rejected(state, cal, ActionKind.STAFF_ENTRY, "st9", "2027-01-04/backup", "R-QUAL-2")


# ------------------------------------------------------------------------------------------ R-QUAL-3
def test_r_qual_3_not_qualified_duty_without_backup_in_template_rejected():
    """R-QUAL-3: with no backup shift in the template, a not-qualified doctor cannot take duty."""
    state, cal = setup(template=DUTY_ONLY_TEMPLATE)
    state = at_meeting(state, cal)
    for sid in ("2027-01-04/evening", "2027-01-04/night", "2027-01-09/day"):
        v = rejected(state, cal, ActionKind.MEETING_PICK, "gp2", sid, "R-QUAL-3")
        assert sid in v.message
    accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-04/night")


def test_r_qual_3_allowed_when_backups_cover_the_whole_shift():
    """R-QUAL-3: with backups covering the whole time, a not-qualified doctor may take duty."""
    state, cal = setup()
    state = at_meeting(state, cal)
    for sid in ("2027-01-04/evening", "2027-01-05/night", "2027-01-09/day", "2027-01-10/night"):
        accepted(state, cal, ActionKind.MEETING_PICK, "gp2", sid)


def test_r_qual_3_partial_backup_cover_is_not_enough():
    """R-QUAL-3: a backup that covers only part of the duty shift (16:00-06:00 vs 23:00-08:00) is not
    enough; the evening, fully covered, is allowed."""
    template = (
        ShiftTemplate(name="evening", kind=ShiftKind.DUTY, days=WEEKDAYS, start="16:00", end="23:00"),
        ShiftTemplate(name="night", kind=ShiftKind.DUTY, days=WEEKDAYS, start="23:00", end="08:00"),
        ShiftTemplate(name="backup", kind=ShiftKind.BACKUP, days=WEEKDAYS, start="16:00", end="06:00"),
    )
    state, cal = setup(template=template)
    state = at_meeting(state, cal)
    rejected(state, cal, ActionKind.MEETING_PICK, "gp2", "2027-01-05/night", "R-QUAL-3")
    accepted(state, cal, ActionKind.MEETING_PICK, "gp2", "2027-01-05/evening")


def test_r_qual_3_backup_listed_days_only():
    """R-QUAL-3: a weekday evening with backups only at weekends is not covered."""
    template = (
        ShiftTemplate(name="evening", kind=ShiftKind.DUTY, days=WEEKDAYS[:5], start="16:00", end="23:00"),
        ShiftTemplate(name="day", kind=ShiftKind.DUTY, days=("sat", "sun"), start="08:00", end="16:00"),
        ShiftTemplate(name="backup-day", kind=ShiftKind.BACKUP, days=("sat", "sun"), start="08:00", end="16:00"),
    )
    state, cal = setup(template=template)
    state = at_meeting(state, cal)
    rejected(state, cal, ActionKind.MEETING_PICK, "gp2", "2027-01-05/evening", "R-QUAL-3")
    accepted(state, cal, ActionKind.MEETING_PICK, "gp2", "2027-01-09/day")


# ------------------------------------------------------------------------------------------ R-REST-1
def test_r_rest_1_overlap_rejected():
    """R-REST-1: no doctor holds overlapping shifts."""
    state, cal = setup()
    state = at_meeting(state, cal)
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-04/evening")
    v = rejected(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-04/backup", "R-REST-1")
    assert "overlaps 2027-01-04/evening" in v.message


def test_r_rest_1_seven_hour_gap_rejected_with_default_eight():
    """R-REST-1: Saturday day (ends 16:00) and Saturday night (23:00) leave 7 h < 8 h default."""
    state, cal = setup()
    assert state.config.district.policy.min_rest_hours == 8
    state = at_meeting(state, cal)
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-09/day")
    v = rejected(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-09/night", "R-REST-1")
    assert "7 h" in v.message
    # The other order is checked the same way (the new shift before a held one).
    state2, _ = setup()
    state2 = at_meeting(state2, cal)
    state2 = accepted(state2, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-09/night")
    rejected(state2, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-09/day", "R-REST-1")


def test_r_rest_1_zero_gap_back_to_back_rejected_by_default():
    """R-REST-1: Friday night to 08:00 then Saturday day from 08:00: no rest at all."""
    state, cal = setup()
    state = at_meeting(state, cal)
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-08/night")
    rejected(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-09/day", "R-REST-1")


def test_r_rest_1_rest_exactly_the_minimum_is_allowed():
    """R-REST-1: Friday evening (ends 23:00) and Saturday day (08:00): 9 h; allowed at 9, not at 9.5."""
    for minimum, ok in ((9, True), (9.5, False)):
        state, cal = setup(policy=Policy(min_rest_hours=minimum))
        state = at_meeting(state, cal)
        state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-08/evening")
        if ok:
            accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-09/day")
        else:
            rejected(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-09/day", "R-REST-1")


def test_r_rest_1_back_to_back_policy_allows_voluntary_picks_but_never_overlap():
    """R-REST-1 policy: allow_back_to_back lifts the rest minimum for voluntary picks; overlap never."""
    state, cal = setup(policy=Policy(allow_back_to_back=True))
    state = at_meeting(state, cal)
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-09/day")
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-09/night")  # 7 h gap
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-08/night")  # 0 h gap
    rejected(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-09/backup", "R-REST-1")
    rejected(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-09/backup-day", "R-REST-1")
    state = at_offering(state, cal)
    now = state.config.period.offering_closes
    state = accepted(state, cal, ActionKind.OFFERING_CLAIM, "gp1", "2027-01-10/day", now=now)
    rejected(state, cal, ActionKind.OFFERING_CLAIM, "gp1", "2027-01-10/backup-day", "R-REST-1", now=now)


def test_r_rest_1_min_rest_uses_true_hours_across_spring_dst():
    """R-REST-1 with R-TIME-1: Sat 2027-03-27 16:00 -> Sun 08:00 is 15 h real (16 h wall clock)."""
    policy = Policy(min_rest_hours=15.5)
    state, cal = setup(policy=policy, start=date(2027, 3, 15), days=14)
    state = at_meeting(state, cal)
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-03-20/day")
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-03-21/day")  # 16 h: fine
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-03-27/day")
    v = rejected(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-03-28/day", "R-REST-1")
    assert "15 h" in v.message


def test_r_rest_1_min_rest_uses_true_hours_across_autumn_dst():
    """R-REST-1 with R-TIME-1: Sat 2027-10-30 16:00 -> Sun 08:00 is 17 h real."""
    policy = Policy(min_rest_hours=16.5)
    state, cal = setup(policy=policy, start=date(2027, 10, 18), days=14)
    state = at_meeting(state, cal)
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-10-23/day")
    rejected(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-10-24/day", "R-REST-1")  # 16 h
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-10-30/day")
    accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-10-31/day")  # 17 h


def test_r_rest_1_applies_to_staff_entries():
    """R-REST-1: staff entries break no rest minimum either."""
    state, cal = setup()
    state = accepted(state, cal, ActionKind.STAFF_ENTRY, "st1", "2027-01-09/day")
    rejected(state, cal, ActionKind.STAFF_ENTRY, "st1", "2027-01-09/night", "R-REST-1")
    rejected(state, cal, ActionKind.STAFF_ENTRY, "st1", "2027-01-09/backup-day", "R-REST-1")


def test_r_rest_1_other_doctors_shifts_do_not_count():
    """R-REST-1 is per doctor: another doctor's adjacent shift is no conflict."""
    state, cal = setup()
    state = at_meeting(state, cal)
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-09/day")
    accepted(state, cal, ActionKind.MEETING_PICK, "gp3", "2027-01-09/night")


# --------------------------------------------------------------------------------- R-EX-4, absences
def test_r_ex_4_exempt_doctor_may_volunteer():
    """R-EX-4: an exempt doctor may still volunteer for shifts (meeting and offering)."""
    state, cal = setup()
    state = at_meeting(state, cal)
    state = accepted(state, cal, ActionKind.MEETING_PICK, "exempt", "2027-01-04/evening")
    state = at_offering(state, cal)
    accepted(state, cal, ActionKind.OFFERING_CLAIM, "exempt", "2027-01-06/night", now=state.config.period.offering_closes)


@pytest.mark.parametrize("shift", ["2027-01-06/evening", "2027-01-07/night", "2027-01-07/backup"])
def test_r_lot_2_absence_date_rejected(shift):
    """R-LOT-2: a doctor registered absent on the shift's date cannot take it."""
    state, cal = setup()
    state = at_meeting(state, cal)
    v = rejected(state, cal, ActionKind.MEETING_PICK, "away", shift, "R-LOT-2")
    assert shift.split("/")[0] in v.message


def test_r_lot_2_absence_boundaries():
    """R-LOT-2: the absence range is inclusive; the days around it are free."""
    state, cal = setup()
    state = at_meeting(state, cal)
    state = accepted(state, cal, ActionKind.MEETING_PICK, "away", "2027-01-05/evening")
    accepted(state, cal, ActionKind.MEETING_PICK, "away", "2027-01-08/evening")


def test_rejections_change_nothing_over_a_sequence():
    """R-PROC-7: a burst of illegal actions leaves the state exactly as it was."""
    state, cal = setup()
    state = take(state, cal, ActionKind.STAFF_ENTRY, "st1", "2027-01-04/night")
    state = at_meeting(state, cal)
    state = take(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-09/day", meeting_now(state))
    snapshot = state.model_dump()
    bad = [
        (ActionKind.MEETING_PICK, "gp1", "2027-01-09/night"),
        (ActionKind.MEETING_PICK, "gp2", "2027-01-04/backup"),
        (ActionKind.MEETING_PICK, "st1", "2027-01-05/night"),
        (ActionKind.MEETING_PICK, "gp3", "2027-01-04/night"),
        (ActionKind.STAFF_ENTRY, "st1", "2027-01-05/night"),
        (ActionKind.OFFERING_CLAIM, "gp1", "2027-01-05/night"),
        (ActionKind.ADVANCE_WISH, "abs", "2027-01-05/night"),
    ]
    for kind, doctor, shift in bad:
        assert isinstance(decide_action(state, cal, kind, doctor, shift, meeting_now(state)), RuleViolation)
    assert state.model_dump() == snapshot


def test_messages_name_ids_not_personal_data():
    """R-DATA-1 spirit: rejection messages name doctor and shift ids only."""
    doc = minimal_doc()
    doc["doctors"].append(doctor_doc("gp09", qualification={**doctor_doc("x")["qualification"],
                                                           "specialist_gp": None, "violence_course": None},
                                     mobile="+4798765432", email="kari.hemmelig@example.no",
                                     exemptions=[{"reason": "health", "from": "2026-01-01", "to": None,
                                                  "granted": True}]))
    config = to_period_config(parse_scenario(doc))
    state, cal = opened(config)
    state = at_meeting(state, cal)
    v = rejected(state, cal, ActionKind.MEETING_PICK, "gp09", "2027-01-04/backup", "R-QUAL-2")
    for secret in ("98765432", "hemmelig", "health", "1980"):
        assert secret not in v.message
