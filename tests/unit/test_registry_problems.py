"""A roll file's problems in the page's language (web/registry_problems.py): each named by its
row and its column in words, a repeated row by its number; the header's and the file's own
problems in words; an unknown reason says "ugyldig verdi", never the parser's English."""

from __future__ import annotations

import pytest

from web.registry_problems import roll_problems


@pytest.mark.parametrize(("problem", "nb", "en"), [
    ("row 4 column email: not a valid e-mail address", "Rad 4, kolonne E-post: ikke en gyldig e-postadresse",
     "Row 4, column E-mail: not a valid e-mail address"),
    ("row 9 column mobile: not a Norwegian mobile number", "Rad 9, kolonne Mobil: ikke et norsk mobilnummer (8 siffer)",
     "Row 9, column Mobile: not a Norwegian mobile number (8 digits)"),
    ("row 5 column id: duplicate of row 3", "Rad 5, kolonne Id: samme id som rad 3", "Row 5, column Id: the same id as row 3"),
    ("row 7 column clinical_months: missing", "Rad 7, kolonne Måneder klinisk tjeneste: mangler",
     "Row 7, column Months of clinical service: missing"),
    ("row 8 column role: Input should be 'gp', 'substitute' or 'staff'",
     "Rad 8, kolonne Rolle: ikke en av de tillatte verdiene", "Row 8, column Role: not one of the allowed values"),
    ("row 3 column name: something new the parser says", "Rad 3, kolonne Navn: ugyldig verdi", "Row 3, column Name: invalid value"),
    ("row 6: 19 cells; the header has 17 columns", "Rad 6: flere celler enn overskriften har kolonner",
     "Row 6: more cells than the header has columns"),
    ("header: missing columns id, email", "Overskriftsraden mangler kolonnene: Id, E-post",
     "The header row lacks the columns: Id, E-mail"),
    ("header: column 2 is not a column of the registry format (see docs/registry-csv.md)",
     "Overskriftsraden: kolonne 2 er ikke en kolonne i registerformatet", "Header row: column 2 is not a column of the registry format"),
    ("not a CSV file (save the roll as CSV UTF-8 or as an Excel workbook)",
     "Filen er ikke en CSV-fil. Lagre legelisten som CSV (UTF-8) eller som Excel-arbeidsbok.",
     "The file is not a CSV file. Save the roll as CSV (UTF-8) or as an Excel workbook."),
])
def test_each_problem_in_both_languages(problem, nb, en):
    assert [p.message for p in roll_problems([problem], "nb")] == [nb]
    assert [p.message for p in roll_problems([problem], "en")] == [en]


def test_rows_and_columns_are_kept_for_the_page():
    found = roll_problems(["row 4 column email: not a valid e-mail address", "row 4 column email: not a valid e-mail address"], "nb")
    assert len(found) == 1 and (found[0].row, found[0].column) == (4, "email")
