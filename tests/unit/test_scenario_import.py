"""Scenario import (docs/scenario-format.md): validation with JSON path and reason (R-DATA-1),
exemptions in force (R-EX-1/2/3), meeting attendance (R-MEET-1), no personal data in profiles."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from domain.model import MeetingAttendance, Role
from domain.scenario import ScenarioError, doctor_profile, parse_scenario, to_period_config
from tests.helpers.builders import doctor_doc, minimal_doc

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example-scenario.json"  # the contract's example


@pytest.fixture(scope="module")
def example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def problems(doc: dict) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(doc)
    assert str(info.value) == "; ".join(info.value.problems)
    return info.value.problems


def profile(doc: dict, index: int = 0):
    """The rules' view of a doctor before minimisation (test_minimise covers the clamping)."""
    scenario = parse_scenario(doc)
    return doctor_profile(scenario.doctors[index], scenario)


# ------------------------------------------------------------------------------------- the example
def test_example_scenario_parses(example):
    """R-DATA-1: docs/example-scenario.json is a valid scenario (17 doctors, two weeks)."""
    scenario = parse_scenario(example)
    config = to_period_config(scenario)
    assert len(config.doctors) == 17
    assert (config.period.start, config.period.end) == (date(2027, 1, 4), date(2027, 1, 17))
    assert config.lottery_seed == 7
    assert [t.name for t in config.shift_template] == ["evening", "day", "night", "backup", "backup-day"]
    assert config.doctor("st01").role is Role.STAFF
    assert config.doctor("gp11").meeting is MeetingAttendance.VALID_ABSENCE  # on_duty
    assert config.doctor("gp08").meeting is MeetingAttendance.UNEXCUSED
    assert config.period.wishes_due.tzinfo is not None  # R-TIME-1: Oslo wall clock


def test_minimal_doc_parses():
    """R-DATA-1: the builders' minimal document is valid."""
    parse_scenario(minimal_doc())


# ------------------------------------------------------------------------------ R-DATA-1 validation
def test_r_data_1_bad_mobile_names_path_and_reason_without_the_number(example):
    """R-DATA-1: `doctors[3].mobile: not a Norwegian mobile number`; the number itself never shown."""
    doc = copy.deepcopy(example)
    doc["doctors"][3]["mobile"] = "+4712345678"
    found = problems(doc)
    assert found == ["doctors[3].mobile: not a Norwegian mobile number"]
    text = "; ".join(found)
    assert "12345678" not in text and "+47" not in text


@pytest.mark.parametrize("mobile", ["+47 912 34 567", "91234567", "004741234567", "412-34-567"])
def test_r_data_1_norwegian_mobile_formats_accepted(mobile):
    """R-DATA-1: 8 digits starting with 4 or 9, with optional +47/0047, spaces or dashes."""
    doc = minimal_doc()
    doc["doctors"][0]["mobile"] = mobile
    assert parse_scenario(doc).doctors[0].mobile.startswith("+47")


@pytest.mark.parametrize("mobile", ["22334455", "+4691234567", "9123456", "912345678", "", "ninetwo"])
def test_r_data_1_non_mobile_numbers_rejected(mobile):
    """R-DATA-1: landlines, foreign, short and long numbers are rejected, the value never echoed."""
    doc = minimal_doc()
    doc["doctors"][1]["mobile"] = mobile
    found = problems(doc)
    assert found == ["doctors[1].mobile: not a Norwegian mobile number"]
    if mobile:
        assert mobile not in "; ".join(found)


@pytest.mark.parametrize("email", ["kari.nordmann.example.no", "kari.nordmann@example", "kari nordmann@example.no"])
def test_r_data_1_bad_email(email):
    """R-DATA-1: an invalid e-mail is rejected with its path; the address is not echoed."""
    doc = minimal_doc()
    doc["doctors"][2]["email"] = email
    found = problems(doc)
    assert len(found) == 1 and found[0].startswith("doctors[2].email: ")
    assert "kari" not in found[0] and "nordmann" not in found[0]


@pytest.mark.parametrize("field", ["mobile", "email", "qualification", "role", "id", "name"])
def test_r_data_1_missing_required_doctor_field(field):
    """R-DATA-1: contact data and the dated qualifications are required."""
    doc = minimal_doc()
    del doc["doctors"][2][field]
    found = problems(doc)
    assert f"doctors[2].{field}: Field required" in found


