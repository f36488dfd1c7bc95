"""`vakt verify` and `vakt explain` against a period simulated into a real PostgreSQL, and
periods across both DST changes (R-TIME-1)."""

from __future__ import annotations

import json

import asyncpg

from domain.period.roster import members
from tests.e2e.test_cli import EXAMPLE, vakt
from tests.helpers.invariants import check_result


def simulate(path, database_url) -> dict:
    run = vakt("simulate", str(path), "--json", database_url=database_url)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


async def test_verify_passes_untouched_and_names_the_tampered_draw(database_url):
    """R-LOT-4: every draw recomputes from the stored events; altering one stored draw in
    PostgreSQL (a simulation's log has no append-only trigger) is detected twice over: the hash
    chain names the changed event, the recomputation names the draw (exit 1)."""
    result = simulate(EXAMPLE, database_url)
    period = result["period"]
    ok = vakt("verify", period, database_url=database_url)
    assert ok.returncode == 0, ok.stderr + ok.stdout
    assert "OK" in ok.stdout and "2 draws" in ok.stdout and "hash chain intact" in ok.stdout

    second = result["lottery"]["draws"][1]
    other = next(d for d in members(result["lottery"], second["pool"]) if d != second["doctor"])
    conn = await asyncpg.connect(database_url)
    try:
        version = await conn.fetchval(
            """UPDATE simulation.events SET data = jsonb_set(data, '{doctor}', to_jsonb($2::text))
               WHERE stream_id = $1 AND type = 'LotteryDrawn' AND data->>'shift' = $3 RETURNING version""",
            period, other, second["shift"],
        )
        assert version
    finally:
        await conn.close()
    tampered = vakt("verify", period, "--json", database_url=database_url)
    assert tampered.returncode == 1
    report = json.loads(tampered.stdout)
    assert report["ok"] is False
    assert report["chain"]["ok"] is False and report["chain"]["broken_at"] == version
    mismatch = report["lottery"]["mismatch"]
    assert mismatch["position"] == 2 and mismatch["shift"] == second["shift"]
    assert mismatch["stored"] == other and mismatch["recomputed"] == second["doctor"]
    readable = vakt("verify", period, database_url=database_url)
    assert readable.returncode == 1 and f"draw #2 ({second['shift']})" in readable.stdout
    assert f"event v{version} (LotteryDrawn" in readable.stdout


async def test_verify_detects_a_changed_seed(database_url):
    result = simulate(EXAMPLE, database_url)
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            """UPDATE simulation.events SET data = jsonb_set(data, '{seed}', '8')
               WHERE stream_id = $1 AND type = 'LotteryStarted'""",
            result["period"],
        )
    finally:
        await conn.close()
    run = vakt("verify", result["period"], database_url=database_url)
    assert run.returncode == 1 and "MISMATCH" in run.stdout


def test_explain_reads_correctly_for_drawn_exempt_and_satisfied_gps(database_url):
    """`vakt explain` for a drawn GP, an exempt GP and a GP whose wishes met the quota."""
    result = simulate(EXAMPLE, database_url)
    period = result["period"]
    drawn = result["lottery"]["draws"][0]["doctor"]
    text = vakt("explain", period, drawn, database_url=database_url).stdout
    assert "drawn in the lottery (phase C) — draw #1" in text
    assert "In the lottery pool" in text and "R-LOT-1" in text
    assert "deficit" in text and "Quota (R-LOAD-2): 4 shifts" in text

    # gp02 is exempt for pregnancy: the rule and dates are shown, never the reason.
    exempt = vakt("explain", period, "gp02", database_url=database_url)
    assert exempt.returncode == 0
    # Clamped to the period (domain.registry.minimise): the real dates (2026-12-15 to 2027-02-16, which
    # would tell a pregnancy's timing) never left the clinic's records.
    assert "Exempt by right (R-EX-1) from 2027-01-04 to 2027-01-17" in exempt.stdout
    assert "2026-12-15" not in exempt.stdout and "2027-02-16" not in exempt.stdout
    assert "never drawn on those dates (R-LOT-2)" in exempt.stdout
    assert "pregnan" not in exempt.stdout.lower()

    # gp05 picked 4 shifts at the meeting = the quota: not in the pool (R-LOT-1).
    satisfied = vakt("explain", period, "gp05", database_url=database_url).stdout
    assert "picked at the allocation meeting" in satisfied
    assert "Not in the lottery pool: gave 4 wishes and held 4, reaching the quota of 4 (R-LOT-1)" in satisfied

    # Refused actions are listed with their rule.
    gp06 = vakt("explain", period, "gp06", database_url=database_url).stdout
    assert "R-QUAL-2" in gp06 and "R-MEET-2" in gp06 and "R-PROC-7" in gp06


def _dst_scenario(tmp_path, start: str, end: str, deadlines: tuple[str, str, str], name: str):
    scenario = json.loads(EXAMPLE.read_text())
    scenario["period"].update(
        id=name, start=start, end=end, wishes_due=deadlines[0], meeting_at=deadlines[1], offering_closes=deadlines[2]
    )
    # The scripted actions name January dates: drop them, let the lottery fill the period.
    for key in ("staff_assignments", "advance_wishes", "meeting_picks", "claims"):
        scenario[key] = []
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(scenario))
    return scenario, path


def test_periods_across_both_dst_changes(database_url, tmp_path):
    """R-TIME-1: the night from the last Saturday of March is 8 h, of October 10 h; rest is
    checked on true (UTC) intervals in both periods (R-REST-1)."""
    spring, path = _dst_scenario(
        tmp_path, "2027-03-22", "2027-04-04", ("2027-02-01T12:00", "2027-02-02T18:00", "2027-02-20T12:00"), "dst-spring"
    )
    result = simulate(path, database_url)
    check_result(spring, result)
    hours = {s["id"]: s["hours"] for s in result["shifts"]}
    assert hours["2027-03-27/night"] == 8 and hours["2027-03-26/night"] == 9
    assert hours["2027-03-27/backup"] == 15 and hours["2027-03-28/backup-day"] == 8
    starts = {s["id"]: s["start"] for s in result["shifts"]}
    assert starts["2027-03-28/day"] == "2027-03-28T08:00:00+02:00"

    autumn, path = _dst_scenario(
        tmp_path, "2027-10-25", "2027-11-07", ("2027-09-01T12:00", "2027-09-02T18:00", "2027-09-20T12:00"), "dst-autumn"
    )
    result = simulate(path, database_url)
    check_result(autumn, result)
    hours = {s["id"]: s["hours"] for s in result["shifts"]}
    assert hours["2027-10-30/night"] == 10 and hours["2027-10-31/night"] == 9
    assert hours["2027-10-30/backup"] == 17
