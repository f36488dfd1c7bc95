"""tools/district_generator: valid, deterministic scenarios of any size whose scripted actions the
engine accepts (the exact-reference tests, the benchmarks and large simulations rely on it)."""

from __future__ import annotations

import json
import re

import pytest

from domain.scenario import parse_scenario, to_period_config
from tests.helpers.builders import drive_scenario
from tools.district_generator import generate_district, main

ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


def test_same_arguments_same_document():
    """Pure and deterministic: random.Random(seed) only, byte-identical output."""
    a = generate_district(doctors=40, stations=2, days=28, seed=5)
    b = generate_district(doctors=40, stations=2, days=28, seed=5)
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    assert a != generate_district(doctors=40, stations=2, days=28, seed=6)


@pytest.mark.parametrize(
    "options",
    [
        {"doctors": 12, "days": 56, "seed": 1, "qualified_share": 0.3, "absence_rate": 0.7, "meeting_share": 0.1},
        {"doctors": 60, "stations": 3, "days": 35, "seed": 2, "weights": {"night": 1.5, "weekend": 1.25}},
        {"doctors": 25, "days": 21, "seed": 3, "stand_in_rate": 0.3, "exemption_rate": 0.3, "min_rest_hours": 11},
    ],
)
def test_a_valid_scenario_whose_actions_are_accepted(options):
    """Format 1, ids matching the id pattern, station-prefixed templates, and scripted actions the
    rulebook accepts (R-PROC-2, R-MEET-1/2, R-QUAL-2, R-REST-1, R-LOT-2 absences)."""
    doc = generate_district(**options)
    scenario = parse_scenario(doc)
    config = to_period_config(scenario)
    assert all(ID.match(d["id"]) for d in doc["doctors"])
    names = [t["name"] for t in doc["shift_template"]]
    stations = options.get("stations", 1)
    assert len(names) == 5 * stations
    if stations > 1:
        assert names[0] == "s1-evening" and f"s{stations}-backup-day" in names
    assert doc["lottery_seed"] and config.period.id.startswith(doc["district"]["id"])
    outcome = drive_scenario(doc)
    actions = len(doc["staff_assignments"]) + len(doc["advance_wishes"]) + len(doc["meeting_picks"]) + len(doc["claims"])
    assert actions > 0 and len(outcome.rejected) <= actions // 50, outcome.rejected[:3]
    assert outcome.state.phase.value == "published"


def test_command_line_writes_a_file(tmp_path):
    target = tmp_path / "d.json"
    assert main(["--doctors", "30", "--stations", "2", "--days", "14", "--seed", "4", "-o", str(target)]) == 0
    assert parse_scenario(json.loads(target.read_text(encoding="utf-8"))).doctors