@pytest.mark.parametrize("field", ["clinical_months", "duty_shifts_done", "gp_months"])
def test_r_data_1_missing_qualification_count(field):
    """R-DATA-1: the qualification counts are required whole numbers >= 0."""
    doc = minimal_doc()
    del doc["doctors"][0]["qualification"][field]
    assert problems(doc) == [f"doctors[0].qualification.{field}: Field required"]
    doc = minimal_doc()
    doc["doctors"][0]["qualification"][field] = -1
    assert problems(doc)[0].startswith(f"doctors[0].qualification.{field}: ")


@pytest.mark.parametrize("section", ["period", "district", "shift_template", "doctors", "format"])
def test_missing_top_level_section(section):
    """R-DATA-1: a missing required section is named by its path."""
    doc = minimal_doc()
    del doc[section]
    assert f"{section}: Field required" in problems(doc)


@pytest.mark.parametrize("field", ["start", "end", "wishes_due", "meeting_at", "offering_closes", "id"])
def test_missing_period_field(field):
    """R-DATA-1: a missing period field is named by its path."""
    doc = minimal_doc()
    del doc["period"][field]
    assert problems(doc) == [f"period.{field}: Field required"]


@pytest.mark.parametrize(("key", "value"), [("start", "25:00"), ("end", "8:00"), ("start", "16.00"), ("end", "23:60")])
def test_bad_shift_template_time(key, value):
    """R-TIME-1 input: template times are HH:MM."""
    doc = minimal_doc()
    doc["shift_template"][1][key] = value
    assert problems(doc) == [f"shift_template[1].{key}: not a time of day as HH:MM"]


def test_shift_template_zero_length_rejected():
    """R-TIME-1 / R-DATA-1: a template with start == end is rejected, naming the record."""
    doc = minimal_doc()
    doc["shift_template"][0]["end"] = doc["shift_template"][0]["start"]
    found = problems(doc)
    assert len(found) == 1 and found[0].startswith("shift_template[0]: ")


@pytest.mark.parametrize("days", [["mon", "funday"], ["Mon"], []])
def test_unknown_weekday(days):
    """R-DATA-1: template days must be `all` or weekdays mon..sun (unknown weekday rejected)."""
    doc = minimal_doc()
    doc["shift_template"][0]["days"] = days
    found = problems(doc)
    assert len(found) == 1 and found[0].startswith("shift_template[0].days")
    assert "mon, tue, wed, thu, fri, sat, sun" in found[0]


def test_days_neither_all_nor_list_names_the_json_path():
    """R-DATA-1 / scenario format: `days: "weekdays"` is rejected at the JSON path `shift_template[0].days`, not
    at pydantic's internal union branches (`.days.list[str]`, `.days.literal['all']`)."""
    doc = minimal_doc()
    doc["shift_template"][0]["days"] = "weekdays"
    found = problems(doc)
    assert found and all(p.startswith("shift_template[0].days: ") for p in found), found


def test_bad_shift_kind():
    """R-DATA-1: a shift kind other than duty/backup is rejected with its path."""
    doc = minimal_doc()
    doc["shift_template"][2]["kind"] = "standby"
    assert problems(doc)[0].startswith("shift_template[2].kind: ")


def test_duplicate_doctor_id():
    """R-DATA-1: doctor ids are unique; the duplicate names the first occurrence."""
    doc = minimal_doc()
    doc["doctors"].append(doctor_doc("gp02"))
    assert problems(doc) == ["doctors[6].id: duplicate of doctors[1]"]


def test_duplicate_template_name():
    """R-DATA-1 / R-TIME-1: template names are unique (they make the shift ids)."""
    doc = minimal_doc()
    doc["shift_template"].append(dict(doc["shift_template"][0]))
    assert problems(doc) == ["shift_template[5].name: duplicate of shift_template[0]"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("wishes_due", "2026-12-01T12:00"),  # after the meeting
        ("offering_closes", "2026-11-30T17:00"),  # before the meeting
        ("meeting_at", "2026-12-20T18:00"),  # after the offering closes
    ],
)
def test_deadlines_out_of_order(field, value):
    """R-PROC-1: wishes_due <= meeting_at <= offering_closes."""
    doc = minimal_doc()
    doc["period"][field] = value
    assert problems(doc) == ["period: deadlines must satisfy wishes_due <= meeting_at <= offering_closes"]


def test_period_end_before_start():
    """R-DATA-1: a period ending before it starts is rejected."""
    doc = minimal_doc()
    doc["period"]["end"] = "2027-01-01"
    assert "period.end: before period.start" in problems(doc)


