"""`vakt explain`'s lottery lines: why a doctor was drawn, passed over, tied or outranked — read from
the recorded draws (R-LOT-3, R-LOT-4, R-PROC-4), naming doctor ids and rules only."""

from __future__ import annotations

from datetime import date

from domain.period.events import LotteryDrawn
from domain.lottery.explain import explain_doctor
from domain.model import ShiftKind, ShiftTemplate
from tests.helpers.builders import DUTY_ONLY_TEMPLATE, drive, gp, make_config

SAT = date(2027, 1, 9)
EVENING_ONLY = (ShiftTemplate(name="evening", kind=ShiftKind.DUTY, days=("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
                              start="16:00", end="23:00"),)


def _section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    out = []
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        out.append(line.strip())
    return out


def test_explain_names_the_coverage_reason_for_a_passed_over_doctor():
    """R-PROC-4: A was passed over for Saturday's day shift because the night needed A."""
    outcome = drive(make_config([gp("A"), gp("B")], start=SAT, days=2, template=DUTY_ONLY_TEMPLATE),
                    picks=[("B", "2027-01-10/day")], seed=1)
    lottery = _section(explain_doctor(outcome.events, "A").text(), "Lottery")
    assert "In the pool for 3 of 3 draws; drawn 2 times." in lottery
    assert any(line.startswith("draw #1 2027-01-09/day: load 0, quota 2, deficit 2 (largest in pool 2) → passed over "
                               "(R-PROC-4): 2027-01-09/night would be left uncovered; B was drawn") for line in lottery)
    held = _section(explain_doctor(outcome.events, "B").text(), "Shifts held")
    assert any("draw #1: 2 doctors could legally take it; A passed over first (R-PROC-4: 2027-01-09/night would be "
               "left uncovered); B had the largest deficit (1) of the rest (R-LOT-3)" in line for line in held)


def test_explain_counts_the_draws_a_doctor_was_outranked_in():
    """R-LOT-3: draws where someone further below the quota was drawn are counted, not listed."""
    outcome = drive(make_config([gp("A"), gp("B"), gp("C")], days=6, template=EVENING_ONLY), picks=[("C", "2027-01-04/evening")],
                    seed=3)
    lottery = _section(explain_doctor(outcome.events, "C").text(), "Lottery")
    assert lottery[0].startswith("In the lottery pool: gave 1 wishes")
    # C gave a wish: in the pool until drawn up to the quota of 2 (R-LOT-1 b), then out.
    draws = [e for e in outcome.events if isinstance(e, LotteryDrawn)]
    c = sorted(d.id for d in outcome.config.doctors).index("C")
    member = [d for d in draws if d.pool.has(c)]
    tied = [d for d in member if d.doctor != "C" and d.tied.has(c)]
    outranked = len(member) - len(tied) - 1
    assert outranked >= 1
    assert lottery[1] == f"In the pool for {len(member)} of 5 draws; drawn 1 time."
    assert lottery[2] == (f"In {outranked} other draw{'s' if outranked != 1 else ''} someone further below the quota "
                          "was drawn (R-LOT-3).")
    assert len(lottery) == 3 + 1 + len(tied)  # one line per draw C was drawn or tied in


def test_explain_shows_a_carried_balance():
    """R-LOAD-1: the explanation states what the doctor carried in and how the lottery uses it."""
    from domain.lottery.explain import explain_doctor
    from tests.helpers.builders import drive, gp, make_config

    carried = gp("gp1").model_copy(update={"carried": 2.0})
    outcome = drive(make_config([carried, gp("gp2"), gp("gp3")], days=3), seed=4)
    text = explain_doctor(outcome.events, "gp1").text()
    assert "Carried balance from the district's earlier periods (R-LOAD-1): +2 shifts" in text
    assert "Carried balance" not in explain_doctor(outcome.events, "gp2").text()
