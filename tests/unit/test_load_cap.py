"""R-LOAD-3: a district's weekly cap — at most N shifts in any 7 consecutive days per doctor.

The lottery keeps it and draws beyond it only what nothing else could cover (each such draw
marked); voluntary picks, claims and swaps beyond it are allowed, and flagged on the doctor's
board and on the fairness report (`vakt explain`, the roster's fairness data).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from domain.lottery.explain import explain_doctor
from domain.period.doctor_board import doctor_board
from domain.model import OSLO_TZ, Phase
from domain.period.events import LotteryDrawn, PhaseClosed, ShiftLeftUncovered
from domain.period.state import fold
from domain.period.load_cap import breached, excesses
from domain.period.roster import roster_document
from domain.period.state import lottery_draws
from tests.helpers.asserts import check_roster_legal, replay_lottery
from tests.helpers.builders import drive_scenario
from tools.district_generator import generate_district

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example-scenario.json"


def test_a_window_is_seven_consecutive_days_and_only_windows_with_a_draw_count():
    assert breached([], [0, 6], 1) and not breached([], [0, 7], 1)
    assert not breached([0, 1, 2], [20], 1)  # volunteered beyond the cap one week, drawn another
    assert breached([0, 1], [5], 2) and not breached([0, 1], [8], 2)
    assert [(w.first_day, w.shifts) for w in excesses([date(2027, 1, 1), date(2027, 1, 7), date(2027, 1, 20)], 1)] == [
        (date(2027, 1, 1), 2)]
    assert excesses([date(2027, 1, 1), date(2027, 1, 2)], None) == []


def _example(cap: int) -> dict:
    doc = json.loads(EXAMPLE.read_text())
    doc["district"]["policy"]["max_shifts_per_week"] = cap
    return doc


def test_the_lottery_keeps_the_cap_and_draws_beyond_it_only_what_nothing_else_covers():
    """R-LOAD-3: a small district with a cap of one a week cannot cover everything within it. The
    draws within the cap come first and keep it; the rest is drawn beyond it, each draw marked,
    and no shift is left uncovered that a draw beyond the cap could cover (R-PROC-4)."""
    doc = generate_district(doctors=6, days=21, seed=7)
    doc["district"].setdefault("policy", {})["max_shifts_per_week"] = 1
    outcome = drive_scenario(doc)
    replay_lottery(outcome.before_lottery, outcome.lottery_events)  # pools within the cap, independently
    check_roster_legal(outcome.state)
    draws = [e for e in outcome.lottery_events if isinstance(e, LotteryDrawn)]
    within = [d for d in draws if not d.beyond_cap]
    beyond = [d for d in draws if d.beyond_cap]
    assert within and beyond
    assert [d.draw for d in draws] == list(range(1, len(draws) + 1))
    uncapped = generate_district(doctors=6, days=21, seed=7)
    plain = drive_scenario(uncapped)
    left = [e for e in outcome.lottery_events if isinstance(e, ShiftLeftUncovered)]
    assert len(left) == sum(isinstance(e, ShiftLeftUncovered) for e in plain.lottery_events)
    calendar = outcome.calendar
    # The fairness report flags each doctor drawn beyond the cap.
    report = roster_document(outcome.state, calendar, lottery_draws(outcome.events))
    assert report["fairness"]["cap"] == 1
    flagged = set(report["fairness"]["over_cap"])
    assert {d.doctor for d in beyond} <= flagged
    assert all(d.get("beyond_cap") for d in report["lottery"]["draws"] if d["draw"] in {b.draw for b in beyond})
    text = explain_doctor(outcome.events, beyond[0].doctor).text()
    assert "Weekly cap (R-LOAD-3)" in text and f"draw #{beyond[0].draw}" in text and "beyond the cap" in text


def test_a_voluntary_pick_above_the_cap_is_allowed_and_flagged():
    """R-LOAD-3: gp09 picks nights on 8 and 12 January at the meeting — two in one week with a cap
    of one. Both are accepted; the board shows the week, the fairness report and explain flag it."""
    capped = drive_scenario(_example(1))
    assert capped.state.assignments["2027-01-08/night"].doctor == "gp09"
    assert capped.state.assignments["2027-01-12/evening"].doctor == "gp09"
    assert not [r for r in capped.rejected if r[1] == "gp09"]
    board = doctor_board(capped.state, capped.calendar, "gp09", datetime(2027, 1, 1, 12, 0).astimezone())
    assert board.over_cap and board.over_cap[0].code == "board.over_cap" and board.over_cap[0].cap == 1
    assert board.over_cap[0].first <= date(2027, 1, 8) <= board.over_cap[0].last
    fairness = roster_document(capped.state, capped.calendar)["fairness"]
    assert any("meeting" in w["sources"] for w in fairness["over_cap"]["gp09"])
    assert "Above the cap" in explain_doctor(capped.events, "gp09").text()
    # Without the cap the same roster says nothing of it.
    plain = drive_scenario(json.loads(EXAMPLE.read_text()))
    assert "over_cap" not in roster_document(plain.state, plain.calendar)["fairness"]


def test_an_option_that_would_pass_the_cap_is_offered_with_a_warning():
    """R-LOAD-3: in the offering, every shift within a week of gp09's two picks is still allowed
    to gp09 — flagged `over_cap`, never refused; a doctor holding nothing sees no flag."""
    outcome = drive_scenario(_example(1))
    opened = next(i for i, e in enumerate(outcome.events)
                  if isinstance(e, PhaseClosed) and e.next_phase is Phase.OFFERING)
    state = fold(outcome.events[: opened + 1])
    now = datetime(2026, 12, 5, 12, 0, tzinfo=OSLO_TZ)
    board = doctor_board(state, outcome.calendar, "gp09", now)
    allowed = [o for o in board.options if o.allowed]
    assert allowed and all(o.over_cap for o in allowed)
    idle = next(d.id for d in outcome.config.doctors if not state.held_by(d.id) and d.role.value == "gp")
    other = doctor_board(state, outcome.calendar, idle, now)
    assert [o for o in other.options if o.allowed] and not any(o.over_cap for o in other.options)


def _breached_by_marks(fixed, drawn, cap):
    """The general count of domain.period.load_cap.breached, written out once more."""
    if len(fixed) + len(drawn) <= cap or not drawn:
        return False
    days = sorted([(d, 0) for d in fixed] + [(d, 1) for d in drawn])
    marks = [0]
    for _, m in days:
        marks.append(marks[-1] + m)
    return any(days[i + cap][0] - days[i][0] < 7 and marks[i + cap + 1] > marks[i] for i in range(len(days) - cap))


@given(st.lists(st.integers(0, 40), max_size=4), st.lists(st.integers(0, 40), max_size=12), st.integers(1, 3))
def test_r_load_3_breached_agrees_with_the_general_count_on_every_path(fixed, drawn, cap):
    """R-LOAD-3: the fast path for draws alone (no shift held before) answers as the general
    count does — a lottery is verified by recomputing it, so every path must agree."""
    assert breached([], drawn, cap) == _breached_by_marks([], drawn, cap)
    assert breached(fixed, drawn, cap) == _breached_by_marks(fixed, drawn, cap)
