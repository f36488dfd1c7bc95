"""Benchmark: fifty doctors reading their boards at once, and the operator's round page, for the
sample district and for a generated 1,000-doctor, 8-station year — side by side in one run.

    .venv/bin/python bench/bench_reads.py                 # both districts; prints a report
    .venv/bin/python bench/bench_reads.py --seconds 20 --json

Self-contained: a PostgreSQL of its own (embedded, in a throwaway data dir), one `vakt serve`
process over it (the web service as deployed: its own process, one event loop), and this
process as fifty phones. No Temporal: a board is read from PostgreSQL alone. Each district's
round is stored in its offering (bench/reads.py): every shift left after the meeting is on the
board, each with its rule check for the reading doctor.

Per district: the first board read after the service started (it folds the whole stream: the
read model's one full fold), then `--warmup` seconds of reads that are not counted (each
reader's first reads: their sign-in looked up, the kept rows filled), then `--seconds` of fifty
doctors each reading their own board page (`GET /periods/{p}`, the phone's page, HTML) again as
soon as the last answer came — reads/s, p50, p99 — then the same for the JSON board (`GET /api/periods/{p}/board`), then the
operator's round page (`GET /operator/periods/{p}`) read one at a time. These rounds were
stored without Temporal, so their round page shows the PostgreSQL projection: the page's own
cost. Then (unless `--no-temporal`) the same page of a 1,000-doctor round started through a
Temporal dev server and a worker of this process (bench/reads_temporal.py): what an operator
sees of a live round, its workflow described, its history read, its phase and coverage queried.

Targets (docs/benchmarks.md): sample ≥ 500 reads/s with p99 ≤ 150 ms; 1,000 doctors
≥ 200 reads/s with p99 ≤ 500 ms; the operator's page < 150 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.bootstrap import bootstrap  # noqa: E402
from app.demo.samples import SAMPLE_PATH  # noqa: E402
from bench.machine import machine  # noqa: E402
from bench.raw_http import Connection  # noqa: E402
from bench.reads import doctor_cookies, operator_cookie, store_period  # noqa: E402
from bench.reads_temporal import temporal_round  # noqa: E402
from infra.embedded import stop_embedded_postgres  # noqa: E402
from tools.district_generator import generate_district  # noqa: E402

COOKIE = "vakt_session"
OPERATOR = "operator@bench.example.no"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _wait_healthy(port: int, server: subprocess.Popen, timeout: float = 60.0) -> None:
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        if server.poll() is not None:
            raise RuntimeError(f"vakt serve exited with {server.returncode}")
        try:
            status, _ = await Connection("127.0.0.1", port).get("/health", {})
            if status == 200:
                return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("vakt serve did not answer /health")


async def one_read(port: int, path: str, cookie: str) -> tuple[float, int, int]:
    conn = Connection("127.0.0.1", port)
    started = time.perf_counter()
    status, body = await conn.get(path, {"Cookie": f"{COOKIE}={cookie}"})
    took = time.perf_counter() - started
    await conn.close()
    return took, status, len(body)


async def load(port: int, path: str, cookies: dict[str, str], seconds: float) -> dict:
    """Every doctor reads `path` on their own connection, again as soon as answered."""
    latencies: list[float] = []
    timeline: list[tuple[float, float]] = []  # (when sent, how long it took)
    statuses: dict[int, int] = {}
    stop = time.perf_counter() + seconds

    async def doctor(cookie: str) -> None:
        conn = Connection("127.0.0.1", port)
        headers = {"Cookie": f"{COOKIE}={cookie}"}
        while time.perf_counter() < stop:
            started = time.perf_counter()
            status, _ = await conn.get(path, headers)
            latencies.append(time.perf_counter() - started)
            timeline.append((started, latencies[-1]))
            statuses[status] = statuses.get(status, 0) + 1
        await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(doctor(c) for c in cookies.values()))
    elapsed = time.perf_counter() - started
    return {
        "readers": len(cookies), "reads": len(latencies), "seconds": round(elapsed, 2),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * _pct(latencies, 0.50), 1), "p99_ms": round(1000 * _pct(latencies, 0.99), 1),
        "max_ms": round(1000 * max(latencies), 1), "statuses": statuses,
        "slow_by_second": _slow_by_second(timeline, started),
    }


def _slow_by_second(timeline: list[tuple[float, float]], began: float) -> list[int]:
    """How many reads took over 3 × the median, by the second they were sent in (where a tail comes from)."""
    limit = 3 * statistics.median(t for _, t in timeline)
    counts: dict[int, int] = {}
    for sent, took in timeline:
        if took > limit:
            counts[int(sent - began)] = counts.get(int(sent - began), 0) + 1
    return [counts.get(i, 0) for i in range(max(counts, default=-1) + 1)]


async def operator_page(port: int, path: str, cookie: str, times: int) -> dict:
    took = []
    size = 0
    for _ in range(times):
        t, status, size = await one_read(port, path, cookie)
        if status != 200:
            raise RuntimeError(f"operator page: HTTP {status}")
        took.append(t)
    return {"reads": times, "p50_ms": round(1000 * statistics.median(took), 1),
            "p99_ms": round(1000 * _pct(took, 0.99), 1), "max_ms": round(1000 * max(took), 1),
            "kb": round(size / 1024, 1)}


async def district_run(port: int, name: str, stored, cookies: dict[str, str], operator: str, args) -> dict:
    period = stored.config.period.id
    page, api = f"/periods/{period}", f"/api/periods/{period}/board"
    first_doctor = next(iter(cookies.values()))
    cold, status, size = await one_read(port, page, first_doctor)
    if status != 200:
        raise RuntimeError(f"{name}: the board answered HTTP {status}")
    warm, _, _ = await one_read(port, page, first_doctor)
    _, _, api_size = await one_read(port, api, first_doctor)
    report = {
        "district": name, "doctors": len(stored.config.doctors), "shifts": stored.shifts,
        "open_shifts": stored.open_shifts, "events": stored.events,
        "first_read_ms": round(1000 * cold, 1), "one_read_ms": round(1000 * warm, 1),
        "board_kb": round(size / 1024, 1), "board_json_kb": round(api_size / 1024, 1),
    }
    await load(port, page, cookies, args.warmup)  # not counted: every reader's first reads, caches filled
    report["pages"] = await load(port, page, cookies, args.seconds)
    print(f"{name}: board page {report['pages']['per_second']}/s p50 {report['pages']['p50_ms']} ms "
          f"p99 {report['pages']['p99_ms']} ms", flush=True)
    await load(port, api, cookies, args.warmup)
    report["json"] = await load(port, api, cookies, args.seconds)
    print(f"{name}: board JSON {report['json']['per_second']}/s p99 {report['json']['p99_ms']} ms", flush=True)
    report["operator"] = await operator_page(port, f"/operator/periods/{period}", operator, args.operator_reads)
    print(f"{name}: operator's round page p50 {report['operator']['p50_ms']} ms", flush=True)
    return report


async def main(args: argparse.Namespace) -> dict:
    secret = secrets.token_urlsafe(48)
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="vakt-bench-reads-") as data:
        os.environ.update({"VAKT_DATA_DIR": data, "VAKT_SESSION_SECRET": secret,
                           "VAKT_PUBLIC_URL": f"http://127.0.0.1:{port}"})
        for unset in ("DATABASE_URL", "TEMPORAL_ADDRESS"):
            os.environ.pop(unset, None)
        try:
            return await _run(args, data, port, secret)
        finally:
            stop_embedded_postgres(Path(data))  # before its folder goes: it would outlive the run


async def _run(args: argparse.Namespace, data: str, port: int, secret: str) -> dict:
    async with bootstrap() as services:
        db = await services.database()
        run = secrets.token_hex(3)
        districts = [("sample", json.loads(SAMPLE_PATH.read_text()))] if args.districts != "large" else []
        if args.districts != "sample":
            print("generating the 1,000-doctor, 8-station year …", flush=True)
            districts.append(("1000 doctors, 8 stations, 365 days",
                              generate_district(doctors=1000, stations=8, days=365, seed=1)))
        stored = []
        for i, (name, document) in enumerate(districts):
            started = time.perf_counter()
            s = await store_period(services, document, f"bench-reads-{run}-{i}", f"bench-{run}-{i}", Path(data),
                                   name=name)
            print(f"{name}: {s.events} events stored in {time.perf_counter() - started:.1f} s", flush=True)
            emails = {d["id"]: d["email"] for d in document["doctors"] if d.get("email")}
            stored.append((name, s, emails))
        env = {**os.environ, "DATABASE_URL": db.urls.app, "VAKT_MIGRATION_DATABASE_URL": db.urls.migration,
               "VAKT_APP_ROLE": db.urls.app_role or ""}
        served = [s.config.district.id for _, s, _ in stored]
        async with AsyncExitStack() as stack:
            live = None
            if args.temporal and districts:
                print("starting a Temporal dev server and a worker; the large round through them …", flush=True)
                address, live = await stack.enter_async_context(temporal_round(
                    services, districts[-1][1], f"bench-live-{run}", f"bench-{run}-live", Path(data)))
                env["TEMPORAL_ADDRESS"] = address
                served.append(live.district.id)
            await db.accounts.put_account(OPERATOR, "operator", "Bench Operator", created_by="admin:bench",
                                          districts=tuple(served))
            reports, temporal_page = await _serve_and_read(args, port, env, secret, stored, live)
    return {"machine": machine(), "load_average_after": _load_average(), "seconds_per_load": args.seconds,
            "districts": reports, "operator_page_temporal": temporal_page}


async def _serve_and_read(args, port: int, env: dict, secret: str, stored, live) -> tuple[list[dict], dict | None]:
    """One `vakt serve` over the prepared database; every district's reads; the live round's page."""
    vakt = str(Path(sys.executable).parent / "vakt")
    server = subprocess.Popen([vakt, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        await _wait_healthy(port, server)
        print(f"vakt serve pid {server.pid} on port {port}", flush=True)
        if args.pause:
            print(f"pausing {args.pause} s (attach py-spy now)", flush=True)
            await asyncio.sleep(args.pause)
        operator = operator_cookie(OPERATOR, secret)
        reports = []
        for name, s, emails in stored:
            cookies = doctor_cookies(s.config, emails, secret, args.readers)
            reports.append(await district_run(port, name, s, cookies, operator, args))
        temporal_page = None
        if live is not None:
            path = f"/operator/periods/{live.period.id}"
            await one_read(port, path, operator)  # its first read folds the round
            temporal_page = await operator_page(port, path, operator, args.operator_reads)
            print(f"the round run by Temporal: operator's round page p50 {temporal_page['p50_ms']} ms",
                  flush=True)
        return reports, temporal_page
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


def _load_average() -> str:
    """The machine's 1/5/15-minute load when the run ended: it is shared, and says how much."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def table(report: dict) -> str:
    d = report["districts"]
    rows = ["| | " + " | ".join(x["district"] for x in d) + " |", "|---|" + "---:|" * len(d)]

    def row(label: str, get) -> None:
        rows.append(f"| {label} | " + " | ".join(str(get(x)) for x in d) + " |")

    row("doctors / shifts / open shifts", lambda x: f"{x['doctors']} / {x['shifts']} / {x['open_shifts']}")
    row("first board read (the one full fold)", lambda x: f"{x['first_read_ms']} ms")
    row("one board read, alone", lambda x: f"{x['one_read_ms']} ms ({x['board_kb']} KB)")
    row("**50 doctors, board page: reads/s**", lambda x: f"**{x['pages']['per_second']}**")
    row("board page p50 / p99", lambda x: f"{x['pages']['p50_ms']} / {x['pages']['p99_ms']} ms")
    row("50 doctors, JSON board: reads/s", lambda x: f"{x['json']['per_second']} ({x['board_json_kb']} KB)")
    row("JSON board p50 / p99", lambda x: f"{x['json']['p50_ms']} / {x['json']['p99_ms']} ms")
    row("**operator's round page** p50 / max", lambda x: f"**{x['operator']['p50_ms']}** / {x['operator']['max_ms']} ms")
    live = report.get("operator_page_temporal")
    if live:
        rows.append(f"\nThe operator's round page of the 1,000-doctor round run by Temporal (describe, history, "
                    f"two queries): p50 **{live['p50_ms']} ms**, p99 {live['p99_ms']} ms, max {live['max_ms']} ms "
                    f"({live['kb']} KB).")
    return "\n".join(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--operator-reads", type=int, default=20)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of reads before each load, not counted")
    parser.add_argument("--districts", choices=("both", "sample", "large"), default="both")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds to wait before the loads (to attach py-spy)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-temporal", dest="temporal", action="store_false",
                        help="skip the round run by Temporal (its operator's page)")
    result = asyncio.run(main(parser.parse_args()))
    print(json.dumps(result, indent=1) if "--json" in sys.argv else "")
    print(f"{result['machine']}; load average after the run {result['load_average_after']}\n")
    print(table(result))
