"""Benchmark: the board stays live under a burst — against `vakt dev`.

    .venv/bin/vakt dev &                            # Temporal, PostgreSQL, SMTP, worker, web service
    .venv/bin/python bench/bench_live_boards.py     # 500 claims, 70 doctors, 50 connections, 70 boards

The burst of bench/bench_http_burst.py (the sample district's 70 claimants signed in through
mailed links, 500 claims with 50 requests in flight), run several times in one run on fresh
periods: without any board open, and with every one of the 70 doctors holding their board's
event stream open (`GET /periods/{p}/live`, web/live.py). After a warm-up burst (not counted),
the runs alternate (none, boards, boards, none, …) so a drift of the shared machine weighs on
both alike.

Reported: the claims' throughput with and without boards, and their ratio (target ≥ 0.90); and
for every accepted claim, the delay from its answer reaching the claimant until ALL 70 streams
have said the shift is taken — max, p99 and p50 (target ≤ 3 s) — and whether every stream saw
every claim. The front door's checks (bench/burst.py `checked`) hold for every run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx2 as httpx  # noqa: E402

from app.bootstrap import bootstrap  # noqa: E402
from app.periods.live import start_period  # noqa: E402
from bench.burst import checked, claimants, claims, offering_now, wait_for_offering  # noqa: E402
from bench.http_burst import COOKIE, SignedIn, addresses, http_burst, register_district, sign_in_all  # noqa: E402
from bench.machine import machine  # noqa: E402
from infra.mailbox import mail_dir  # noqa: E402
from infra.process import exit_now, install_temporal_runtime  # noqa: E402


async def _board(http: httpx.AsyncClient, period: str, who: SignedIn, seen: dict[str, float],
                 connected: asyncio.Queue) -> None:
    """One doctor's open board: when each shift was first said to be taken."""
    headers = {"Cookie": f"{COOKIE}={who.cookie}", "Accept": "text/event-stream"}
    async with http.stream("GET", f"/periods/{period}/live", headers=headers) as stream:
        if stream.status_code != 200:
            raise RuntimeError(f"live stream for {who.doctor}: HTTP {stream.status_code}")
        connected.put_nowait(who.doctor)
        async for line in stream.aiter_lines():
            if line.startswith("data:"):
                now = time.perf_counter()
                for shift in json.loads(line[5:])["taken"]:
                    seen.setdefault(shift, now)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def one_burst(services, base_url: str, config, sessions: dict[str, SignedIn], args, *, boards: bool) -> dict:
    period = config.period.id
    await start_period(services, config, started_by="operator:bench")
    await wait_for_offering(services, period)
    seen: dict[str, dict[str, float]] = {d: {} for d in sessions}
    limits = httpx.Limits(max_connections=len(sessions) + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(30.0, read=None), limits=limits) as http:
        tasks: list[asyncio.Task] = []
        if boards:
            connected: asyncio.Queue = asyncio.Queue()
            tasks = [asyncio.create_task(_board(http, period, s, seen[d], connected)) for d, s in sessions.items()]
            for _ in sessions:
                await asyncio.wait_for(connected.get(), 30)
        await asyncio.sleep(1.0)  # the same settle time with and without boards
        accepted_at: dict[str, float] = {}
        actions = claims(config, count=args.actions, doctors=args.doctors)
        result = await http_burst(base_url, period, sessions, actions, connections=args.connections,
                                  accepted_at=accepted_at)
        if boards:  # wait until every stream saw every claim (or give up)
            give_up = time.perf_counter() + 10
            while time.perf_counter() < give_up and not all(set(accepted_at) <= set(s) for s in seen.values()):
                await asyncio.sleep(0.05)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    checks = await checked(services, period, args.actions, result)
    report = {"boards": len(sessions) if boards else 0, **result.summary(), "checks_ok": all(checks.values())}
    if boards:
        delays, missed = [], 0
        for shift, answered in accepted_at.items():
            times = [s.get(shift) for s in seen.values()]
            missed += sum(t is None for t in times)
            if all(t is not None for t in times):
                delays.append(max(times) - answered)
        report.update({
            "claims_seen_by_all": len(delays), "claims_accepted": len(accepted_at), "stream_misses": missed,
            "all_seen_max_s": round(max(delays), 3) if delays else None,
            "all_seen_p99_s": round(_percentile(delays, 0.99), 3), "all_seen_p50_s": round(_percentile(delays, 0.5), 3),
            "delays": delays,
        })
    print(f"{'70 boards open' if boards else 'no boards     '}: {report['per_second']}/s "
          f"({report['accepted']} accepted, {report['refused']} refused)"
          + (f"; seen by all: max {report['all_seen_max_s']} s, p99 {report['all_seen_p99_s']} s, "
             f"misses {report['stream_misses']}" if boards else ""), flush=True)
    return report