def test_deadlines_with_offsets_compare_as_instants():
    """R-TIME-1: a deadline with an explicit offset and the others as Oslo wall clock are compared as
    instants; the scenario is valid (or rejected as ScenarioError), never a crash."""
    doc = minimal_doc()
    doc["period"]["wishes_due"] = "2026-11-29T12:00+01:00"
    try:
        config = to_period_config(parse_scenario(doc))
    except ScenarioError:  # pragma: no cover - rejecting is acceptable, crashing is not
        return
    assert config.period.wishes_due < config.period.meeting_at


@pytest.mark.parametrize("course", ["specialist_gp", "violence_course", "acute_course"])
def test_r_data_1_qualification_before_birth_date(course):
    """R-DATA-1: a qualification dated before the doctor's birth date is rejected, naming it."""
    doc = minimal_doc()
    doc["doctors"][3]["birth_date"] = "1990-01-01"
    doc["doctors"][3]["qualification"][course] = "1985-06-01"
    found = problems(doc)
    assert found == [f"doctors[3]: qualification.{course} is before the doctor's birth date"]
    assert "1990" not in found[0] and "1985" not in found[0]


def test_every_problem_is_reported():
    """R-DATA-1: all invalid fields are reported at once, each with its own path."""
    doc = minimal_doc()
    doc["doctors"][0]["mobile"] = "123"
    doc["doctors"][1]["email"] = "nope"
    doc["shift_template"][0]["start"] = "99:99"
    found = problems(doc)
    assert {p.split(":")[0] for p in found} == {"doctors[0].mobile", "doctors[1].email", "shift_template[0].start"}


def test_substitute_for_must_name_a_gp():
    """R-EX-5 / R-DATA-1: a substitute stands in for a GP of the district."""
    doc = minimal_doc()
    doc["doctors"][4]["substitute_for"] = "st01"
    assert problems(doc) == ["doctors[4].substitute_for: not a GP of the district"]


def test_bad_policy_weight_is_a_scenario_error():
    """R-LOAD-2 policy / scenario format: a wrong weight key is rejected on import with its JSON path
    (exit code 2 in `vakt simulate`), not a crash when the config is built."""
    doc = minimal_doc()
    doc["district"]["policy"]["weights"] = {"nights": 2}
    with pytest.raises(ScenarioError) as info:
        to_period_config(parse_scenario(doc))
    assert "district.policy.weights" in str(info.value)


def test_bad_qualification_exception_is_a_scenario_error():
    """R-QUAL-4 policy / scenario format: an exception with an invalid `until` is rejected on import
    with its JSON path, not a crash when the config is built."""
    doc = minimal_doc()
    doc["district"]["policy"]["qualification_exceptions"] = [{"name": "LIS1", "until": "soon"}]
    with pytest.raises(ScenarioError) as info:
        to_period_config(parse_scenario(doc))
    assert "district.policy.qualification_exceptions[0]" in str(info.value)


def test_qualification_exception_imported():
    """R-QUAL-4: a district's time-limited exception reaches the policy."""
    doc = minimal_doc()
    doc["district"]["policy"]["qualification_exceptions"] = [
        {"name": "LIS1", "until": "2023-12-31", "min_clinical_months": 12}
    ]
    (exc,) = to_period_config(parse_scenario(doc)).district.policy.qualification_exceptions
    assert (exc.name, exc.until, exc.min_clinical_months) == ("LIS1", date(2023, 12, 31), 12)


# ------------------------------------------------------------------------------ exemptions R-EX-1..3
def exemption(reason: str, start: str, end: str | None = None, granted: bool = True, **extra) -> dict:
    return {"reason": reason, "from": start, "to": end, "granted": granted, **extra}


def test_r_ex_1_age_over_60_starts_at_60th_birthday():
    """R-EX-1: age over 60 is in force from the 60th birthday, even if `from` is earlier."""
    doc = minimal_doc()
    doc["doctors"][0]["birth_date"] = "1967-01-10"
    doc["doctors"][0]["exemptions"] = [exemption("age_over_60", "2026-06-01")]
    (g,) = profile(doc).exemptions
    assert g.rule == "R-EX-1"
    assert g.range.start == date(2027, 1, 10) and g.range.end is None


