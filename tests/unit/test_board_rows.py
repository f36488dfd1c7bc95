"""The board's kept rows (web/board_rows.py): a row rendered once serves every reader, each with
their own session token and the filters their page keeps, escaped; another language, place or
action is another row."""

from __future__ import annotations

from datetime import date, datetime

from domain.model import OSLO_TZ
from domain.period.doctor_board import ShiftOption
from web import shift_names as names
from web.board_rows import take_rows
from web.i18n import text

OPTION = ShiftOption(shift="2027-01-12/evening", day=date(2027, 1, 12), name="evening", kind="duty",
                     start=datetime(2027, 1, 12, 16, tzinfo=OSLO_TZ), end=datetime(2027, 1, 12, 23, tzinfo=OSLO_TZ),
                     hours=7.0, kinds=["evening"], allowed=True)


def rows(csrf: str, keep: dict[str, str], lang: str = "nb", verb: str = "claim", place: str = "Moss"):
    return take_rows(
        lang=lang, place=place, period="p-1", verb=verb, csrf=csrf, keep=keep,
        name=lambda s: names.shift_name(s.name, s.start, s.end, lang, place),
        short=lambda s: names.shift_short(s.name, s.start, s.end, lang),
        when_at=lambda s: names.shift_when(s.start, lang, place),
        t=lambda key, **params: text(key, lang, **params),
    )


def test_each_reader_gets_their_own_token_and_filters_in_the_kept_row():
    first = str(rows("token-A", {"month": "2027-01"})([OPTION]))
    second = str(rows("token-B", {"kind": "evening", "day": '"><script>'})([OPTION]))
    assert 'name="csrf" value="token-A"' in first and "token-B" not in first
    assert 'name="csrf" value="token-B"' in second and "token-A" not in second
    assert '<input type="hidden" name="month" value="2027-01">' in first and 'name="kind"' not in first
    assert '<input type="hidden" name="kind" value="evening">' in second and "<script>" not in second
    assert "\x00" not in first + second
    for row in (first, second):
        assert 'data-shift="2027-01-12/evening"' in row and 'action="/periods/p-1/act"' in row
        assert 'name="verb" value="claim"' in row and "Kveld tir 12. jan 16–23" in row


def test_another_language_place_or_action_is_another_row():
    nb, en = str(rows("t", {})([OPTION])), str(rows("t", {}, lang="en")([OPTION]))
    assert "Kveld" in nb and "Evening" in en
    assert "Råde" in str(rows("t", {}, place="Råde")([OPTION])) and "Råde" not in nb
    assert 'name="verb" value="pick"' in str(rows("t", {}, verb="pick")([OPTION]))


def test_a_days_rows_come_in_the_order_given():
    night = OPTION.model_copy(update={"shift": "2027-01-12/night", "name": "night",
                                      "start": datetime(2027, 1, 12, 23, tzinfo=OSLO_TZ),
                                      "end": datetime(2027, 1, 13, 8, tzinfo=OSLO_TZ)})
    both = str(rows("t", {})([OPTION, night]))
    assert both.count('<form class="take"') == 2
    assert both.index('data-shift="2027-01-12/evening"') < both.index('data-shift="2027-01-12/night"')
