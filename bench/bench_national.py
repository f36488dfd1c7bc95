"""Benchmark: national scale — 168 districts of Mosseregionen's size (Norway's count of legevakt
districts) running a round at once on one Temporal dev server, one worker and one PostgreSQL.

    .venv/bin/python bench/bench_national.py [--districts 168]

Each district is the bundled sample (74 doctors, 575 shifts, 478 scripted actions) under its
own id, with real deadlines a minute apart: its staff entries and advance wishes go in at once,
its picks when its meeting opens, its claims when its offering opens — all through the front
door, every district at the same time. Reports the time until every round is published, the
failures (must be 0), the history events per workflow run (must stay under 10,000), the CPU per
district (worker + Temporal server + PostgreSQL), and `vakt verify` on every round.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.bootstrap import Services  # noqa: E402
from worker import create_worker  # noqa: E402
from app.periods.live import start_period, submit_actions  # noqa: E402
from app.reads.stored import verify  # noqa: E402
from app.demo.samples import SAMPLE_PATH  # noqa: E402
from bench.machine import machine  # noqa: E402
from domain import actors  # noqa: E402
from domain.model import OSLO_TZ  # noqa: E402
from domain.period.rules import ActionKind  # noqa: E402
from domain.scenario import parse_scenario, to_period_config  # noqa: E402
from infra.embedded import start_dev_server_env  # noqa: E402
from infra.process import exit_now, install_temporal_runtime  # noqa: E402
from infra.settings import Settings  # noqa: E402
from workflows import search  # noqa: E402
from workflows.messages import ActionRequest  # noqa: E402
from workflows.period import AllocationPeriodWorkflow  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])  # utime stime cutime cstime
        except (OSError, IndexError, ValueError):
            pass
    return total / TICKS


def stack_pids(data_dir: Path) -> list[int]:
    """This process, the Temporal dev server and the PostgreSQL processes of this data dir."""
    out = [os.getpid()]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(data_dir) in cmd and int(entry.name) != os.getpid():
                out.append(int(entry.name))
    return out


async def _until(handle, reached, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if reached(await handle.query(AllocationPeriodWorkflow.phase)):
            return
        await asyncio.sleep(0.5)
    raise TimeoutError("phase not reached")


async def play(services: Services, client, scenario, config) -> None:
    period = config.period.id
    actor = actors.operator("bench")

    async def send(kind: ActionKind, actions) -> None:
        requests = [
            ActionRequest(request_id=uuid.uuid4().hex, kind=kind, doctor=a.doctor, shift=a.shift, actor=actor)
            for a in actions
        ]
        await submit_actions(services, period, requests)

    handle = client.get_workflow_handle(period)
    await send(ActionKind.STAFF_ENTRY, scenario.staff_assignments)
    await send(ActionKind.ADVANCE_WISH, scenario.advance_wishes)
    await _until(handle, lambda v: v.meeting_open)
    await send(ActionKind.MEETING_PICK, scenario.meeting_picks)
    await _until(handle, lambda v: v.phase.value == "offering")
    await send(ActionKind.OFFERING_CLAIM, scenario.claims)
    await handle.result()


async def main(args: argparse.Namespace) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="vakt-national-"))
    env = {**os.environ, "VAKT_DATA_DIR": str(data_dir), "TEMPORAL_TASK_QUEUE": "national"}
    env.pop("DATABASE_URL", None)
    env.pop("TEMPORAL_ADDRESS", None)
    services = Services(Settings.from_env(env), env=env)
    dev = await start_dev_server_env(data_dir / "temporal", services.data_converter, ui=False, search_attributes=search.ALL)
    async with dev.env:
        client = dev.env.client
        services.adopt_client(client)
        db = await services.database()
        scenario = parse_scenario(json.loads(SAMPLE_PATH.read_text()))
        base = to_period_config(scenario)
        t0 = datetime.now(OSLO_TZ).replace(microsecond=0) + timedelta(seconds=args.prepare)
        configs = []
        for i in range(1, args.districts + 1):
            district = base.district.model_copy(
                update={"id": f"d{i:03d}", "policy": base.district.policy.model_copy(
                    update={"meeting_duration_hours": args.meeting / 3600})}
            )
            period = base.period.model_copy(update={
                "id": f"d{i:03d}-2027-h1", "wishes_due": t0, "meeting_at": t0,
                "offering_closes": t0 + timedelta(seconds=args.meeting + args.offering),
            })
            configs.append(base.model_copy(update={"district": district, "period": period}))
        pids = stack_pids(data_dir)
        cpu0, wall0 = cpu_seconds(pids), time.perf_counter()
        async with create_worker(client, db.store, "national"):
            for config in configs:
                await start_period(services, config, started_by="operator:bench", follow_through=False)
            started = time.perf_counter() - wall0
            print(f"{len(configs)} rounds started in {started:.1f} s; deadlines at +{args.prepare}s", flush=True)
            outcomes = await asyncio.gather(*(play(services, client, scenario, c) for c in configs), return_exceptions=True)
            wall = time.perf_counter() - wall0
            cpu = cpu_seconds(stack_pids(data_dir)) - cpu0
            failures = [f"{c.period.id}: {o!r}" for c, o in zip(configs, outcomes) if isinstance(o, BaseException)]
            lengths = []
            for c in configs:
                d = await client.get_workflow_handle(c.period.id).describe()
                lengths.append(d.raw_description.workflow_execution_info.history_length)
        verified = [await verify(services, c.period.id) for c in configs]
        await services.aclose()
    return {
        "machine": machine(),
        "districts": len(configs),
        "doctors_per_district": len(base.doctors),
        "actions_per_district": sum(len(getattr(scenario, k)) for k in ("staff_assignments", "advance_wishes", "meeting_picks", "claims")),
        "schedule_seconds": {"prepare": args.prepare, "meeting": args.meeting, "offering": args.offering},
        "seconds_until_all_published": round(wall, 1),
        "seconds_of_deadlines": args.prepare + args.meeting + args.offering,
        "failures": failures,
        "history_events_per_run": {"max": max(lengths), "median": statistics.median(lengths)},
        "cpu_seconds_total": round(cpu, 1),
        "cpu_seconds_per_district": round(cpu / len(configs), 2),
        "verify_ok": sum(v.ok for v in verified),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--districts", type=int, default=168)
    parser.add_argument("--prepare", type=int, default=45, help="seconds until wishes are due and the meeting opens")
    parser.add_argument("--meeting", type=int, default=40, help="seconds the meeting lasts")
    parser.add_argument("--offering", type=int, default=30, help="seconds the offering lasts")
    install_temporal_runtime()
    report = asyncio.run(main(parser.parse_args()))
    print(json.dumps(report, indent=1))
    ok = not report["failures"] and report["history_events_per_run"]["max"] < 10_000 and report["verify_ok"] == report["districts"]
    exit_now(0 if ok else 1)
