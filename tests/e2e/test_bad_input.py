"""Bad input, as a new user would type it: every case gets one line on stderr naming what is
wrong, exit code 2, no traceback, and nothing written to the database.

Real parts: `vakt` as a subprocess, a Temporal dev server with a worker, a PostgreSQL deployed by
`vakt migrate`. The live periods: one waiting for its meeting (a running workflow), one
published and one cancelled (stored rounds whose workflows are gone).
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import asyncpg

from adapters.postgres.schema import create_pool
from adapters.postgres.projections import RosterProjection
from adapters.postgres.event_store import EventStore
from worker import create_worker
from app.periods.live import start_period
from domain.period.events import PeriodOpened, RoundCancelled
from domain.limits import MAX_DOCTORS
from domain.model import Phase
from tests.integration.rounds import example_config, published_round, store_round
from tests.e2e.cli_batch import run_table
from tests.helpers.support import bad_input_problems, services_for

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests" / "data" / "example-scenario.json"
LONG_ID = "p" * 10_000


def _files(tmp: Path) -> dict[str, Path]:
    example = json.loads(EXAMPLE.read_text())
    files: dict[str, Path] = {}

    def write(name: str, content: str | bytes) -> None:
        path = tmp / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        files[name] = path

    write("binary.json", bytes(range(256)) * 40)
    write("truncated.json", json.dumps(example)[:-200])
    write("deep.json", "[" * 10_000 + "]" * 10_000)
    write("empty.json", "")
    write("array.json", "[1, 2, 3]")
    too_many = copy.deepcopy(example)
    too_many["doctors"] = [dict(example["doctors"][1], id=f"gp{i:05d}") for i in range(MAX_DOCTORS + 1)]
    write("doctors.json", json.dumps(too_many))
    shifts = copy.deepcopy(example)
    shifts["period"]["end"] = "2027-12-31"
    shifts["shift_template"] = [dict(t, name=f"s{i}-{t['name']}") for i in range(12) for t in example["shift_template"]]
    write("shifts.json", json.dumps(shifts))
    long_id = copy.deepcopy(example)
    long_id["period"]["id"] = LONG_ID
    write("long-id.json", json.dumps(long_id))
    mobile = copy.deepcopy(example)
    mobile["doctors"][3]["mobile"] = "12345"
    write("mobile.json", json.dumps(mobile))
    huge = tmp / "huge.json"
    with huge.open("wb") as f:  # sparse: 33 MB without writing them
        f.truncate(33 * 1024 * 1024)
    files["huge.json"] = huge
    return files


def cases(live: str, published: str, cancelled: str, files: dict[str, Path], started: Path) -> list[tuple]:
    """(command, a fragment of the one-line message)."""
    f = {k: str(v) for k, v in files.items()}
    reason = ["--operator", "Kari", "--reason", "test"]
    until = ["--until", "2030-01-01 12:00"]
    return [
        # unknown, published and cancelled periods, for every live command
        (["act", "nope", "pick", "gp01", "2027-01-05/evening"], "no period 'nope'"),
        (["act", published, "claim", "gp01", "2027-01-05/evening"], f"period '{published}' is published"),
        (["act", cancelled, "claim", "gp01", "2027-01-05/evening"], f"period '{cancelled}' is cancelled"),
        (["close", "nope", *reason], "no period 'nope'"),
        (["close", published, *reason], "is published; it accepts no more actions"),
        (["extend", cancelled, *until, *reason], "is cancelled; it accepts no more actions"),
        (["cancel", "nope", *reason], "no period 'nope'"),
        (["cancel", published, *reason], "is published"),
        (["restart", "nope"], "no period 'nope'"),
        # ids and fields
        (["act", LONG_ID, "pick", "gp01", "2027-01-05/evening"], "PERIOD: longer than 64 characters"),
        (["act", live, "fly", "gp01", "2027-01-05/evening"], "KIND: must be one of staff, wish, pick, claim"),
        (["act", live, "pick", "gp 01", "2027-01-05/evening"], "DOCTOR: not a doctor id"),
        (["act", live, "pick", "gp01", "tomorrow"], "SHIFT: not a shift id"),
        (["extend", live, "--until", "tomorrow", *reason], "Invalid value for '--until'"),
        (["extend", live, *until, "--operator", "Kari", "--reason", "x" * 501], "--reason: longer than 500 characters"),
        (["extend", live, *until, "--operator", "Kari", "--reason", "room \x1b[2Jtaken"], "--reason: contains control characters"),
        (["close", live, "--operator", " ", "--reason", "test"], "--operator: missing"),
        (["restart", live, "--apply"], "--operator and --reason: required with --apply"),
        (["start", str(started)], "has already been started"),
        (["start", str(started.parent / "same-dates.json")], "already has round"),  # R-PROC-5
        # reads
        (["roster", LONG_ID], "PERIOD: longer than 64 characters"),
        (["verify", "nope"], "no period 'nope'"),
        (["explain", published, "ghost"], "ghost is not a doctor of period"),
        (["events", published, "--type", "ShiftStolen"], "--type: not an event type"),
        (["events", published, "--doctor", "gp 01"], "--doctor: not a doctor id"),
        (["status", "--phase", "done"], "--phase: not a phase"),
        (["status", LONG_ID], "PERIOD: longer than 64 characters"),
        # files
        (["simulate", "/etc"], "is a directory, not a scenario file"),
        (["simulate", f["binary.json"]], "not a text file"),
        (["simulate", f["truncated.json"]], "not valid JSON"),
        (["simulate", f["deep.json"]], "JSON nested deeper than 32 levels"),
        (["simulate", f["empty.json"]], "not valid JSON"),
        (["simulate", f["array.json"]], "invalid scenario"),
        (["simulate", str(files["binary.json"].parent / "absent.json")], "no such file"),
        (["simulate", f["huge.json"]], "a scenario may be at most 33,554,432 bytes"),
        (["simulate", f["doctors.json"]], "doctors: List should have at most 2000 items"),
        (["simulate", f["shifts.json"]], "at most 12000 are allowed"),
        (["simulate", f["long-id.json"]], "period.id: String should have at most 64 characters"),
        (["simulate", f["mobile.json"]], "doctors[3].mobile: not a Norwegian mobile number"),
        (["start", f["deep.json"]], "JSON nested deeper than 32 levels"),
        (["bogus-command"], "No such command"),
    ]


async def _counts(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        return {
            f"{schema}.{table}": await conn.fetchval(f"SELECT count(*) FROM {schema}.{table}")
            for schema in ("public", "simulation")
            for table in ("streams", "events", "rejected_actions", "period_status")
        }
    finally:
        await conn.close()


def _vakt(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )



async def test_bad_input_gets_one_line_exit_2_and_writes_nothing(dev_server, database_url, tmp_path):
    suffix = uuid.uuid4().hex[:6]
    task_queue = f"bad-input-{suffix}"
    pool = await create_pool(database_url)
    store = EventStore(pool, [RosterProjection()])
    archive = lambda c: c.model_copy(update={"district": c.district.model_copy(update={"id": "demo-archive"})})  # noqa: E731
    # Another district: one district has one round per period (R-PROC-5), and the live one is "demo".
    published = archive(example_config(f"pub-{suffix}", meeting_in=timedelta(minutes=5)))
    await store_round(store, published_round(published, simulated=False))
    cancelled = archive(example_config(f"can-{suffix}", meeting_in=timedelta(minutes=5)))
    await store_round(store, [PeriodOpened(config=cancelled), RoundCancelled(phase=Phase.MEETING, operator="Kari", reason="merged")])
    live = example_config(f"live-{suffix}", meeting_in=timedelta(hours=2))
    started = tmp_path / "started.json"
    scenario = json.loads(EXAMPLE.read_text())
    scenario["period"]["id"] = live.period.id
    started.write_text(json.dumps(scenario))
    scenario["period"]["id"] = f"again-{suffix}"
    (tmp_path / "same-dates.json").write_text(json.dumps(scenario))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")},
        "DATABASE_URL": database_url,
        "TEMPORAL_ADDRESS": dev_server.client.service_client.config.target_host,
        "TEMPORAL_TASK_QUEUE": task_queue,
        "VAKT_DATA_DIR": str(tmp_path / "data"),
        "COLUMNS": "200",
    }
    services = services_for(database_url, tmp_path / "data", dev_server.client, TEMPORAL_TASK_QUEUE=task_queue)
    try:
        async with create_worker(dev_server.client, store, task_queue):
            await start_period(services, live, started_by="operator:test")
            handle = dev_server.client.get_workflow_handle(live.period.id)
            for _ in range(100):  # the live period is stored (its round is on record) before we start
                if await store.stream_kind(live.period.id):
                    break
                await asyncio.sleep(0.05)
            before = await _counts(database_url)
            table = cases(live.period.id, published.period.id, cancelled.period.id, _files(tmp_path), started)
            assert len(table) >= 25
            # The worker of this event loop keeps running while the commands run in a thread.
            runs = await asyncio.to_thread(run_table, table, env)
            after = await _counts(database_url)
            await handle.terminate(reason="test over")
    finally:
        await services.aclose()
        await pool.close()
    problems = bad_input_problems(table, runs)
    assert not problems, "\n".join(problems)
    assert after == before, f"bad input wrote something: {before} -> {after}"
