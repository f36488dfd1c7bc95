"""Benchmark: the operator's roster, fairness table and downloads for a 1,000-doctor, 8-station
year, served by the web service over HTTP.

    .venv/bin/python bench/bench_roster.py [--doctors 1000 --stations 8 --days 365] [--runs 5]

A district from `tools/district_generator.py` (the same arguments as its command line) is run
through the pure domain decisions — staff entries, advance wishes, the meeting's picks, the
offering's claims and the lottery, no Temporal — and its ~10,000 events are stored as a live
round in an embedded PostgreSQL, with its doctors in the registry (names) and an operator's
account. The web service runs in this process (uvicorn) and is asked for each page and file as
that operator, one request at a time: first the roster month cold (the round's events read and
parsed for the first time), then every target `--runs` times warm.

Reported per target: the cold time where there is one, the warm median and maximum, the size;
and the roster month once more after one new event is stored (a swap: read and folded on alone).
Target: each answered in under a second.
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

import httpx2 as httpx  # noqa: E402
import uvicorn  # noqa: E402

from adapters.postgres.event_store import AppendEventsInput, NewEvent  # noqa: E402
from adapters.postgres.schema import create_pool, migrate  # noqa: E402
from app.bootstrap import Services  # noqa: E402
from app.identity.accounts import add_account  # noqa: E402
from app.identity.sessions import encode_session, new_session  # noqa: E402
from app.identity.sign_in import principal_for  # noqa: E402
from app.registry.districts import import_scenario  # noqa: E402
from bench.machine import machine  # noqa: E402
from domain.model import OSLO_TZ  # noqa: E402
from domain.period.calendar import PeriodCalendar  # noqa: E402
from domain.period.events import PeriodOpened, SwapAccepted  # noqa: E402
from domain.period.process import close_phase, decide_action, open_meeting, run_lottery  # noqa: E402
from domain.period.rules import ActionKind, RuleViolation  # noqa: E402
from domain.period.state import PeriodState, apply  # noqa: E402
from domain.scenario import parse_scenario, to_period_config  # noqa: E402
from infra.embedded import embedded_postgres_url  # noqa: E402
from infra.process import exit_now  # noqa: E402
from infra.settings import Settings  # noqa: E402
from tools.district_generator import generate_district  # noqa: E402

OPERATOR = "leder@bench.example.no"
SECRET = "bench-session-secret-" + "x" * 32


def round_events(document: dict) -> list:
    """The round's events from the pure decisions, as the workflow would record them."""
    scenario = parse_scenario(document)
    config = to_period_config(scenario)
    calendar = PeriodCalendar.from_config(config)
    events = [PeriodOpened(config=config)]
    state = apply(PeriodState(), events[0])

    def record(event) -> None:
        nonlocal state
        events.append(event)
        state = apply(state, event)

    def act(kind: ActionKind, actions, now: datetime) -> None:
        for a in actions:
            decided = decide_action(state, calendar, kind, a.doctor, a.shift, now)
            if not isinstance(decided, RuleViolation):
                record(decided)

    dates = config.period
    act(ActionKind.STAFF_ENTRY, scenario.staff_assignments, dates.wishes_due - timedelta(days=1))
    act(ActionKind.ADVANCE_WISH, scenario.advance_wishes, dates.wishes_due)
    record(open_meeting(state, calendar))
    act(ActionKind.MEETING_PICK, scenario.meeting_picks, dates.meeting_at)
    record(close_phase(state))
    act(ActionKind.OFFERING_CLAIM, scenario.claims, dates.offering_closes - timedelta(hours=1))
    record(close_phase(state))
    for event in run_lottery(state, calendar, config.lottery_seed or 1):
        record(event)
    return events


async def store(services: Services, events: list) -> None:
    db = await services.database()
    at = datetime.now(OSLO_TZ)
    period = events[0].config.period.id
    rows = [NewEvent(event_id=uuid.uuid4(), version=i, type=e.type, data=e.model_dump(mode="json"),
                     occurred_at=at + timedelta(milliseconds=i), actor="system:bench") for i, e in enumerate(events, 1)]
    for start in range(0, len(rows), 1000):
        await db.store.append(AppendEventsInput(stream_id=period, stream_kind="live", events=rows[start:start + 1000]))


