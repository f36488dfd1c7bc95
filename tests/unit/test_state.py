"""The fold: `apply`/`fold` are pure, versions count events, RosterPublished publishes (R-PROC-1),
and every event round-trips through JSON (`parse_event`)."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from domain.period.events import (
    LotteryDrawn,
    LotteryStarted,
    MeetingOpened,
    PeriodOpened,
    PhaseClosed,
    RosterPublished,
    ShiftLeftUncovered,
    ShiftTaken,
    Source,
    parse_event,
)
from domain.model import Phase, Policy, QualificationException, WeightPolicy
from domain.period.state import PeriodState, apply, fold, lottery_draws
from tests.helpers.builders import MeetingAttendance, drive, drive_scenario, gp, make_config, staff, substitute

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example-scenario.json"  # the contract's example


@pytest.fixture(scope="module")
def example():
    return drive_scenario(json.loads(EXAMPLE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def rich():
    """A period with every kind of event, weights, exceptions, stand-ins and uncovered shifts."""
    policy = Policy(
        min_rest_hours=11,
        weights=WeightPolicy(night=2, weekend=1.5, public_holiday=3),
        qualification_exceptions=(QualificationException(name="LIS1", until=date(2023, 12, 31)),),
    )
    doctors = [
        gp("gp1"),
        gp("gp2", qualified=False, meeting=MeetingAttendance.VALID_ABSENCE),
        gp("gp3", exempt=((date(2027, 3, 27), date(2027, 3, 28)),)),
        substitute("sub1", stands_in=("gp1", date(2027, 3, 29), date(2027, 3, 30))),
        staff("st1"),
    ]
    return drive(
        make_config(doctors, start=date(2027, 3, 25), days=7, policy=policy),
        staff_entries=[("st1", "2027-03-25/night")],
        advance=[("gp2", "2027-03-26/evening")],
        picks=[("gp1", "2027-03-27/day"), ("gp2", "2027-03-27/backup")],
        claims=[("sub1", "2027-03-29/evening")],
        seed=99,
    )


def all_event_types(outcome) -> set[str]:
    return {e.type for e in outcome.events}


def test_rich_outcome_has_every_event_type(rich):
    """R-LOT-4 record: the fixture below exercises every event type."""
    assert all_event_types(rich) == {
        "PeriodOpened", "ShiftTaken", "MeetingOpened", "PhaseClosed", "LotteryStarted", "LotteryDrawn",
        "ShiftLeftUncovered", "RosterPublished",
    }


@pytest.mark.parametrize("which", ["example", "rich"])
def test_apply_is_pure(which, request):
    """R-LOT-4 (recomputable record): apply(state, event) returns a new state and leaves its input
    untouched, for every event."""
    outcome = request.getfixturevalue(which)
    state = PeriodState()
    for event in outcome.events:
        before = copy.deepcopy(state.model_dump())
        event_before = event.model_dump()
        new = apply(state, event)
        assert new is not state
        assert state.model_dump() == before, event.type
        assert event.model_dump() == event_before
        state = new


@pytest.mark.parametrize("which", ["example", "rich"])
def test_versions_increase_by_one_per_event(which, request):
    """R-LOT-4 (auditable record): each applied event raises the version by exactly one."""
    outcome = request.getfixturevalue(which)
    state = PeriodState()
    assert state.version == 0
    for n, event in enumerate(outcome.events, start=1):
        state = apply(state, event)
        assert state.version == n
    assert outcome.state.version == len(outcome.events)


def test_fold_equals_stepwise_apply_and_is_pure(example):
    """R-LOT-4: fold(events) == apply one by one; folding from a prefix state continues correctly."""
    events = example.events
    assert fold(events) == example.state
    middle = fold(events[:10])
    snapshot = middle.model_dump()
    assert fold(events[10:], middle) == example.state
    assert middle.model_dump() == snapshot
    assert fold(events) == fold(events)


def test_r_proc_1_phases_in_order(example):
    """R-PROC-1: meeting -> offering -> lottery -> published, no phase skipped."""
    phases = []
    state = PeriodState()
    for event in example.events:
        state = apply(state, event)
        if not phases or phases[-1] != state.phase:
            phases.append(state.phase)
    assert phases == [Phase.MEETING, Phase.OFFERING, Phase.LOTTERY, Phase.PUBLISHED]
    closed = [e for e in example.events if isinstance(e, PhaseClosed)]
    assert [(c.phase, c.next_phase) for c in closed] == [(Phase.MEETING, Phase.OFFERING), (Phase.OFFERING, Phase.LOTTERY)]


def test_roster_published_sets_phase_published(example):
    """RosterPublished sets the phase to published and records the unsafe list (R-QUAL-3)."""
    before = fold(example.events[:-1])
    assert before.phase is Phase.LOTTERY
    event = example.events[-1]
    assert isinstance(event, RosterPublished)
    after = apply(before, RosterPublished(assigned=1, uncovered=0, unsafe=["2027-01-05/night"]))
    assert after.phase is Phase.PUBLISHED
    assert after.unsafe == ["2027-01-05/night"]
    assert before.phase is Phase.LOTTERY and before.unsafe == []


def test_shift_taken_counts_wishes_only_for_wish_sources():
    """R-LOT-1: advance wishes and meeting picks are wishes; staff, offering and lottery are not."""
    state = apply(PeriodState(), PeriodOpened(config=make_config([gp("gp1"), staff("st1")])))
    for i, source in enumerate(Source):
        state = apply(state, ShiftTaken(shift=f"s{i}", doctor="gp1", source=source))
    assert state.wishes == {"gp1": 2}
    assert len(state.held_by("gp1")) == len(Source)


def test_meeting_opened_and_phase_closed_toggle_meeting_open(example):
    """R-PROC-1 / R-PROC-6: MeetingOpened records the quota; an operator's early close is on record."""
    state = fold(example.events[:1])
    assert not state.meeting_open
    opened_at = next(i for i, e in enumerate(example.events) if isinstance(e, MeetingOpened))
    state = fold(example.events[: opened_at + 1])
    assert state.meeting_open and state.quota is not None
    state = apply(state, PhaseClosed(phase=Phase.MEETING, next_phase=Phase.OFFERING, by="operator",
                                     operator="legevaktsjef", reason="all shifts picked"))
    assert not state.meeting_open and state.phase is Phase.OFFERING
    assert state.phases_closed[-1].operator == "legevaktsjef"  # R-PROC-1: early close on record