def test_r_ex_1_age_over_60_later_from_is_kept():
    """R-EX-1: a request from a date after the 60th birthday starts then."""
    doc = minimal_doc()
    doc["doctors"][0]["birth_date"] = "1950-01-10"
    doc["doctors"][0]["exemptions"] = [exemption("age_over_60", "2027-01-08")]
    (g,) = profile(doc).exemptions
    assert g.range.start == date(2027, 1, 8)


def test_r_ex_1_age_over_60_applies_even_if_not_granted():
    """R-EX-1: by right; `granted: false` does not stop it."""
    doc = minimal_doc()
    doc["doctors"][0]["birth_date"] = "1960-03-01"
    doc["doctors"][0]["exemptions"] = [exemption("age_over_60", "2020-03-01", granted=False)]
    (g,) = profile(doc).exemptions
    assert g.rule == "R-EX-1" and g.range.start == date(2020, 3, 1)


def test_r_ex_1_leap_day_birthday():
    """R-EX-1: born 29 February -> in force from the 60th birthday, 29 February 60 years on."""
    doc = minimal_doc()
    doc["doctors"][0]["birth_date"] = "1968-02-29"
    doc["doctors"][0]["exemptions"] = [exemption("age_over_60", "2020-01-01")]
    (g,) = profile(doc).exemptions
    assert g.range.start == date(2028, 2, 29)
    doc["doctors"][0]["birth_date"] = "1964-02-29"
    (g,) = profile(doc).exemptions
    assert g.range.start == date(2024, 2, 29)


@pytest.mark.parametrize("reason", ["pregnancy", "breastfeeding"])
def test_r_ex_1_other_reasons_by_right(reason):
    """R-EX-1: last three months of pregnancy, breastfeeding: by right, whatever `granted` says."""
    doc = minimal_doc()
    doc["doctors"][1]["exemptions"] = [exemption(reason, "2027-01-01", "2027-04-01", granted=False)]
    (g,) = profile(doc, 1).exemptions
    assert g.rule == "R-EX-1" and (g.range.start, g.range.end) == (date(2027, 1, 1), date(2027, 4, 1))


@pytest.mark.parametrize("reason", ["health", "social"])
def test_r_ex_2_discretionary_only_when_granted(reason):
    """R-EX-2: health/social exemptions are in force only when the clinic granted them. Who decided
    and when stays in the clinic's records: the profile names only the rule (data minimisation)."""
    doc = minimal_doc()
    doc["doctors"][0]["exemptions"] = [exemption(reason, "2027-01-01", granted=False)]
    assert profile(doc).exemptions == ()
    doc["doctors"][0]["exemptions"] = [
        exemption(reason, "2027-01-01", granted=True, decided_by="legevaktsjef", decided_at="2026-11-01")
    ]
    (g,) = profile(doc).exemptions
    assert g.rule == "R-EX-2" and "legevaktsjef" not in g.model_dump_json()


def test_r_ex_3_application_after_meeting_not_in_force():
    """R-EX-3: applications must arrive before the meeting; a later one is not in force."""
    doc = minimal_doc()  # meeting 2026-11-30
    doc["doctors"][0]["exemptions"] = [exemption("health", "2027-01-01", applied_on="2026-12-05")]
    assert profile(doc).exemptions == ()
    doc["doctors"][0]["exemptions"] = [exemption("pregnancy", "2027-01-01", "2027-03-01", applied_on="2026-12-01")]
    assert profile(doc).exemptions == ()
    doc["doctors"][0]["exemptions"] = [exemption("health", "2027-01-01", applied_on="2026-11-15")]
    assert len(profile(doc).exemptions) == 1


def test_r_ex_3_exemption_range_validated():
    doc = minimal_doc()
    doc["doctors"][0]["exemptions"] = [exemption("health", "2027-02-01", "2027-01-01")]
    found = problems(doc)
    assert len(found) == 1 and found[0].startswith("doctors[0].exemptions[0]")


# ---------------------------------------------------------------------------------- R-MEET-1 mapping
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, MeetingAttendance.ATTENDED),
        ("illness", MeetingAttendance.VALID_ABSENCE),
        ("vacation", MeetingAttendance.VALID_ABSENCE),
        ("course", MeetingAttendance.VALID_ABSENCE),
        ("on_duty", MeetingAttendance.VALID_ABSENCE),
        ("approved_other", MeetingAttendance.VALID_ABSENCE),
        ("unexcused", MeetingAttendance.UNEXCUSED),
    ],
)
def test_r_meet_1_meeting_absence_mapping(value, expected):
    """R-MEET-1: the listed reasons are valid absences; `unexcused` is not."""
    doc = minimal_doc()
    doc["doctors"][0]["meeting_absence"] = value
    p = profile(doc)
    assert p.meeting is expected
    assert p.valid_meeting_absence is (expected is MeetingAttendance.VALID_ABSENCE)