async def main(args: argparse.Namespace) -> dict:
    async with bootstrap() as services:
        base_url = args.url or services.web_settings.public_url
        run = uuid.uuid4().hex[:6]
        # A warm-up burst first (not counted: the first burst after a start is the slowest), then
        # none, boards, boards, none, …
        order = [False] * args.warmup + [i % 4 in (1, 2) for i in range(2 * args.pairs)]
        configs = [offering_now(f"bench-live-{run}-{i}") for i in range(len(order))]
        emails = addresses(run, claimants(configs[0], args.doctors))
        with tempfile.TemporaryDirectory() as work:  # every period's district has the same doctors
            for config in configs:
                await register_district(services, config, emails, Path(work))
        sessions = await sign_in_all(base_url, mail_dir(services.settings.data_dir), emails)
        print(f"signed in {len(sessions)} doctors", flush=True)
        runs = [await one_burst(services, base_url, c, sessions, args, boards=b) for c, b in zip(configs, order, strict=True)]
        runs = runs[args.warmup:]
    with_boards = [r for r in runs if r["boards"]]
    without = [r for r in runs if not r["boards"]]
    delays = [d for r in with_boards for d in r.pop("delays")]
    rate = {k: statistics.mean(r["per_second"] for r in rs) for k, rs in (("boards", with_boards), ("none", without))}
    return {
        "machine": machine(), "web_service": base_url, "doctors": len(sessions), "connections": args.connections,
        "runs": runs,
        "per_second_no_boards": round(rate["none"], 1), "per_second_70_boards": round(rate["boards"], 1),
        "ratio": round(rate["boards"] / rate["none"], 3),
        "all_seen_max_s": round(max(delays), 3) if delays else None,
        "all_seen_p99_s": round(_percentile(delays, 0.99), 3),
        "all_seen_p50_s": round(_percentile(delays, 0.5), 3),
        "stream_misses": sum(r["stream_misses"] for r in with_boards),
        "checks_ok": all(r["checks_ok"] for r in runs),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--doctors", type=int, default=70)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--pairs", type=int, default=2, help="bursts with and without boards, each (alternating)")
    parser.add_argument("--warmup", type=int, default=1, help="bursts without boards first, not counted")
    parser.add_argument("--url", help="the web service (default: VAKT_PUBLIC_URL, as `vakt dev` serves it)")
    install_temporal_runtime()
    report = asyncio.run(main(parser.parse_args()))
    print(json.dumps(report, indent=1))
    print(
        f"\n{report['doctors']} doctors, {report['connections']} connections: claims {report['per_second_no_boards']}/s "
        f"without boards, {report['per_second_70_boards']}/s with {report['doctors']} boards open: ratio "
        f"{report['ratio']} (target >= 0.90); every board saw each claim within max {report['all_seen_max_s']} s, "
        f"p99 {report['all_seen_p99_s']} s (target <= 3 s); misses {report['stream_misses']}"
    )
    ok = report["checks_ok"] and report["stream_misses"] == 0
    exit_now(0 if ok else 1)
