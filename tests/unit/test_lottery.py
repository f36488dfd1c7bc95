"""Phase C, the lottery: R-LOT-1 pool, R-LOT-2 exclusions, R-LOT-3 fairness, R-LOT-4 reproducibility,
R-EX-5 stand-ins, R-PROC-4 uncovered shifts. Optimality against an exact solver: tests/reference."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from domain.period.events import LotteryDrawn, LotteryStarted, RosterPublished, ShiftLeftUncovered
from domain.lottery.phase import draw_lottery, exclusion, in_lottery_pool, tie_index
from domain.model import MeetingAttendance, ShiftKind, ShiftTemplate
from domain.period.process import run_lottery
from domain.period.roster import roster_document
from domain.period.state import fold
from tests.helpers.builders import (
    DUTY_ONLY_TEMPLATE,
    Outcome,
    drive,
    drive_scenario,
    gp,
    make_config,
    staff,
    substitute,
)
from tests.helpers.asserts import check_roster_legal, every_shift_once, replay_lottery
from tests.helpers.oracle import decode, expected_tie_index

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example-scenario.json"
MON = date(2027, 1, 4)
SAT = date(2027, 1, 9)
EVENING_ONLY = (ShiftTemplate(name="evening", kind=ShiftKind.DUTY, days=("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
                              start="16:00", end="23:00"),)


def draws(outcome: Outcome) -> list[LotteryDrawn]:
    return [e for e in outcome.lottery_events if isinstance(e, LotteryDrawn)]


def uncovered(outcome: Outcome) -> list[ShiftLeftUncovered]:
    return [e for e in outcome.lottery_events if isinstance(e, ShiftLeftUncovered)]


def ids_of(outcome: Outcome) -> list[str]:
    return sorted(d.id for d in outcome.config.doctors)


def pool_of(outcome: Outcome, event) -> list[str]:
    return decode(event.pool, ids_of(outcome))


def passed_of(outcome: Outcome, event) -> dict[str, tuple[str, str]]:
    return {d: (g.rule, g.why) for g in event.passed for d in decode(g.doctors, ids_of(outcome))}


def pool_check(outcome: Outcome, doctor_id: str, shift_id: str):
    """exclusion() for `doctor_id` on `shift_id` against the state the lottery starts from."""
    state = outcome.before_lottery
    config = state.config
    held = [outcome.calendar.by_id[s] for s in state.held_by(doctor_id)]
    load = float(len(held))
    return exclusion(
        config, outcome.calendar, state, config.doctor(doctor_id), outcome.calendar.by_id[shift_id], state.quota, load, held
    )


# ------------------------------------------------------------------------------------------ R-LOT-1
@pytest.fixture(scope="module")
def pool_outcome() -> Outcome:
    doctors = [
        gp("none"),  # no wishes, attended -> (a)
        gp("absent_none", meeting=MeetingAttendance.VALID_ABSENCE),  # valid absence, no wishes -> out
        gp("few"),  # one pick, below quota -> (b)
        gp("full"),  # picks reaching the quota -> out
        gp("absent_few", meeting=MeetingAttendance.VALID_ABSENCE),  # advance wish below quota -> (b)
        gp("unexcused", meeting=MeetingAttendance.UNEXCUSED),  # no valid absence, no wishes -> (a)
    ]
    # 23 shifts / 6 GPs -> quota 4.
    return drive(
        make_config(doctors),
        advance=[("absent_few", "2027-01-05/evening")],
        picks=[
            ("few", "2027-01-04/evening"),
            ("full", "2027-01-06/evening"),
            ("full", "2027-01-07/evening"),
            ("full", "2027-01-08/evening"),
            ("full", "2027-01-09/day"),
        ],
        seed=11,
    )


@pytest.mark.parametrize(
    ("doctor", "in_pool"),
    [("none", True), ("absent_none", False), ("few", True), ("full", False), ("absent_few", True), ("unexcused", True)],
)
def test_r_lot_1_pool_membership(pool_outcome, doctor, in_pool):
    """R-LOT-1: no wishes & no valid absence -> in; valid absence & no wishes -> out;
    gave wishes & below quota -> in; reached the quota -> out."""
    state = pool_outcome.before_lottery
    assert state.quota.base == 4
    assert pool_outcome.rejected == []
    config = state.config
    shift = pool_outcome.calendar.by_id["2027-01-10/night"]
    load = float(len(state.held_by(doctor)))
    reason = in_lottery_pool(config, state, config.doctor(doctor), shift, state.quota, load)
    assert (reason is None) is in_pool, reason
    in_any = any(doctor in pool_of(pool_outcome, d) for d in draws(pool_outcome))
    assert in_any is in_pool


def test_r_lot_1_doctor_with_wishes_leaves_pool_on_reaching_quota(pool_outcome):
    """R-LOT-1 (b): a doctor who gave wishes is drawn only up to the quota."""
    state = pool_outcome.state
    for doctor in ("few", "absent_few"):
        assert len(state.held_by(doctor)) <= state.quota.of(doctor)
    replay_lottery(pool_outcome.before_lottery, pool_outcome.lottery_events)


# ------------------------------------------------------------------------------------------ R-LOT-2
@pytest.fixture(scope="module")
def excluded_outcome() -> Outcome:
    doctors = [
        gp("gp1"),
        gp("gp2"),
        gp("gp3"),
        gp("weak", qualified=False),
        gp("exempt", exempt=((date(2026, 1, 1), None),)),
        gp("part_exempt", exempt=((date(2027, 1, 8), date(2027, 1, 10)),)),
        gp("away", absent=((date(2027, 1, 6), date(2027, 1, 8)),)),
        substitute("sub"),
        staff("st1"),
    ]
    return drive(make_config(doctors, days=14), staff_entries=[("st1", "2027-01-04/night")], seed=3)


def test_r_lot_2_never_drawn(excluded_outcome):
    """R-LOT-2: exempt (R-EX-4), absent, staff, non-standing-in substitute, backup to not-qualified:
    never in a pool, never drawn."""
    by_shift = {s.id: s for s in excluded_outcome.calendar.shifts}
    for d in draws(excluded_outcome):
        shift = by_shift[d.shift]
        pool = set(pool_of(excluded_outcome, d))
        assert not {"exempt", "sub", "st1"} & pool, d
        if date(2027, 1, 8) <= shift.day <= date(2027, 1, 10):
            assert "part_exempt" not in pool, d
        if date(2027, 1, 6) <= shift.day <= date(2027, 1, 8):
            assert "away" not in pool, d
        if shift.kind is ShiftKind.BACKUP:
            assert "weak" not in pool, d
    drawn = {d.doctor for d in draws(excluded_outcome)}
    assert {"part_exempt", "away", "weak"} <= drawn  # they are drawn on other dates/shifts
    check_roster_legal(excluded_outcome.state)
    replay_lottery(excluded_outcome.before_lottery, excluded_outcome.lottery_events)


@pytest.mark.parametrize(
    ("doctor", "shift", "rule"),
    [
        ("exempt", "2027-01-05/evening", "R-EX-4"),
        ("part_exempt", "2027-01-09/day", "R-EX-4"),
        ("part_exempt", "2027-01-11/evening", None),
        ("away", "2027-01-07/evening", "R-LOT-2"),
        ("away", "2027-01-09/day", None),
        ("weak", "2027-01-05/backup", "R-QUAL-2"),
        ("weak", "2027-01-05/evening", None),  # R-QUAL-3: the backup template covers it
        ("gp1", "2027-01-05/backup", None),
    ],
)
def test_r_lot_2_exclusion_rule(excluded_outcome, doctor, shift, rule):
    """R-LOT-2 / R-EX-4 / R-QUAL-2: exclusion names the rule that keeps a doctor out of a draw."""
    assert pool_check(excluded_outcome, doctor, shift) == rule


@pytest.mark.parametrize("doctor", ["st1", "sub"])
def test_r_lot_2_staff_and_substitutes_excluded(excluded_outcome, doctor):
    """R-LOT-2: staff doctors and substitutes not standing in are never in the lottery pool."""
    assert pool_check(excluded_outcome, doctor, "2027-01-05/evening") is not None


def test_r_lot_2_rest_and_overlap_exclude():
    """R-LOT-2 / R-REST-1: a doctor holding a shift is not drawn for an overlapping or too-close one."""
    outcome = drive(make_config([gp("gp1"), gp("gp2"), gp("gp3")]), picks=[("gp1", "2027-01-09/day")], seed=5)
    assert pool_check(outcome, "gp1", "2027-01-09/backup-day") == "R-REST-1"  # overlap
    assert pool_check(outcome, "gp1", "2027-01-09/night") == "R-REST-1"  # 7 h
    assert pool_check(outcome, "gp1", "2027-01-08/night") == "R-REST-1"  # 0 h
    assert pool_check(outcome, "gp1", "2027-01-10/day") is None  # 16 h
    for d in draws(outcome):
        if d.shift in ("2027-01-09/backup-day", "2027-01-09/night", "2027-01-08/night"):
            assert "gp1" not in pool_of(outcome, d)
    check_roster_legal(outcome.state)


def test_r_lot_2_back_to_back_policy_never_applies_to_draws():
    """R-REST-1: the back-to-back policy lifts the rest minimum for voluntary picks only, not draws."""
    from domain.model import Policy

    outcome = drive(make_config([gp("gp1"), gp("gp2"), gp("gp3")], policy=Policy(allow_back_to_back=True)),
                    picks=[("gp1", "2027-01-09/day")], seed=5)
    assert pool_check(outcome, "gp1", "2027-01-09/night") == "R-REST-1"
    check_roster_legal(outcome.state)
    replay_lottery(outcome.before_lottery, outcome.lottery_events)


# ------------------------------------------------------------------------------------------- R-EX-5
def test_r_ex_5_stand_in_drawn_instead_of_the_gp():
    """R-EX-5: on the stand-in dates the substitute is in the pool and the GP is not; elsewhere the
    reverse."""
    first, last = date(2027, 1, 8), date(2027, 1, 11)
    doctors = [gp("gp1"), gp("gp2"), gp("gp3"), substitute("sub", stands_in=("gp3", first, last)), substitute("free")]
    outcome = drive(make_config(doctors, days=14), seed=9)
    days = {s.id: s.day for s in outcome.calendar.shifts}
    sub_drawn = 0
    for d in draws(outcome):
        pool = pool_of(outcome, d)
        standing = first <= days[d.shift] <= last
        if standing:
            assert "gp3" not in pool, d
        else:
            assert "sub" not in pool, d
        assert "free" not in pool
        sub_drawn += d.doctor == "sub"
    assert sub_drawn > 0
    assert outcome.state.quota.of("sub") > 0
    for sid, a in outcome.state.assignments.items():
        if a.doctor == "sub":
            assert first <= days[sid] <= last
        if a.doctor == "gp3":
            assert not first <= days[sid] <= last
    replay_lottery(outcome.before_lottery, outcome.lottery_events)


# ------------------------------------------------------------------------------------------ R-LOT-3
def test_r_lot_3_largest_deficit_drawn_replayed_on_example():
    """R-LOT-3: replaying the example scenario's draws, each drawn doctor had the largest deficit
    among the candidates not passed over, and the pool is exactly the rulebook's."""
    outcome = drive_scenario(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert draws(outcome)
    replay_lottery(outcome.before_lottery, outcome.lottery_events)
    check_roster_legal(outcome.state)


@pytest.mark.parametrize("seed", [1, 2, 3, 20270104])
def test_r_lot_3_replay_various_seeds(seed):
    """R-LOT-3 / R-LOT-4: the replay holds for every seed."""
    outcome = drive_scenario(json.loads(EXAMPLE.read_text(encoding="utf-8")), seed=seed)
    replay_lottery(outcome.before_lottery, outcome.lottery_events)


def test_r_lot_3_further_below_quota_drawn_first():
    """R-LOT-3: with gp1 and gp3 eight shifts below the quota and gp2 two, the first draw goes to
    gp1 or gp3, and nobody at or above the quota is drawn while a pool member below it could take
    the shift, unless that member was passed over with a reason."""
    picks = [("gp2", f"2027-01-0{d}/evening") for d in (4, 5, 6, 7, 8)] + [("gp2", "2027-01-10/day")]
    outcome = drive(make_config([gp("gp1"), gp("gp2"), gp("gp3", meeting=MeetingAttendance.UNEXCUSED)]),
                    picks=picks, seed=1)
    quota = outcome.before_lottery.quota
    assert quota.base == 8
    first = draws(outcome)[0]
    assert first.passed == [] and first.deficit == first.levels[0].deficit == 8
    assert first.doctor in ("gp1", "gp3")
    for d in draws(outcome):
        if d.deficit <= 0:
            below = [lv for lv in d.levels if lv.deficit > 0]
            passed = passed_of(outcome, d)
            assert all(m in passed for lv in below for m in decode(lv.doctors, ids_of(outcome))), d
    loads = {doc: len(outcome.state.held_by(doc)) for doc in ("gp1", "gp2", "gp3")}
    assert max(loads.values()) - min(loads.values()) <= 1, loads
    replay_lottery(outcome.before_lottery, outcome.lottery_events)


def test_r_lot_3_deficits_are_quota_minus_load():
    """R-LOT-3: the recorded levels are quota minus current load, largest first."""
    outcome = drive(make_config([gp("gp1"), gp("gp2"), gp("gp3")]), picks=[("gp1", "2027-01-04/evening")], seed=4)
    first = draws(outcome)[0]
    q = outcome.before_lottery.quota
    assert first.shift == "2027-01-04/backup"  # time order: 16:00, then by id
    assert [lv.deficit for lv in first.levels] == [q.of("gp2")]
    assert decode(first.tied, ids_of(outcome)) == ["gp2", "gp3"]  # gp1 (deficit one less) is below


def test_r_lot_3_fairest_outcome_passes_over_for_the_largest_deficit():
    """Fairness: B is away the last two days, so only the first two evenings can be B's.
    The plain draw (largest deficit first) would split them and leave B one below the quota; the
    lottery draws B for both, passing over A with the reason (R-LOT-3)."""
    away = ((date(2027, 1, 6), date(2027, 1, 7)),)
    for seed in range(6):
        outcome = drive(make_config([gp("A"), gp("B", absent=away)], days=4, template=EVENING_ONLY), seed=seed)
        state = outcome.state
        assert state.quota.base == 2
        assert sorted(state.held_by("B")) == ["2027-01-04/evening", "2027-01-05/evening"]
        assert sorted(state.held_by("A")) == ["2027-01-06/evening", "2027-01-07/evening"]
        second = draws(outcome)[1]
        assert second.doctor == "B" and passed_of(outcome, second) == {
            "A": ("R-LOT-3", "B would end more than 0 below the quota, the best reachable")}
        replay_lottery(outcome.before_lottery, outcome.lottery_events)


# ------------------------------------------------------------------------------------------ R-PROC-4
def test_r_proc_4_covers_what_the_plain_draw_would_leave_uncovered():
    """Coverage (R-PROC-4): B picked Sunday's day shift, so only A can take Saturday's
    night. The plain draw would give A (further below the quota) Saturday's day shift, which
    leaves too little rest before that night, and the night uncovered. The lottery passes A over
    for the day shift, naming the night, and covers every shift."""
    outcome = drive(make_config([gp("A"), gp("B")], start=SAT, days=2, template=DUTY_ONLY_TEMPLATE),
                    picks=[("B", "2027-01-10/day")], seed=1)
    assert uncovered(outcome) == []
    day = draws(outcome)[0]
    assert (day.shift, day.doctor) == ("2027-01-09/day", "B")
    assert passed_of(outcome, day) == {"A": ("R-PROC-4", "2027-01-09/night would be left uncovered")}
    assert outcome.state.assignments["2027-01-09/night"].doctor == "A"
    assert outcome.state.assignments["2027-01-10/night"].doctor == "A"
    replay_lottery(outcome.before_lottery, outcome.lottery_events)
    check_roster_legal(outcome.state)


def test_r_proc_4_backup_without_qualified_doctor_uncovered():
    """R-PROC-4: a backup no qualified doctor can take is reported uncovered, rule and reason given."""
    outcome = drive(make_config([gp("w1", qualified=False), gp("w2", qualified=False), gp("w3", qualified=False)],
                                days=3), seed=2)
    left = uncovered(outcome)
    assert {u.shift for u in left} >= {"2027-01-04/backup", "2027-01-05/backup", "2027-01-06/backup"}
    for u in left:
        assert u.rule == "R-PROC-4" and u.reason
        if u.shift.endswith("/backup"):
            assert "independently qualified" in u.reason
            assert "R-QUAL-2" in u.reason
    every_shift_once(roster_document(outcome.state, outcome.calendar), outcome.calendar)


def test_r_proc_4_duty_without_backup_for_not_qualified_uncovered():
    """R-PROC-4 with R-QUAL-3: not-qualified doctors and no backups in the template: all uncovered."""
    outcome = drive(make_config([gp("w1", qualified=False), gp("w2", qualified=False)], days=2,
                                template=DUTY_ONLY_TEMPLATE), seed=2)
    assert draws(outcome) == []
    assert {u.shift for u in uncovered(outcome)} == {s.id for s in outcome.calendar.shifts}
    assert all("2 × R-QUAL-3" in u.reason for u in uncovered(outcome))


def test_r_proc_4_everyone_absent_uncovered():
    """R-PROC-4: on a date where every GP is absent, the shifts are uncovered, not filled."""
    away = ((date(2027, 1, 5), date(2027, 1, 5)),)
    outcome = drive(make_config([gp("a", absent=away), gp("b", absent=away), gp("c", absent=away)], days=3), seed=8)
    left = {u.shift for u in uncovered(outcome)}
    assert left == {"2027-01-05/evening", "2027-01-05/night", "2027-01-05/backup"}
    for u in uncovered(outcome):
        assert "no doctor in the lottery pool" in u.reason and "3 × R-LOT-2" in u.reason
        assert u.pool is not None and u.pool.size == 0 and u.passed == []


def test_r_proc_4_every_open_shift_drawn_or_uncovered_once(example_outcome):
    """R-PROC-4: every open shift is drawn or uncovered exactly once, in time order; then the roster
    is published."""
    events = example_outcome.lottery_events
    started, published = events[0], events[-1]
    assert isinstance(started, LotteryStarted) and isinstance(published, RosterPublished)
    handled = [e.shift for e in events[1:-1]]
    by_id = example_outcome.calendar.by_id
    assert handled == sorted(handled, key=lambda s: (by_id[s].start, s))
    open_shifts = {s.id for s in example_outcome.calendar.shifts} - set(example_outcome.before_lottery.assignments)
    assert sorted(handled) == sorted(open_shifts)
    assert started.open_shifts == len(open_shifts)
    assert published.assigned == len(example_outcome.state.assignments)
    assert published.uncovered == len(uncovered(example_outcome))
    assert fold(example_outcome.events) == example_outcome.state


def test_r_proc_4_lottery_only_in_lottery_phase(example_outcome):
    """R-PROC-1 / R-PROC-4: the lottery runs in phase lottery only."""
    with pytest.raises(ValueError):
        run_lottery(example_outcome.state, example_outcome.calendar, 1)


# ------------------------------------------------------------------------------------------ R-LOT-4
@pytest.fixture(scope="module")
def example_outcome() -> Outcome:
    return drive_scenario(json.loads(EXAMPLE.read_text(encoding="utf-8")))


def test_r_lot_4_same_state_and_seed_same_events(example_outcome):
    """R-LOT-4: the draw is a pure function of the state and the seed."""
    state, cal = example_outcome.before_lottery, example_outcome.calendar
    snapshot = state.model_dump()
    a = run_lottery(state, cal, 1234)
    b = run_lottery(state, cal, 1234)
    assert a == b
    assert [e.model_dump() for e in a] == [e.model_dump() for e in b]
    assert draw_lottery(state, cal, 1234) == a[1:-1]
    assert state.model_dump() == snapshot  # pure: the input state is untouched


def test_r_lot_4_tie_index_is_the_sha256_formula():
    """R-LOT-4: SHA-256 of "<seed>:<shift id>" (later picks "<seed>:<shift id>:<n>") as a big-endian
    integer, modulo the number of candidates left."""
    for seed, sid, n in [(7, "2027-01-04/night", 3), (0, "2027-03-27/night", 5), (20270104, "x/y", 1), (-1, "a", 7)]:
        digest = hashlib.sha256(f"{seed}:{sid}".encode()).digest()
        assert tie_index(seed, sid, n) == int.from_bytes(digest, "big") % n == expected_tie_index(seed, sid, n)
        later = hashlib.sha256(f"{seed}:{sid}:3".encode()).digest()
        assert tie_index(seed, sid, n, 3) == int.from_bytes(later, "big") % n == expected_tie_index(seed, sid, n, 3)


def test_r_lot_4_recorded_choice_recomputable(example_outcome):
    """R-LOT-4: each draw records pool, levels, tied and chosen doctor; where nobody of the tied was
    passed over, the choice is tied[tie_index(seed, shift, len(tied))]."""
    started = example_outcome.lottery_events[0]
    assert isinstance(started, LotteryStarted) and started.seed == 7
    checked = 0
    for d in draws(example_outcome):
        tied = decode(d.tied, ids_of(example_outcome))
        assert set(tied) <= set(pool_of(example_outcome, d))
        if not any(m in tied for m in passed_of(example_outcome, d)):
            assert d.doctor == tied[tie_index(started.seed, d.shift, len(tied))]
            checked += 1
    assert checked > 0
    assert [d.draw for d in draws(example_outcome)] == list(range(1, len(draws(example_outcome)) + 1))


def test_r_lot_4_different_seed_can_change_the_choice(example_outcome):
    """R-LOT-4: the seed matters (uniform among equals)."""
    state, cal = example_outcome.before_lottery, example_outcome.calendar
    results = {tuple((e.shift, e.doctor) for e in draw_lottery(state, cal, seed) if isinstance(e, LotteryDrawn))
               for seed in range(12)}
    assert len(results) > 1


def test_r_lot_4_seed_recorded_in_state_and_document(example_outcome):
    """R-LOT-4: the seed is recorded and every draw's pool is listed in the roster document."""
    doc = roster_document(example_outcome.state, example_outcome.calendar, draws(example_outcome))
    assert doc["lottery"]["seed"] == 7 == example_outcome.state.seed
    assert [d["shift"] for d in doc["lottery"]["draws"]] == [d.shift for d in draws(example_outcome)]
    for listed, event in zip(doc["lottery"]["draws"], draws(example_outcome)):
        assert listed["pool"] == pool_of(example_outcome, event) and listed["doctor"] in listed["pool"]
        assert listed["tied"] == decode(event.tied, ids_of(example_outcome)) and listed["deficit"] == event.deficit


def test_r_lot_4_record_is_compact_with_a_2000_doctor_pool():
    """R-LOT-4 at the size limit: a draw with a 2,000-doctor pool, three deficit levels
    and two groups passed over stays far under 64 KB of JSON (doctor sets are hex bitmaps)."""
    from domain.period.events import DeficitLevel, DoctorSet, PassedOver

    everyone = (1 << 2000) - 1
    third = int("001" * 667, 2) & everyone
    event = LotteryDrawn(
        draw=9999, shift="2027-12-31/s8-backup-day", doctor="gp1999",
        pool=DoctorSet.of(everyone),
        levels=[DeficitLevel(deficit=d, doctors=DoctorSet.of((third << i) & everyone))
                for i, d in enumerate((12.25, 11.5, 10.0))],
        passed=[PassedOver(doctors=DoctorSet.of((third << i) & everyone), rule="R-PROC-4", why="2027-12-31/s8-night would be left uncovered")
                for i in range(2)],
    )
    text = event.model_dump_json()
    assert len(text) < 8 * 1024, len(text)
    ids = [f"gp{i:04d}" for i in range(2000)]
    assert event.pool.ids(ids) == ids and len(event.pool) == 2000
    assert event.tied.ids(ids) == [ids[i] for i in range(2, 2000, 3)]
    assert LotteryDrawn.model_validate_json(text) == event


def test_r_lot_3_carried_balance_counts_in_the_deficit():
    """R-LOT-3 with R-LOAD-1: A worked two shifts above the quota in earlier periods (carried +2),
    so B, equal otherwise, is further below and drawn first; the recorded deficits include it, and
    the fairest outcome (largest deficit -1 each) gives B three of the four evenings."""
    a = gp("A").model_copy(update={"carried": 2.0})
    outcome = drive(make_config([a, gp("B")], days=4, template=EVENING_ONLY), seed=3)
    first, second = draws(outcome)[:2]
    assert first.doctor == "B" and [lv.deficit for lv in first.levels] == [2.0]
    assert second.doctor == "B" and [lv.deficit for lv in second.levels] == [1.0]
    assert len(outcome.state.held_by("A")) == 1 and len(outcome.state.held_by("B")) == 3
    replay_lottery(outcome.before_lottery, outcome.lottery_events)
