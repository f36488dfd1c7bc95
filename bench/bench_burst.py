"""Benchmark: a burst of doctors' actions through the front door, against `vakt dev`.

    .venv/bin/vakt dev &                       # the local stack (Temporal dev server, PostgreSQL, worker)
    .venv/bin/python bench/bench_burst.py      # 500 claims from 70 doctors, 50 in flight

In the same run it measures a bare no-op update on one workflow of the same server at 1, 2, 4,
8 and 10 in flight (Temporal refuses more than 10 per workflow), and reports the front door's
actions per second as a ratio of the best of those, with p50 and p99 latencies. It checks what
a burst must never break: every action answered (accepted + refused = sent), no shift held
twice, and an event log that is contiguous and hash-chained.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.bootstrap import bootstrap  # noqa: E402
from bench.burst import burst, checked, claims, noop_bar, start_offering_period  # noqa: E402
from bench.machine import machine  # noqa: E402
from infra.process import exit_now, install_temporal_runtime  # noqa: E402


async def main(args: argparse.Namespace) -> dict:
    async with bootstrap() as services:
        client = await services.temporal()
        noop = await noop_bar(client, args.noop_updates)
        best_in_flight = max(noop, key=noop.get)
        levels = {}
        for in_flight in sorted({1, 8, args.in_flight}):
            levels[in_flight] = await _one_burst(services, client, args, in_flight)
            print(f"front door, {in_flight:>2} in flight: {levels[in_flight]['per_second']}/s", flush=True)
    main_level = levels[args.in_flight]
    report = {
        "machine": machine(),
        "burst": {**main_level, "doctors": args.doctors, "in_flight": args.in_flight},
        "front_door_by_in_flight": {
            k: {"per_second": v["per_second"], "p50_ms": v["p50_ms"], "p99_ms": v["p99_ms"],
                "ratio": round(v["per_second"] / noop[best_in_flight], 2)}
            for k, v in levels.items()
        },
        "noop_per_second": {k: round(v, 1) for k, v in noop.items()},
        "noop_best": {"in_flight": best_in_flight, "per_second": round(noop[best_in_flight], 1)},
        "ratio": round(main_level["per_second"] / noop[best_in_flight], 2),
        "checks": {k: all(level["checks"][k] for level in levels.values()) for k in main_level["checks"]},
    }
    return report


async def _one_burst(services, client, args: argparse.Namespace, in_flight: int) -> dict:
    """A fresh period in its offering, `args.actions` claims with `in_flight` callers, checked."""
    period = f"bench-burst-{uuid.uuid4().hex[:6]}"
    config = await start_offering_period(services, period)
    actions = claims(config, count=args.actions, doctors=args.doctors)
    result = await burst(services, period, actions, in_flight=in_flight)
    return {**result.summary(), "checks": await checked(services, period, args.actions, result)}

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--doctors", type=int, default=70)
    parser.add_argument("--in-flight", type=int, default=50)
    parser.add_argument("--noop-updates", type=int, default=400)
    install_temporal_runtime()
    report = asyncio.run(main(parser.parse_args()))
    print(json.dumps(report, indent=1))
    b = report["burst"]
    print(
        f"\nfront door: {b['actions']} actions ({b['accepted']} accepted, {b['refused']} refused) from "
        f"{b['doctors']} doctors, {b['in_flight']} in flight: {b['per_second']}/s, p50 {b['p50_ms']} ms, "
        f"p99 {b['p99_ms']} ms; bare no-op best {report['noop_best']['per_second']}/s at "
        f"{report['noop_best']['in_flight']} in flight; ratio {report['ratio']}"
    )
    exit_now(0 if all(report["checks"].values()) and report["ratio"] >= 0.8 else 1)
