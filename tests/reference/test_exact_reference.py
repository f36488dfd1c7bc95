"""The lottery against an exact solver (issue 10): coverage and the largest deficit are the optimum.

For every generated district, the lottery's roster must cover as many shifts as the best roster
CP-SAT finds under the same rules (R-PROC-4), and — with that coverage — leave the largest
deficit among the pool's doctors no larger (R-LOT-3); the largest overshoot, the third
objective, likewise. Where the solver proves its answer optimal the lottery must equal it; where
a stage stops at its (deterministic) work limit, the best solution found is a bound the lottery
must meet. Every roster is also replayed against the rulebook (tests/unit/builders).

Corpora (all derandomized or fixed, so a failure reproduces from the printed parameters):
- 200 hypothesis-generated small districts under the default policy (8 h rest, no weights);
- issue 10's hard kind: few GPs, most not qualified, 8-20 weeks, heavy absences, thin meetings;
- policy variants (11 h rest, R-LOAD-2 weights), where the plan search is not always exact: a
  measured floor, so a regression shows (docs/lottery.md, "Limits").
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.reference.districts import HARD_SEEDS, hard_district, outcome_of, small_districts
from tests.reference.exact import Reference, achieved, solve
from tests.helpers.asserts import check_roster_legal, replay_lottery

CORPUS = 200  # default-policy districts checked against the exact optimum
VARIANTS = 40  # policy-variant districts measured against it
SETTINGS = dict(derandomize=True, deadline=None, phases=[Phase.generate], database=None,
                suppress_health_check=[HealthCheck.too_slow])


def run(params: dict, limit: float) -> tuple[tuple, Reference, str]:
    outcome = outcome_of(params)
    before = outcome.before_lottery
    replay_lottery(before, outcome.lottery_events)
    check_roster_legal(outcome.state)
    got = achieved(before, outcome.state)
    ref = solve(before, limit=limit)
    return got, ref, f"district {params}: lottery {got}, reference {ref}"


def assert_optimal(got: tuple, ref: Reference, where: str) -> None:
    covered, deficit, overshoot = got
    # R-PROC-4: nothing left uncovered that a legal roster could cover.
    assert covered == ref.covered if ref.covered_optimal else covered >= ref.covered, where
    if covered != ref.covered or ref.max_deficit is None:
        return
    # R-LOT-3: the largest deficit as small as possible with that coverage; then the overshoot.
    assert deficit == ref.max_deficit if ref.deficit_optimal else deficit <= ref.max_deficit, where
    if deficit == ref.max_deficit:
        assert overshoot == ref.max_overshoot if ref.overshoot_optimal else overshoot <= ref.max_overshoot, where


@settings(max_examples=CORPUS, **SETTINGS)
@given(small_districts())
def test_small_districts_reach_the_exact_optimum(params):
    """Issue 10 / R-PROC-4 / R-LOT-3: coverage, largest deficit and largest overshoot equal the exact
    optimum on 200 generated small districts (6-14 doctors, 2-5 weeks) under the default policy."""
    got, ref, where = run(params, limit=2.0)
    assert_optimal(got, ref, where)


@pytest.mark.parametrize("seed", HARD_SEEDS)
def test_hard_districts_reach_the_exact_optimum(seed):
    """Issue 10's hard kind (few GPs, most not qualified, long periods, heavy absences, thin
    meetings): coverage, largest deficit and largest overshoot equal the exact optimum."""
    got, ref, where = run(hard_district(seed), limit=10.0)
    assert ref.open_shifts >= 100, where  # long enough to be hard
    assert_optimal(got, ref, where)


def test_policy_variants_stay_close_to_the_exact_optimum():
    """11 h rest and weighted points make the plan search miss the optimum now and then. Measured
    on 40 districts: at least 80 % exactly optimal in coverage and largest deficit, never more than
    one shift short in coverage, never better than a proven optimum (that would break a rule)."""
    outcomes: list[tuple[tuple, Reference, str]] = []

    @settings(max_examples=VARIANTS, **SETTINGS)
    @given(small_districts(variants=True))
    def collect(params):
        outcomes.append(run(params, limit=2.0))

    collect()
    assert len(outcomes) == VARIANTS
    exact = 0
    for (covered, deficit, _), ref, where in outcomes:
        assert ref.covered - 1 <= covered, where
        assert covered <= ref.covered or not ref.covered_optimal, where
        if covered == ref.covered and ref.max_deficit is not None:
            assert deficit >= ref.max_deficit or not ref.deficit_optimal, where
        exact += covered == ref.covered and deficit == ref.max_deficit
    assert exact >= 0.8 * VARIANTS, f"{exact} of {VARIANTS} exactly optimal"
    print(f"policy variants: {exact} of {VARIANTS} exactly optimal in coverage and largest deficit")