@pytest.mark.parametrize("which", ["example", "rich"])
def test_events_round_trip_through_json(which, request):
    """R-LOT-4: every event survives parse_event(event.model_dump(mode="json")), also via JSON text."""
    outcome = request.getfixturevalue(which)
    for event in outcome.events:
        data = event.model_dump(mode="json")
        back = parse_event(data)
        assert back == event, event.type
        assert type(back) is type(event)
        again = parse_event(json.loads(json.dumps(data)))
        assert again == event
        assert again.model_dump(mode="json") == data


def test_fold_of_round_tripped_events_gives_the_same_state(rich):
    """R-LOT-4: the read side folds stored (JSON) events into the same state as the workflow."""
    stored = [parse_event(json.loads(json.dumps(e.model_dump(mode="json")))) for e in rich.events]
    assert fold(stored).model_dump(mode="json") == rich.state.model_dump(mode="json")


def test_parse_event_rejects_unknown_type():
    """R-LOT-4: the record is typed; an unknown event type is not silently accepted."""
    with pytest.raises(ValueError):
        parse_event({"type": "ShiftStolen", "shift": "x", "doctor": "y"})


def test_lottery_events_fold_into_draws_and_uncovered(rich):
    """R-LOT-4 / R-PROC-4: draws, seed and uncovered shifts are kept in the state."""
    state = rich.state
    drawn = [e for e in rich.events if isinstance(e, LotteryDrawn)]
    left = [e for e in rich.events if isinstance(e, ShiftLeftUncovered)]
    assert state.drawn == len(drawn) and lottery_draws(rich.events) == drawn and state.uncovered == left
    assert state.seed == next(e for e in rich.events if isinstance(e, LotteryStarted)).seed == 99
    for d in drawn:
        assert state.assignments[d.shift].doctor == d.doctor
        assert state.assignments[d.shift].source is Source.LOTTERY
