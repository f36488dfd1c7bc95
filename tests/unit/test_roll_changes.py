"""A roll's planned import (domain.registry.roll_changes) and the roll as a file
(app.registry.roll_files): the plan names what is added, changed field by field and left, and
the rules a qualification change touches; the digest tells rolls apart; a workbook reads as the
CSV does; the export guards every formula-looking cell and reads back unchanged."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from app.registry.roll_files import RollFileError, read_roll, roll_csv, roll_xlsx
from domain.registry.csv_format import COLUMNS, doctor_row, guarded, unguarded
from domain.registry.roll_changes import QUALIFICATION_RULES, plan_import, roll_digest

SAMPLE = Path(__file__).resolve().parents[2] / "app" / "data" / "sample-mosse-registry.csv"
TODAY = date(2027, 3, 1)


@pytest.fixture(scope="module")
def roll():
    return read_roll("roll.csv", SAMPLE.read_bytes()).doctors


def test_the_plan_names_added_changed_and_left_and_the_qualification_rules(roll):
    stored = roll
    incoming = list(roll[1:])
    q = incoming[0].qualification.model_copy(update={"violence_course": None})
    incoming[0] = incoming[0].model_copy(update={"qualification": q})
    incoming[1] = incoming[1].model_copy(update={"name": "Nytt Navn"})
    incoming.append(roll[0].model_copy(update={"id": "new01", "email": "new01@example.no"}))
    plan = plan_import(stored, incoming, TODAY)
    assert [c.doctor_id for c in plan.added] == ["new01"]
    assert [c.doctor_id for c in plan.left] == [roll[0].id]
    assert plan.left[0].fields == {"left_on": {"old": None, "new": TODAY.isoformat()}}
    by_id = {c.doctor_id: c for c in plan.changed}
    assert by_id[roll[2].id].fields == {"name": {"old": roll[2].name, "new": "Nytt Navn"}} and not by_id[roll[2].id].rules
    touched = by_id[roll[1].id]
    assert set(touched.fields) == {"violence_course"} and touched.rules == QUALIFICATION_RULES
    assert touched.qualified_after is False
    assert plan.unchanged == len(roll) - 3
    assert plan.roll_before == roll_digest(stored) != plan.roll_after
    assert plan_import(stored, stored, TODAY).changes_anything is False


def test_the_digest_is_the_rolls_not_its_order(roll):
    assert roll_digest(roll) == roll_digest(reversed(roll))
    assert roll_digest(roll) != roll_digest(roll[1:])


def test_a_workbook_reads_as_the_csv_with_date_and_number_cells(roll):
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for d in roll:
        row = doctor_row(d)
        cells = []
        for c in COLUMNS:
            v = row[c]
            if c in ("birth_date", "specialist_gp", "violence_course", "acute_course") and v:
                v = datetime.fromisoformat(v)
            elif c in ("clinical_months", "duty_shifts_done", "gp_months"):
                v = int(v)
            cells.append(v or None)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    assert read_roll("roll.xlsx", out.getvalue()).doctors == roll


def test_the_export_guards_formulas_and_reads_back(roll):
    evil = roll[0].model_copy(update={"name": "=cmd' /C calc'!A0"})
    doctors = (evil, *roll[1:])
    text = roll_csv(doctors).decode("utf-8-sig")
    assert "\n=" not in text and ",=" not in text and ",+47" not in text and ",'+47" in text
    assert read_roll("roll.csv", roll_csv(doctors)).doctors == doctors
    sheet = load_workbook(io.BytesIO(roll_xlsx(doctors))).worksheets[0]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
    assert all(c.data_type == "s" and not str(c.value).startswith(("=", "+", "-", "@")) for c in cells)
    assert read_roll("roll.xlsx", roll_xlsx(doctors)).doctors == doctors
    assert unguarded(guarded("@SUM(A1)")) == "@SUM(A1)" and guarded("Kari") == "Kari"


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("roll.csv", b"", "file"),
    ("roll.png", b"\x89PNG\r\n\x1a\n\x00\x00", "file"),
    ("roll.xlsx", b"PK\x03\x04broken", "file"),
    ("roll.xlsx", b"id,role\n", "file"),
    ("roll.csv", b"\xff\xfe\x00i\x00d", "file"),
    ("roll.csv", b"fornavn,etternavn\nKari,Nordmann\n", "header"),
])
def test_files_that_are_not_a_roll(name, content, kind):
    with pytest.raises(RollFileError) as caught:
        read_roll(name, content)
    assert caught.value.kind == kind
    assert "Kari" not in caught.value.message
