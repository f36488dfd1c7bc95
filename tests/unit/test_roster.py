"""Publication: R-QUAL-3 unsafe shifts, R-PROC-4 every shift listed once, R-LOAD-1 load."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from domain.period.events import ShiftTaken, Source
from domain.model import Policy, WeightPolicy
from domain.period.roster import fairness, loads, publish, roster_document, unsafe_shifts
from domain.period.rules import ActionKind
from domain.period.state import apply
from tests.helpers.builders import (
    at_meeting,
    at_offering,
    drive,
    drive_scenario,
    gp,
    make_config,
    opened,
    staff,
    take,
)
from tests.helpers.asserts import every_shift_once

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example-scenario.json"  # the contract's example


def meeting_with(doctors, picks, **config_kw):
    state, cal = opened(make_config(doctors, **config_kw))
    state = at_meeting(state, cal)
    for doctor, shift in picks:
        state = take(state, cal, ActionKind.MEETING_PICK, doctor, shift, state.config.period.meeting_at)
    return state, cal


def test_r_qual_3_unsafe_when_backup_unassigned():
    """R-QUAL-3: a not-qualified doctor's duty shift whose backup nobody holds is unsafe."""
    state, cal = meeting_with([gp("weak", qualified=False), gp("gp1")], [("weak", "2027-01-05/night")])
    assert unsafe_shifts(state, cal) == ["2027-01-05/night"]
    assert publish(state, cal).unsafe == ["2027-01-05/night"]


def test_r_qual_3_safe_once_backup_held():
    """R-QUAL-3: once the covering backup is held, the shift is no longer unsafe."""
    state, cal = meeting_with(
        [gp("weak", qualified=False), gp("gp1")], [("weak", "2027-01-05/night"), ("gp1", "2027-01-05/backup")]
    )
    assert unsafe_shifts(state, cal) == []
    assert publish(state, cal).unsafe == []


def test_r_qual_3_qualified_doctor_never_unsafe():
    """R-QUAL-3 concerns not-qualified doctors only."""
    state, cal = meeting_with([gp("gp1"), gp("gp2")], [("gp1", "2027-01-05/night")])
    assert unsafe_shifts(state, cal) == []


def test_r_qual_3_partial_backup_cover_still_unsafe():
    """R-QUAL-3: the weekend day 08-16 is covered by backup-day, not by the previous night's backup
    (16-08) alone: holding only that one leaves the day unsafe."""
    state, cal = meeting_with(
        [gp("weak", qualified=False), gp("gp1"), gp("gp2")],
        [("weak", "2027-01-09/day"), ("gp1", "2027-01-08/backup")],
    )
    assert unsafe_shifts(state, cal) == ["2027-01-09/day"]
    state = take(state, cal, ActionKind.MEETING_PICK, "gp2", "2027-01-09/backup-day", state.config.period.meeting_at)
    assert unsafe_shifts(state, cal) == []


def test_r_qual_3_unsafe_sorted_by_start():
    state, cal = meeting_with(
        [gp("weak", qualified=False), gp("weak2", qualified=False)],
        [("weak", "2027-01-07/evening"), ("weak2", "2027-01-05/night"), ("weak", "2027-01-05/evening")],
    )
    assert unsafe_shifts(state, cal) == ["2027-01-05/evening", "2027-01-05/night", "2027-01-07/evening"]


def test_r_qual_3_unsafe_recorded_at_publication():
    """R-QUAL-3: the published roster carries the unsafe list, judged after the lottery."""
    outcome = drive(
        make_config([gp("weak", qualified=False), gp("gp1")], days=1),
        picks=[("weak", "2027-01-04/night")],
        seed=1,
    )
    # gp1 can take only one of evening/backup (overlap); the lottery prefers the backup (fewest
    # candidates first), so the night is covered.
    doc = roster_document(outcome.state, outcome.calendar)
    held_backup = "2027-01-04/backup" in outcome.state.assignments
    assert (doc["unsafe"] == []) is held_backup
    assert outcome.state.unsafe == doc["unsafe"] == unsafe_shifts(outcome.state, outcome.calendar)


def test_roster_document_lists_every_shift_once():
    """R-PROC-4: every shift appears exactly once, in assignments or in uncovered."""
    outcome = drive_scenario(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    doc = roster_document(outcome.state, outcome.calendar)
    every_shift_once(doc, outcome.calendar)
    assert doc["phase"] == "published"
    assert doc["period"] == "demo-2027-w01"
    assert doc["quota"] == 4
    order = [s.id for s in outcome.calendar.shifts]
    assert [a["shift"] for a in doc["assignments"]] == [s for s in order if s in outcome.state.assignments]
    assert {a["source"] for a in doc["assignments"]} <= {s.value for s in Source}
    assert sum(doc["load"].values()) == len(doc["assignments"])


def test_roster_document_with_uncovered_shifts():
    """R-PROC-4: uncovered shifts are listed with rule and reason, and not in assignments."""
    outcome = drive(make_config([gp("w1", qualified=False), gp("w2", qualified=False), gp("w3", qualified=False)], days=4), seed=5)
    doc = roster_document(outcome.state, outcome.calendar)
    every_shift_once(doc, outcome.calendar)
    assert doc["uncovered"]
    assert all(u["rule"] == "R-PROC-4" and u["reason"] for u in doc["uncovered"])


def test_r_load_1_load_counts_held_shifts():
    """R-LOAD-1: load counts the shifts each doctor holds (physically works)."""
    state, cal = opened(make_config([gp("gp1"), gp("gp2"), staff("st1")]))
    state = take(state, cal, ActionKind.STAFF_ENTRY, "st1", "2027-01-04/night")
    state = at_offering(state, cal)
    state = apply(state, ShiftTaken(shift="2027-01-05/evening", doctor="gp2", source=Source.OFFERING))
    table = loads(state, cal)
    assert (table["st1"].shifts, table["gp2"].shifts, table["gp1"].shifts) == (1, 1, 0)
    assert table["gp2"].deviation == 1 - state.quota.of("gp2")
    assert set(fairness(state, cal)["doctors"]) == {"gp1", "gp2"}


def test_r_load_2_weighted_load_in_points():
    """R-LOAD-2 policy: with weights, load points follow the shift weights."""
    policy = Policy(weights=WeightPolicy(night=2, weekend=1.5, public_holiday=3))
    state, cal = meeting_with([gp("gp1"), gp("gp2")], [("gp1", "2027-05-17/night"), ("gp2", "2027-05-18/night")],
                              start=date(2027, 5, 17), policy=policy)
    table = loads(state, cal)
    assert table["gp1"].points == 3.0 and table["gp2"].points == 2.0
    assert fairness(state, cal)["weighted"] is True
