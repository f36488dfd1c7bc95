"""The registry's CSV format (docs/registry-csv.md) and its records' validation (R-DATA-1): every
bad row named by row number and column, never by value; one bad row fails the whole file."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from app.demo.samples import SAMPLE_PATH
from domain.limits import MAX_DOCTORS, MAX_NAME_LENGTH
from domain.model import Role
from domain.registry.records import RegistryError
from domain.registry.csv_format import COLUMNS, parse_registry_csv, write_registry_csv
from domain.registry.from_scenario import registry_from_scenario
from domain.scenario import parse_scenario
from tools.sample_registry import CSV_PATH, render_sample_csv

GOOD = {
    "id": "gp01", "role": "gp", "name": "Kari Nordmann", "mobile": "+47 912 34 567", "email": "kari@example.no",
    "birth_date": "1961-02-28", "specialist_gp": "2005-06-01", "violence_course": "2016-03-01",
    "acute_course": "01.03.2016", "clinical_months": "200", "duty_shifts_done": "400", "gp_months": "180",
    "exemptions": "age_over_60 2019-01-01..", "absences": "2027-01-10..2027-01-17 vacation", "stand_ins": "",
    "joined_on": "", "left_on": "",
}


def _csv(rows: list[dict[str, str]], *, delimiter: str = ",", columns=COLUMNS) -> str:
    columns = tuple(columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue()


def _doctor(i: int, **cells: str) -> dict[str, str]:
    return {**GOOD, "id": f"gp{i:02d}", "mobile": f"9{i:07d}", "email": f"gp{i}@example.no", **cells}


def _problems(text: str) -> RegistryError:
    with pytest.raises(RegistryError) as caught:
        parse_registry_csv(text)
    return caught.value


def test_the_sample_csv_holds_the_sample_districts_74_doctors():
    scenario = parse_scenario(json.loads(SAMPLE_PATH.read_text()))
    doctors = parse_registry_csv(CSV_PATH.read_text(encoding="utf-8"))
    assert len(doctors) == 74
    assert doctors == registry_from_scenario(scenario).doctors
    assert sum(d.role is Role.GP for d in doctors) == 60
    assert sum(d.role is Role.SUBSTITUTE for d in doctors) == 10
    assert sum(d.role is Role.STAFF for d in doctors) == 4


def test_the_committed_sample_csv_is_what_the_tool_writes():
    assert CSV_PATH.read_bytes() == render_sample_csv().encode("utf-8")


def test_every_cell_format_reads_back_what_was_written():
    rows = [
        _doctor(1, mobile="+47 912 34 567", exemptions=(
            "age_over_60 2019-01-01.. granted | health 2027-01-04..2027-06-30 granted applied 2026-10-01 "
            "decided 2026-10-28 by Kari [bold]Sjef[/bold] | social 2027-02-01..2027-02-28 applied 2026-12-24"
        )),
        _doctor(2, role="substitute", stand_ins="gp01 2027-02-01..2027-03-01 | gp03 2027-05-01..", joined_on="2026-08-01"),
        _doctor(3, absences="2027-01-01..2027-01-02 course | 2027-03-01..2027-03-31 leave", left_on="2027-12-31"),
    ]
    doctors = parse_registry_csv(_csv(rows))
    assert parse_registry_csv(write_registry_csv(doctors)) == doctors
    health = doctors[0].exemptions[1]
    assert (health.rule, health.granted, health.decided_by, health.decided_at, health.applied_on) == (
        "R-EX-2", True, "Kari [bold]Sjef[/bold]", date(2026, 10, 28), date(2026, 10, 1)
    )
    assert doctors[0].mobile == "+4791234567"  # R-DATA-1: normalised
    assert doctors[0].qualification.acute_course == date(2016, 3, 1)  # DD.MM.YYYY as a spreadsheet shows it
    assert [s.substitute_for for s in doctors[1].stand_ins] == ["gp01", "gp03"]
    assert doctors[1].stand_ins[1].to is None
    assert doctors[2].left_on == date(2027, 12, 31)


def test_a_norwegian_spreadsheets_semicolons_byte_order_mark_and_empty_rows_are_read():
    rows = [_doctor(1), _doctor(2)]
    text = "\ufeff" + _csv(rows, delimiter=";") + ";;;;\r\n"
    doctors = parse_registry_csv(text)
    assert [d.id for d in doctors] == ["gp01", "gp02"]
    assert doctors == parse_registry_csv(_csv(rows))


def test_columns_may_come_in_any_order():
    assert parse_registry_csv(_csv([_doctor(1)], columns=reversed(COLUMNS)))[0].id == "gp01"


def test_three_bad_rows_are_named_by_row_and_column_and_never_by_value():
    """R-DATA-1: the header is row 1, so the fourth doctor is row 5."""
    rows = [_doctor(i) for i in range(1, 11)]
    rows[2]["mobile"] = "12345"  # row 4
    rows[7]["email"] = "kari(at)example"  # row 9
    rows[8]["violence_course"] = "2016-13-45"  # row 10
    rows[8]["clinical_months"] = "many"
    error = _problems(_csv(rows))
    assert error.bad_records == 3
    assert error.problems == [
        "row 4 column mobile: not a Norwegian mobile number",
        "row 9 column email: not a valid e-mail address",
        "row 10 column violence_course: not a date (YYYY-MM-DD or DD.MM.YYYY)",
        "row 10 column clinical_months: not a whole number",
    ]
    text = str(error)
    for value in ("12345", "kari(at)example", "2016-13-45", "many"):
        assert value not in text


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"mobile": ""}, "row 2 column mobile: missing"),
        ({"role": "nurse"}, "row 2 column role: Input should be 'gp', 'substitute' or 'staff'"),
        ({"id": "gp 01"}, "row 2 column id: String should match pattern"),
        ({"name": "x" * (MAX_NAME_LENGTH + 1)}, f"row 2 column name: String should have at most {MAX_NAME_LENGTH} characters"),
        ({"name": "Kari \x1b[2J"}, "row 2 column name: Value error, contains control characters"),
        ({"specialist_gp": "1950-01-01"}, "row 2 column specialist_gp: before the doctor's birth date"),
        ({"birth_date": "", "exemptions": "age_over_60 2019-01-01.."}, "row 2 column birth_date: required for an age_over_60 exemption (R-EX-1)"),
        ({"exemptions": "health 2027-01-04..2027-06-30 granted"}, "row 2 column exemptions: entry 1: Value error, R-EX-2: a granted exemption records who decided it and when"),
        ({"exemptions": "age_over_60 2019-01-01.. | flu 2027-01-01.."}, "row 2 column exemptions: entry 2: reason: Input should be"),
        ({"exemptions": "health 2027-01-04"}, "row 2 column exemptions: entry 1: not a date range FROM..[TO]"),
        ({"exemptions": "health"}, "row 2 column exemptions: entry 1: not REASON FROM..[TO]"),
        ({"absences": "2027-01-10..2027-01-17"}, "row 2 column absences: entry 1: not FROM..TO REASON"),
        ({"absences": "2027-01-10.. vacation"}, "row 2 column absences: entry 1: the range needs an end date"),
        ({"absences": "2027-01-17..2027-01-10 vacation"}, "row 2 column absences: entry 1: Value error, 'to' is before 'from'"),
        ({"joined_on": "2027-01-01", "left_on": "2026-01-01"}, "row 2 column left_on: before joined_on"),
        ({"stand_ins": "gp02 2027-01-01.."}, "row 2 column stand_ins: only a substitute stands in for a GP (R-EX-5)"),
        ({"absences": " | ".join(["2027-01-01..2027-01-02 x"] * 101)}, "row 2 column absences: Tuple should have at most 100 items"),
    ],
)
def test_each_bad_cell_is_named(cells, expected):
    error = _problems(_csv([_doctor(1, **cells)]))
    assert error.bad_records == 1
    assert len(error.problems) == 1 and error.problems[0].startswith(expected.replace("Value error, ", "")), error.problems
    assert "\x1b" not in str(error)


def test_problems_across_rows_name_both_rows():
    rows = [
        _doctor(1),
        _doctor(2, role="substitute", stand_ins="gp01 2027-01-01..2027-03-31"),
        _doctor(3, role="substitute", stand_ins="gp01 2027-03-01..2027-04-30 | gp09 2027-05-01.."),
        _doctor(1, mobile="91111111"),
    ]
    error = _problems(_csv(rows))
    assert error.problems == [
        "row 4 column stand_ins: entry 1: row 3 already stands in for that GP on overlapping dates (R-EX-5)",
        "row 4 column stand_ins: entry 2: not a GP of the district (R-EX-5)",
        "row 5 column id: duplicate of row 2",
        "row 5 column email: the same address as row 2; each doctor needs their own",
    ]
    assert error.bad_records == 2


def test_checks_across_rows_wait_until_every_row_is_valid():
    """A row's own problems come first, so no cross-row problem is a side effect of a bad row."""
    rows = [
        _doctor(1, mobile="12345"),
        _doctor(2, role="substitute", stand_ins="gp01 2027-06-01..2027-06-30 | gp01 2027-06-15.."),
        _doctor(2),
    ]
    assert _problems(_csv(rows)).problems == [
        "row 2 column mobile: not a Norwegian mobile number",
        "row 3 column stand_ins: entries 1 and 2 overlap: a substitute stands in for one GP at a time (R-EX-5)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["the file is empty: a registry CSV starts with a header row"]),
        (",".join(COLUMNS) + "\n", ["no doctors: the file has a header and no rows"]),
        (",".join(c for c in COLUMNS if c not in ("exemptions", "email")) + "\n",
         ["header: missing columns email, exemptions"]),
        (",".join([*COLUMNS, "municipality", "id"]) + "\n",
         ["header: column 18 is not a column of the registry format (see docs/registry-csv.md)",
          "header: column 19 repeats column id"]),
    ],
)
def test_header_problems_are_named_by_position(text, expected):
    error = _problems(text)
    assert error.problems == expected and error.bad_records is None


