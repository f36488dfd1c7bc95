"""The `vakt` command as a user runs it: a subprocess, a real Temporal test server, a real
PostgreSQL (a fresh database per test, via DATABASE_URL)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import asyncpg

from domain.model import OSLO_TZ
from tests.helpers.invariants import check_result

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests" / "data" / "example-scenario.json"
SAMPLE = ROOT / "app" / "data" / "sample-mosse-2027-h1.json"


def vakt(*args: str, database_url: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_simulate_example_json_is_complete_legal_and_repeatable(database_url, tmp_path):
    """Must show 2: every shift exactly once; no assignment breaks R-LOT-1/2/3, R-QUAL-2 or
    R-REST-1; illegal actions rejected with their rule; same scenario + seed, same result."""
    first = vakt("simulate", str(EXAMPLE), "--json", database_url=database_url)
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)  # stdout holds the document and nothing else
    scenario = json.loads(EXAMPLE.read_text())
    check_result(scenario, result)
    assert result["phase"] == "published" and result["simulated"] is True
    assert {(r["action"]["doctor"], r["action"]["shift"], r["rule"]) for r in result["rejected"]} == {
        ("gp11", "2027-01-16/backup-day", "R-QUAL-2"),  # gp11 lacks the violence course
        ("gp06", "2027-01-04/evening", "R-MEET-2"),  # gp06 attended: no advance wishes
        ("gp06", "2027-01-17/backup-day", "R-QUAL-2"),
        ("gp06", "2027-01-08/night", "R-PROC-7"),  # already picked by gp09
        ("sub01", "2027-01-20/night", "R-PROC-7"),  # not a shift of the period
    }
    second = vakt("simulate", str(EXAMPLE), "--json", database_url=database_url)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout) == result

    # Must show 4: the read side, rebuilt from stored events, equals the simulation.
    roster = vakt("roster", result["period"], "--json", database_url=database_url)
    assert roster.returncode == 0, roster.stderr
    stored = json.loads(roster.stdout)
    assert stored["assignments"] == result["assignments"]
    assert stored["uncovered"] == result["uncovered"]
    assert stored["lottery"] == result["lottery"]


def test_a_different_seed_is_still_legal(database_url, tmp_path):
    scenario = json.loads(EXAMPLE.read_text())
    scenario["lottery_seed"] = 424242
    path = tmp_path / "seeded.json"
    path.write_text(json.dumps(scenario))
    run = vakt("simulate", str(path), "--json", database_url=database_url)
    assert run.returncode == 0, run.stderr
    check_result(scenario, json.loads(run.stdout))


async def test_invalid_scenario_exits_2_names_the_field_and_writes_nothing(database_url, tmp_path):
    """R-DATA-1: path and reason, exit 2, nothing run; the message never echoes the number."""
    scenario = json.loads(EXAMPLE.read_text())
    bad = copy.deepcopy(scenario)
    bad["doctors"][3]["mobile"] = "12345"
    del bad["doctors"][5]["email"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    run = vakt("simulate", str(path), "--json", database_url=database_url)
    assert run.returncode == 2
    assert run.stdout == ""
    assert "doctors[3].mobile: not a Norwegian mobile number" in run.stderr
    assert "doctors[5].email" in run.stderr
    assert "12345" not in run.stderr
    conn = await asyncpg.connect(database_url)
    try:
        for schema in ("public", "simulation"):
            assert await conn.fetchval(f"SELECT count(*) FROM {schema}.events") == 0
    finally:
        await conn.close()

    not_json = tmp_path / "broken.json"
    not_json.write_text("{ nope")
    run = vakt("simulate", str(not_json), database_url=database_url)
    assert run.returncode == 2 and "not valid JSON" in run.stderr
    missing = vakt("simulate", str(tmp_path / "absent.json"), database_url=database_url)
    assert missing.returncode == 2 and "no such file" in missing.stderr


async def test_simulation_never_touches_a_live_period(database_url):
    """Simulations live in their own schema: a live period with the scenario's id is left exactly
    as it was, and the simulation runs anyway, as often as asked."""
    import uuid
    from datetime import UTC, datetime

    from adapters.postgres.schema import create_pool
    from adapters.postgres.event_store import AppendEventsInput, EventStore, NewEvent

    pool = await create_pool(database_url)
    try:
        store = EventStore(pool)
        marker = NewEvent(
            event_id=uuid.uuid4(), version=1, type="Marker", data={}, occurred_at=datetime.now(UTC), actor="system:test"
        )
        await store.append(AppendEventsInput(stream_id="demo-2027-w01", stream_kind="live", events=[marker]))
        for _ in range(2):
            run = vakt("simulate", str(EXAMPLE), "--json", database_url=database_url)
            assert run.returncode == 0, run.stderr
        assert [e.type for e in await store.read_stream("demo-2027-w01")] == ["Marker"]
    finally:
        await pool.close()


def test_demo_runs_the_sample_district_to_publication(database_url):
    """Must show 1 and 5: the bundled Mosseregionen-sized district (60 GPs, a half-year)
    simulates end to end; its result satisfies the same invariants."""
    run = vakt("demo", "--json", database_url=database_url)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    scenario = json.loads(SAMPLE.read_text())
    check_result(scenario, result)
    assert len(result["assignments"]) + len(result["uncovered"]) == 575
    assert len(result["lottery"]["draws"]) > 50
    assert {r["rule"] for r in result["rejected"]} >= {"R-QUAL-2", "R-REST-1", "R-PROC-7", "R-MEET-2"}
    readable = vakt("demo", database_url=database_url)
    assert readable.returncode == 0, readable.stderr
    for heading in ("Coverage by phase", "Quota (R-LOAD-2)", "Lottery", "Per-doctor load", "Where to look further"):
        assert heading in readable.stdout


def test_roster_of_an_unknown_period_exits_2(database_url):
    run = vakt("roster", "no-such-period", database_url=database_url)
    assert run.returncode == 2
    assert "no period 'no-such-period'" in run.stderr


def test_a_phase_left_no_time_refuses_its_actions(database_url, tmp_path):
    """R-PROC-7: when the meeting runs past the offering deadline, the offering has no time;
    its claims are refused with the rule, the lottery still fills the period."""
    scenario = json.loads(EXAMPLE.read_text())
    scenario["period"].update(
        id="edge-no-offering", wishes_due="2026-11-30T18:00", meeting_at="2026-11-30T18:00",
        offering_closes="2026-11-30T19:00",
    )
    path = tmp_path / "edge.json"
    path.write_text(json.dumps(scenario))
    run = vakt("simulate", str(path), "--json", database_url=database_url)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    check_result(scenario, result)
    claims = [r for r in result["rejected"] if r["kind"] == "offering_claim"]
    assert len(claims) == len(scenario["claims"]) and {r["rule"] for r in claims} == {"R-PROC-7"}


def test_without_a_seed_a_simulation_is_still_repeatable(database_url, tmp_path):
    """R-LOT-4: with no lottery_seed, the seed is derived from the scenario and recorded."""
    scenario = json.loads(EXAMPLE.read_text())
    del scenario["lottery_seed"]
    path = tmp_path / "unseeded.json"
    path.write_text(json.dumps(scenario))
    runs = [vakt("simulate", str(path), "--json", database_url=database_url) for _ in range(2)]
    first, second = (json.loads(r.stdout) for r in runs)
    assert first["lottery"]["seed"] is not None
    assert first["lottery"] == second["lottery"] and first["assignments"] == second["assignments"]


def test_multi_year_demo_shows_carry_over_narrowing_the_spread(tmp_path):
    """Four half-years from the scheduled starter, doctors joining and leaving; the
    spread of cumulative deviation is smaller with carry-over (R-LOAD-1) than without."""
    env = {**os.environ, "VAKT_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)  # the demo keeps to a private database anyway
    run = subprocess.run(
        [sys.executable, "-m", "cli.main", "demo", "--years", "2", "--json"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    carry, plain = report["with_carry"]["rounds"], report["without_carry"]["rounds"]
    assert len(carry) == len(plain) == 4
    assert [r["period"].rsplit("-", 2)[-2:] for r in carry] == [r["period"].rsplit("-", 2)[-2:] for r in plain]
    assert carry[-1]["spread"] < plain[-1]["spread"]
    assert any(r["carried_in"] for r in carry[1:]) and not any(r["carried_in"] for r in plain)
    assert len({r["doctors"] for r in carry}) > 1  # the roll changed over the years
    # Dated from today: the first round's invitation (nine weeks or more before its start) is ahead.
    year, half = carry[0]["period"].rsplit("-", 2)[-2:]
    first_start = date(int(year), 1 if half == "h1" else 7, 1)
    assert first_start - timedelta(weeks=9) > datetime.now(OSLO_TZ).date()
