"""Property tests (hypothesis): random small districts and periods across 2027 (DST nights
included), random legal and illegal actions, driven through the pure process to publication.

Checked on every run, against an independent oracle (tests/helpers/builders.py):
- R-PROC-4: every shift exactly once in assignments or uncovered; uncovered only when no one could.
- R-LOT-1/R-LOT-2: each recorded pool is exactly the rulebook's pool; no draw of an exempt, absent,
  staff or non-standing-in doctor, backups only to qualified, no overlap, minimum rest.
- R-LOT-3: the drawn doctor has the largest deficit in the pool; no one at/above quota drawn while a
  pool member below it existed.  R-LOT-4: the tie formula; same inputs + seed -> same events.
- R-QUAL-2/R-QUAL-3/R-REST-1 for assignments from ANY source; R-PROC-7: rejections change nothing.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from domain.period.calendar import covers
from domain.model import ShiftKind
from domain.period.roster import roster_document
from domain.period.state import fold
from tests.helpers.strategies import Case, cases
from tests.helpers.asserts import check_roster_legal, every_shift_once, replay_lottery
from tests.helpers.builders import drive
from tests.helpers.oracle import oracle_qualified, oracle_shifts

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(case: Case):
    return drive(
        case.config,
        staff_entries=case.staff_entries,
        advance=case.advance,
        picks=case.picks,
        claims=case.claims,
        seed=case.seed,
        late_advance=case.late_advance,
    )


@SETTINGS
@given(cases())
def test_property_period_to_publication(case: Case):
    """R-PROC-4, R-LOT-1..4, R-QUAL-2, R-QUAL-3, R-REST-1, R-PROC-7 on random periods."""
    outcome = run(case)
    state = outcome.state
    assert state.phase.value == "published"
    # R-PROC-7: a rejected action changes nothing.
    assert outcome.mutated_on_reject == []
    assert all(v.rule.startswith("R-") and v.message for *_, v in outcome.rejected)
    # R-PROC-4: every shift exactly once.
    every_shift_once(roster_document(state, outcome.calendar), outcome.calendar)
    # R-LOT-1..4 replayed from the record.
    replay_lottery(outcome.before_lottery, outcome.lottery_events)
    # R-QUAL-2 / R-QUAL-3 / R-REST-1 / absences for every assignment, whatever its source.
    check_roster_legal(state)
    # The fold of all events is the final state.
    assert fold(outcome.events) == state


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_property_same_inputs_and_seed_same_events(case: Case):
    """R-LOT-4: the same inputs and seed give identical event lists."""
    first, second = run(case), run(case)
    assert first.events == second.events
    assert [e.model_dump(mode="json") for e in first.events] == [e.model_dump(mode="json") for e in second.events]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_property_unsafe_matches_rulebook(case: Case):
    """R-QUAL-3: published `unsafe` is exactly the not-qualified duty shifts whose time the held
    backups do not cover."""
    outcome = run(case)
    state, config = outcome.state, outcome.config
    shifts = oracle_shifts(config)
    cal = outcome.calendar
    expected = []
    for sid, a in state.assignments.items():
        s = shifts[sid]
        if s.kind is not ShiftKind.DUTY:
            continue
        if oracle_qualified(config.doctor(a.doctor).qualification, s.day, config.district.policy):
            continue
        held = [cal.by_id[b] for b in state.assignments if shifts[b].kind is ShiftKind.BACKUP]
        if not covers([b for b in held if b.start < cal.by_id[sid].end and cal.by_id[sid].start < b.end],
                      cal.by_id[sid].start, cal.by_id[sid].end):
            expected.append(sid)
    assert sorted(state.unsafe) == sorted(expected)