@pytest.mark.parametrize("value", ["sick", "other", "forgot"])
def test_r_meet_1_unknown_absence_reason_rejected(value):
    """R-MEET-1: anything outside the list is not accepted as a meeting absence value."""
    doc = minimal_doc()
    doc["doctors"][0]["meeting_absence"] = value
    assert problems(doc)[0].startswith("doctors[0].meeting_absence: ")


# ------------------------------------------------------------------------------ profiles, stand-ins
def test_profile_carries_no_personal_data():
    """R-DATA-1 / privacy: DoctorProfile has no mobile, e-mail, birth date or exemption reason."""
    doc = minimal_doc()
    d = doc["doctors"][0]
    d.update(mobile="+4798765432", email="kari.hemmelig@legekontor.example.no", birth_date="1961-04-13",
             name="Kari Hemmelig")
    d["exemptions"] = [exemption("age_over_60", "2021-04-13"), exemption("health", "2027-01-01", granted=True)]
    d["absences"] = [{"from": "2027-01-10", "to": "2027-01-12", "reason": "vacation"}]
    p = profile(doc)
    dumped = p.model_dump(mode="json")
    text = json.dumps(dumped)

    def keys(obj) -> set[str]:
        if isinstance(obj, dict):
            return set(obj) | {k for v in obj.values() for k in keys(v)}
        if isinstance(obj, list):
            return {k for v in obj for k in keys(v)}
        return set()

    assert not keys(dumped) & {"mobile", "email", "birth_date", "reason", "name"}
    for secret in ("98765432", "hemmelig", "Hemmelig", "1961-04-13", "age_over_60", "health", "vacation"):
        assert secret not in text
    assert len(p.exemptions) == 2 and len(p.absences) == 1
    config_text = to_period_config(parse_scenario(doc)).model_dump_json()
    for secret in ("98765432", "hemmelig", "1961-04-13", "age_over_60", "vacation", "Kari"):
        assert secret not in config_text


def test_r_ex_5_stand_in_defaults_to_the_period():
    """R-EX-5: `substitute_for` without dates stands in for the whole period."""
    doc = minimal_doc()
    doc["doctors"][4]["substitute_for"] = "gp02"
    p = profile(doc, 4)
    assert p.stands_in.gp == "gp02"
    assert (p.stands_in.range.start, p.stands_in.range.end) == (date(2027, 1, 4), date(2027, 1, 17))
    doc["doctors"][4].update(substitute_from="2027-01-08", substitute_to="2027-01-10")
    p = profile(doc, 4)
    assert (p.stands_in.range.start, p.stands_in.range.end) == (date(2027, 1, 8), date(2027, 1, 10))


def test_extra_fields_are_welcome():
    """R-DATA-1 / scenario-format.md: more fields are welcome."""
    doc = minimal_doc()
    doc["doctors"][0]["municipality"] = "Moss"
    doc["comment"] = "dry run"
    parse_scenario(doc)


def test_r_ex_1_age_exemption_needs_a_birth_date():
    """R-EX-1 counts from the 60th birthday, so an age exemption without a birth date is an error."""
    doc = minimal_doc()
    doc["doctors"][0]["birth_date"] = None
    doc["doctors"][0]["exemptions"] = [{"reason": "age_over_60", "from": "2026-01-01", "to": None, "granted": True}]
    assert problems(doc) == ["doctors[0].birth_date: required for an age_over_60 exemption (R-EX-1)"]


def test_r_ex_5_two_stand_ins_for_one_gp_on_the_same_dates_rejected():
    """R-EX-5: one substitute takes a GP's place at a time, or the quota would count the GP twice."""
    doc = minimal_doc()
    gp = doc["doctors"][0]["id"]
    doc["doctors"].append(doctor_doc("subA", "substitute", substitute_for=gp))
    doc["doctors"].append(doctor_doc("subB", "substitute", substitute_for=gp, substitute_from="2027-01-10"))
    [problem] = problems(doc)
    assert problem.startswith(f"doctors[{len(doc['doctors']) - 1}].substitute_for:") and "R-EX-5" in problem