def test_a_file_without_a_header_never_shows_the_first_doctors_data():
    text = _csv([_doctor(1), _doctor(2)]).split("\n", 1)[1]
    error = _problems(text)
    assert "Kari" not in str(error) and "912" not in str(error) and "example.no" not in str(error)
    assert error.problems[0] == "header: column 1 is not a column of the registry format (see docs/registry-csv.md)"


def test_a_row_with_more_cells_than_the_header_is_named():
    text = _csv([_doctor(1)]).rstrip("\n") + ",surplus\n"
    assert _problems(text).problems == [f"row 2: {len(COLUMNS) + 1} cells; the header has {len(COLUMNS)} columns"]


def test_more_doctors_than_the_limit_are_refused_before_any_row_is_checked():
    row = ",".join(_csv([_doctor(1)]).splitlines()[1:2])
    text = ",".join(COLUMNS) + "\n" + (row + "\n") * (MAX_DOCTORS + 1)
    assert _problems(text).problems == [f"more than {MAX_DOCTORS:,} doctors; a district may have at most {MAX_DOCTORS:,}"]


def test_a_records_repr_hides_its_personal_data():
    doctor = parse_registry_csv(_csv([_doctor(1, exemptions="health 2027-01-01..2027-02-01 granted decided 2026-12-01 by Sjef")]))[0]
    for shown in (repr(doctor), str(doctor)):
        for secret in ("Kari", "+47", "example.no", "1961", "health", "Sjef", "vacation"):
            assert secret not in shown, secret


def test_the_documented_example_is_a_valid_registry_csv():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "registry-csv.md").read_text(encoding="utf-8")
    example = doc.split("```csv\n", 1)[1].split("```", 1)[0]
    doctors = parse_registry_csv(example)
    assert [d.id for d in doctors] == ["moss02", "moss03", "vestby06", "vestby09", "sub01"]
    assert doctors[1].mobile == "+4740978532" and doctors[1].birth_date == date(1959, 9, 14)
    assert doctors[3].exemptions[0].decided_by == "legevaktsjef"
    assert doctors[4].stand_ins[0].substitute_for == "vestby06"