async def timed(http: httpx.AsyncClient, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    answer = await http.get(path, headers={"Accept": "text/html"})
    elapsed = time.perf_counter() - started
    if answer.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {answer.status_code} {answer.text[:200]}")
    return elapsed, len(answer.content)


async def main(args: argparse.Namespace) -> dict:
    work = Path(tempfile.mkdtemp(prefix="vakt-bench-roster-"))
    started = time.perf_counter()
    document = generate_district(doctors=args.doctors, stations=args.stations, days=args.days, seed=args.seed)
    scenario_path = work / "district.json"
    scenario_path.write_text(json.dumps(document), encoding="utf-8")
    events = round_events(document)
    print(f"district generated and its round decided: {len(events)} events in {time.perf_counter() - started:.1f} s",
          flush=True)
    url = await asyncio.to_thread(embedded_postgres_url, work, cleanup_mode="delete")
    pool = await create_pool(url, max_size=2)
    await migrate(pool)
    await pool.close()
    port = 8600 + os.getpid() % 300
    env = {**os.environ, "DATABASE_URL": url, "VAKT_DATA_DIR": str(work / "data"), "VAKT_SESSION_SECRET": SECRET,
           "VAKT_PUBLIC_URL": f"http://127.0.0.1:{port}", "TEMPORAL_ADDRESS": "127.0.0.1:1"}
    services = Services(Settings.from_env(env), env=env)
    district = document["district"]["id"]
    await import_scenario(services, district, scenario_path, actor="admin:bench")
    await add_account(services, OPERATOR, "operator", "Bench Operatør", actor="admin:bench", districts=[district])
    await store(services, events)
    principal = await principal_for(services, OPERATOR)
    cookie = encode_session(new_session(principal, services.clock.now()), SECRET)

    from web.service import create_app  # noqa: PLC0415 - after the environment is set

    server = uvicorn.Server(uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    period = events[0].config.period.id
    first_month = events[0].config.period.start.isoformat()[:7]
    base = f"/operator/periods/{period}"
    targets = {
        "roster month": f"{base}/roster?month={first_month}",
        "roster day": f"{base}/roster?day={events[0].config.period.start.isoformat()}",
        "fairness table": f"{base}/fairness",
        "roster.csv": f"{base}/roster.csv",
        "roster.xlsx": f"{base}/roster.xlsx",
        "roster.pdf": f"{base}/roster.pdf",
        "roster.ics": f"{base}/roster.ics",
        "fairness.csv": f"{base}/fairness.csv",
        "fairness.xlsx": f"{base}/fairness.xlsx",
        "payroll.csv": f"{base}/payroll.csv",
        "payroll.xlsx": f"{base}/payroll.xlsx",
    }
    report: dict[str, dict] = {}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60.0,
                                 cookies={"vakt_session": cookie}) as http:
        cold, size = await timed(http, targets["roster month"])
        report["roster month"] = {"cold_s": round(cold, 3)}
        for name, path in targets.items():
            times = []
            for _ in range(args.runs):
                elapsed, size = await timed(http, path)
                times.append(elapsed)
            report.setdefault(name, {}).update({"median_s": round(statistics.median(times), 3),
                                                "max_s": round(max(times), 3), "bytes": size})
            print(f"{name:15} median {report[name]['median_s']:.3f} s, max {report[name]['max_s']:.3f} s, "
                  f"{size:,} bytes", flush=True)
        # One more event (a swap after publication): only it is read and folded on.
        held = next(e for e in reversed(events) if e.type == "LotteryDrawn")
        other = next(d.id for d in events[0].config.doctors if d.id != held.doctor and d.role.value == "gp")
        db = await services.database()
        swap = SwapAccepted(swap="bench-swap", shift=held.shift, giver=held.doctor, receiver=other)
        await db.store.append(AppendEventsInput(stream_id=period, stream_kind="live", events=[NewEvent(
            event_id=uuid.uuid4(), version=len(events) + 1, type=swap.type, data=swap.model_dump(mode="json"),
            occurred_at=datetime.now(OSLO_TZ), actor="system:bench")]))
        after, _ = await timed(http, targets["roster month"])
        report["roster month"]["after_new_event_s"] = round(after, 3)
        print(f"roster month after one new event: {after:.3f} s", flush=True)
    server.should_exit = True
    await serving
    await services.aclose()
    shifts = len(PeriodCalendar.from_config(events[0].config).shifts)
    return {"machine": machine(), "doctors": args.doctors, "stations": args.stations, "days": args.days,
            "shifts": shifts, "events": len(events), "runs": args.runs, "targets": report,
            "all_under_1s": all(r["max_s"] < 1.0 for r in report.values())}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--doctors", type=int, default=1000)
    parser.add_argument("--stations", type=int, default=8)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    result = asyncio.run(main(parser.parse_args()))
    print(json.dumps(result, indent=1))
    exit_now(0 if result["all_under_1s"] else 1)
