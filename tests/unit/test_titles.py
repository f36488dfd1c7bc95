"""Periods and shifts named as people name them (domain/period/titles.py)."""

from __future__ import annotations

from datetime import date, datetime

from domain.model import OSLO_TZ
from domain.period.titles import moment_text, period_title, shift_label, shift_when


def test_half_years_and_whole_years_have_their_names():
    assert period_title(date(2027, 1, 1), date(2027, 6, 30)) == "1. halvår 2027"
    assert period_title(date(2027, 7, 1), date(2027, 12, 31)) == "2. halvår 2027"
    assert period_title(date(2027, 1, 1), date(2027, 6, 30), "en") == "1st half of 2027"
    assert period_title(date(2027, 1, 1), date(2027, 12, 31)) == "Året 2027"


def test_any_other_period_is_its_date_range():
    assert period_title(date(2027, 1, 4), date(2027, 1, 17)) == "4.1.2027–17.1.2027"
    assert period_title(date(2027, 1, 4), date(2027, 1, 17), "en") == "2027-01-04–2027-01-17"
    assert period_title(date(2027, 1, 1), date(2027, 7, 1)) == "1.1.2027–1.7.2027"
    assert period_title(date(2027, 1, 1), date(2027, 6, 30), "xx") == "1. halvår 2027"  # unknown: Norwegian


def test_shifts_and_deadlines_in_words_in_oslo_time():
    start, end = datetime(2027, 1, 7, 16, tzinfo=OSLO_TZ), datetime(2027, 1, 7, 23, tzinfo=OSLO_TZ)
    assert shift_label("evening", start, end) == "Kveld 16–23"
    assert shift_label("evening", start, end, "en") == "Evening 16–23"
    assert shift_label("ettermiddag", start, end.replace(minute=30)) == "ettermiddag 16–23:30"
    assert shift_when("evening", start, end) == "tor 7.1 Kveld 16–23"
    assert moment_text(datetime(2027, 1, 7, 11, 0, tzinfo=OSLO_TZ)) == "tor 7.1 kl 11:00"
    assert moment_text(datetime(2027, 1, 7, 11, 0, tzinfo=OSLO_TZ), "en") == "Thu 7.1 at 11:00"
