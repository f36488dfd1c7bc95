"""A roll file's problems in the page's language: each bad row named by its row and its column in
words ("Rad 4, kolonne E-post: ikke en gyldig e-postadresse"), never by the value.

The parser (domain.registry.csv_format) says each problem in English, `row N column C: reason`,
`header: …` or about the file; a page translates at the edge, as web/form_errors.py does for forms.
A reason not known here says "ugyldig verdi", never the English text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.registry.csv_format import COLUMNS
from web.i18n import has, text

_ROW = re.compile(r"^row (\d+)(?: column (\w+))?: (.*)$")
_HEADER_UNKNOWN = re.compile(r"^header: column (\d+) is not a column")
_HEADER_REPEAT = re.compile(r"^header: column (\d+) repeats column (\w+)")
_HEADER_MISSING = re.compile(r"^header: missing columns? (.*)$")

# (a piece of the English reason) → reason key; first match wins
_REASONS: tuple[tuple[str, str], ...] = (
    ("missing", "missing"),
    ("Field required", "missing"),
    ("not a date", "date"),
    ("not a whole number", "number"),
    ("e-mail address", "email"),
    ("Norwegian mobile", "mobile"),
    ("duplicate of", "duplicate"),
    ("the same address as", "same_email"),
    ("before the doctor's birth date", "before_birth"),
    ("cells; the header has", "cells"),
    ("Input should be", "choice"),
    ("R-EX-5", "stand_in"),
    ("before joined_on", "left_before_joined"),
    ("'to' is before 'from'", "to_before_from"),
    ("not REASON", "exemption_form"),
    ("not FROM", "range_form"),
    ("not GP-ID", "stand_in_form"),
)
# Whole-file problems, by a piece of the parser's (or app.registry.roll_files') words.
_FILE: tuple[tuple[str, str], ...] = (
    ("the file is empty", "empty"),
    ("no doctors", "no_rows"),
    ("not a CSV", "not_csv"),
    ("not UTF-8", "not_utf8"),
    ("not valid CSV", "not_csv"),
    ("Excel workbook", "not_xlsx"),
    ("no sheet", "not_xlsx"),
    ("unpacks to more", "too_large"),
    ("larger than", "too_large"),
    ("more than", "too_many"),
)


@dataclass(frozen=True)
class RollProblem:
    row: int | None
    column: str | None
    message: str


def column_name(column: str, lang: str) -> str:
    key = f"registry.column.{column}"
    return text(key, lang) if has(key) else column


_OTHER_ROW = re.compile(r"\brow (\d+)\b")


def _reason(reason: str, lang: str) -> str:
    key = next((k for piece, k in _REASONS if piece in reason), "invalid")
    other = _OTHER_ROW.search(reason)
    if key in ("duplicate", "same_email") and other:  # which row it repeats: a row number, no value
        return text(f"registry.reason.{key}_of", lang, row=other[1])
    return text(f"registry.reason.{key}", lang)


def _one(problem: str, lang: str) -> RollProblem:
    if m := _ROW.match(problem):
        row, column, reason = int(m[1]), m[2], m[3]
        if column and column in COLUMNS:
            return RollProblem(row, column, text("registry.problem.row_column", lang, row=row,
                                                 column=column_name(column, lang), reason=_reason(reason, lang)))
        return RollProblem(row, None, text("registry.problem.row", lang, row=row, reason=_reason(reason, lang)))
    if m := _HEADER_UNKNOWN.match(problem):
        return RollProblem(None, None, text("registry.problem.header_unknown", lang, n=m[1]))
    if m := _HEADER_REPEAT.match(problem):
        return RollProblem(None, None, text("registry.problem.header_repeat", lang, n=m[1],
                                            column=column_name(m[2], lang)))
    if m := _HEADER_MISSING.match(problem):
        names = ", ".join(column_name(c.strip(), lang) for c in m[1].split(","))
        return RollProblem(None, None, text("registry.problem.header_missing", lang, columns=names))
    key = next((k for piece, k in _FILE if piece in problem), "unreadable")
    return RollProblem(None, None, text(f"registry.file.{key}", lang))


def roll_problems(problems: list[str], lang: str) -> list[RollProblem]:
    out: list[RollProblem] = []
    for p in problems:
        one = _one(p, lang)
        if one not in out:
            out.append(one)
    return out
