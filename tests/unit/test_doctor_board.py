"""The doctor's board arranged for a phone (domain.period.doctor_board, board_filters): weeks
and days, filters by kind and weekday, their own shifts apart, refusals with codes, and never a
word about another doctor."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

from domain.period import doctor_board as board_module, rules
from web.i18n import catalogue

from domain.period.board_filters import shift_kinds
from domain.period.doctor_board import doctor_board
from domain.period.rules import ActionKind
from tests.helpers.builders import at_meeting, gp, make_config, opened
from tests.unit.test_rules import accepted, meeting_now

DOCTORS = [gp("gp1"), gp("gp2", qualified=False), gp("gp3"), gp("away", absent=((date(2027, 1, 6), date(2027, 1, 6)),))]


def _round():
    state, cal = opened(make_config(DOCTORS, start=date(2027, 1, 4), days=14))
    state = at_meeting(state, cal)
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp1", "2027-01-04/evening")
    state = accepted(state, cal, ActionKind.MEETING_PICK, "gp3", "2027-01-05/night")
    return state, cal


def _board(doctor: str, **filters):
    state, cal = _round()
    return doctor_board(state, cal, doctor, meeting_now(state), "2027-01", **filters)


def _ids(board, *, blocked: bool) -> list[str]:
    if blocked:
        return [o.shift for w in board.weeks for o in w.blocked]
    return [o.shift for w in board.weeks for d in w.days for o in d.open]


def test_weeks_and_days_in_order_with_stable_anchors():
    board = _board("gp1")
    assert [w.anchor for w in board.weeks] == ["uke-2027-01", "uke-2027-02"]
    assert (board.weeks[0].first, board.weeks[0].last) == (date(2027, 1, 4), date(2027, 1, 10))
    days = [d.day for d in board.weeks[1].days]
    assert days == sorted(days) and days[0] == date(2027, 1, 11)
    saturday = next(d for d in board.weeks[0].days if d.day == date(2027, 1, 9))
    assert [o.name for o in saturday.open] == ["day", "night", "backup-day", "backup"]  # duty first, then backups


def test_own_shifts_apart_and_others_taken_shifts_gone():
    board = _board("gp1")
    assert [s.shift for s in board.held] == ["2027-01-04/evening"]
    everywhere = _ids(board, blocked=False) + _ids(board, blocked=True) + [o.shift for o in board.options]
    assert "2027-01-04/evening" not in everywhere  # their own: never "taken"
    assert "2027-01-05/night" not in everywhere  # another's: simply not there


def test_blocked_shifts_carry_a_code_and_only_this_doctors_own_facts():
    board = _board("gp1")
    blocked = {o.shift: o for w in board.weeks for o in w.blocked}
    overlap = blocked["2027-01-04/backup"]
    assert (overlap.rule, overlap.code, overlap.params["other"]) == ("R-REST-1", "rest_overlap", "2027-01-04/evening")
    assert blocked["2027-01-04/night"].code == "rest_short"
    assert _board("gp2").weeks[0].blocked[0].code == "qual_backup"
    away = {o.shift: o for w in _board("away").weeks for o in w.blocked}
    assert away["2027-01-06/evening"].code == "absent" and away["2027-01-06/evening"].rule == "R-LOT-2"
    for doctor in ("gp1", "gp2", "away"):
        for option in _board(doctor).options:
            said = f"{option.reason} {option.params}"
            assert not any(other in said for other in {"gp1", "gp2", "gp3", "away"} - {doctor}), said


def test_filters_by_kind_and_weekday():
    nights = _board("gp1", kind="night")
    assert _ids(nights, blocked=False) and all(s.endswith("/night") for s in _ids(nights, blocked=False))
    assert all(s.endswith("/night") for s in _ids(nights, blocked=True))
    backups = _ids(_board("gp1", kind="backup"), blocked=False)
    assert {s.split("/")[1] for s in backups} == {"backup", "backup-day"}
    weekend = _board("gp1", kind="weekend")
    assert {date.fromisoformat(s[:10]).weekday() for s in _ids(weekend, blocked=False)} == {5, 6}
    fridays = _board("gp1", day="fri", kind="evening")
    assert _ids(fridays, blocked=False) == ["2027-01-08/evening", "2027-01-15/evening"]
    assert [w.anchor for w in fridays.weeks] == ["uke-2027-01", "uke-2027-02"]  # a week is there, even empty
    odd = _board("gp1", kind="kveld", day="someday")
    assert (odd.kind, odd.day) == (None, None) and _ids(odd, blocked=False) == _ids(_board("gp1"), blocked=False)


def test_weekend_is_the_day_a_shift_starts():
    state, cal = _round()
    assert "weekend" in shift_kinds(cal.by_id["2027-01-10/night"])  # Sunday night into Monday
    assert "weekend" not in shift_kinds(cal.by_id["2027-01-08/night"])  # Friday night into Saturday
    assert shift_kinds(cal.by_id["2027-01-09/backup-day"]) == {"weekend", "backup"}
    assert shift_kinds(cal.by_id["2027-01-05/evening"]) == {"evening"}


def test_every_code_a_page_may_show_has_both_languages():
    """Each refusal code the rules give and each reason for no action is in the catalogue."""
    calls = [n for n in ast.walk(ast.parse(Path(rules.__file__).read_text()))
             if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "_violation" and len(n.args) > 2]
    codes = {n.args[2].value for n in calls if isinstance(n.args[2], ast.Constant)} | {"rest_overlap", "rest_short", "other"}
    assert {"taken", "absent", "qual_backup", "phase_closed"} <= codes
    whys = set(board_module.NO_ACTION) | {"lottery", "closed"}
    for lang in ("nb", "en"):
        assert not [c for c in codes if f"refusal.{c}" not in catalogue(lang)], lang
        assert not [c for c in whys if f"why.{c}" not in catalogue(lang)], lang
