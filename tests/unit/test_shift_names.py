"""Shifts in words (web.shift_names): Norwegian first, English alike, the Europe/Oslo wall clock
the rota is written in — also on the two DST nights."""

from __future__ import annotations

from datetime import date, datetime

from domain.model import OSLO_TZ, ShiftKind, ShiftTemplate
from domain.period.shifts import shift_for
from web.shift_names import deadline_when, shift_name, shift_short, standing, week_heading

NIGHT = ShiftTemplate(name="night", kind=ShiftKind.DUTY, days=("sat", "sun"), start="23:00", end="08:00")
EVENING = ShiftTemplate(name="evening", kind=ShiftKind.DUTY, days=("fri",), start="16:00", end="23:00")


def _name(template, day, lang, place="Moss"):
    shift = shift_for(template, day, OSLO_TZ)
    return shift_name(shift.name, shift.start, shift.end, lang, place), shift


def test_a_shift_by_name_in_both_languages():
    assert _name(EVENING, date(2027, 1, 1), "nb")[0] == "Kveld fre 1. jan 16–23, Moss"
    assert _name(EVENING, date(2027, 1, 1), "en")[0] == "Evening Fri 1 Jan 16–23, Moss"
    shift = shift_for(EVENING, date(2027, 1, 1), OSLO_TZ)
    assert shift_short(shift.name, shift.start, shift.end, "nb") == "Kveld 16–23"
    assert shift_name(shift.name, shift.start, shift.end, "nb") == "Kveld fre 1. jan 16–23"  # no place
    odd = ShiftTemplate(name="legevakt-a", kind=ShiftKind.DUTY, days=("fri",), start="08:30", end="15:45")
    assert _name(odd, date(2027, 1, 1), "nb")[0] == "legevakt-a fre 1. jan 08.30–15.45, Moss"
    assert _name(odd, date(2027, 1, 1), "en", "Rygge")[0] == "legevakt-a Fri 1 Jan 08:30–15:45, Rygge"


def test_the_dst_nights_read_as_the_rota_reads():
    """Summer time starts on Sunday 28 March 2027 at 02:00 and ends on Sunday 31 October at 03:00:
    the nights into those Sundays are 8 h and 10 h long, and still read 23–08."""
    spring, short = _name(NIGHT, date(2027, 3, 27), "nb")
    autumn, long = _name(NIGHT, date(2027, 10, 30), "nb")
    assert spring == "Natt lør 27. mar 23–08, Moss" and short.hours == 8
    assert autumn == "Natt lør 30. okt 23–08, Moss" and long.hours == 10
    after, usual = _name(NIGHT, date(2027, 3, 28), "nb")
    assert after == "Natt søn 28. mar 23–08, Moss" and usual.hours == 9
    assert _name(NIGHT, date(2027, 10, 31), "en")[0] == "Night Sun 31 Oct 23–08, Moss"


def test_where_the_doctor_stands_in_one_line():
    due = datetime(2026, 12, 8, 12, 0, tzinfo=OSLO_TZ)
    assert standing(2, 12, due, "nb") == "Du har 2 av 12 vakter – frist tirsdag 8.12 kl 12"
    assert standing(2, 12, due, "en") == "You have 2 of 12 shifts – deadline Tuesday 8 Dec at 12:00"
    assert standing(0, None, None, "nb") == "Du har 0 vakter"
    assert deadline_when(datetime(2026, 12, 8, 11, 30, tzinfo=OSLO_TZ), "nb") == "tirsdag 8.12 kl 11.30"
    assert deadline_when(datetime(2026, 12, 7, 1, 1, tzinfo=OSLO_TZ), "en") == "Monday 7 Dec at 01:01"


def test_week_headings():
    assert week_heading(1, date(2027, 1, 4), date(2027, 1, 10), "nb") == "Uke 1 · 4.–10. jan"
    assert week_heading(1, date(2027, 1, 4), date(2027, 1, 10), "en") == "Week 1 · 4–10 Jan"
    assert week_heading(5, date(2027, 1, 31), date(2027, 2, 6), "nb") == "Uke 5 · 31. jan–6. feb"
