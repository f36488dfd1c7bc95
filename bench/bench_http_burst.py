"""Benchmark: a burst of signed-in doctors' claims through the web service, against
`vakt dev`.

    VAKT_SIGN_IN_LIMIT_CLIENT=100000/1m VAKT_SIGN_IN_LIMIT_GLOBAL=100000/1m \
      VAKT_SIGN_IN_ATTEMPT_LIMIT_CLIENT=100000/1m .venv/bin/vakt dev &   # 70 links asked and used at once
    .venv/bin/python bench/bench_http_burst.py    # 500 claims from 70 doctors, 50 connections

The sample district's doctors are put on a registry roll of their own with addresses of this
run, and each signs in as a person does: asks for a link, which the web service mails to the
local SMTP server; the link is read from the mailbox and confirmed. Then a period in its offering
takes the claims through `POST /api/periods/{p}/actions`, 50 requests in flight, each with its
doctor's session cookie and CSRF token. The checks are the front door's (bench/bench_burst.py):
every request answered definitely (200 accepted with a version, or 409 refused with a rule), no
shift held twice, every acceptance stored, a contiguous and hash-chained log. In the same run a
bare no-op update on one workflow of the same Temporal server sets the bar (its best at 1–10 in
flight). `--url` points at another web service over the same database and Temporal.

The burst starts once the period's notices sent at its start have gone out (a clinic's offering
opens days after its invitations); `--with-invitations` starts it at once. `--server-pid` reports
the web process's CPU time per claim during the burst, `--profile FILE` a py-spy profile of it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.bootstrap import bootstrap  # noqa: E402
from app.periods.live import start_period  # noqa: E402
from bench.burst import (checked, claimants, claims, noop_bar, offering_now, wait_for_notices,  # noqa: E402
                         wait_for_offering)
from bench.http_burst import addresses, http_burst, register_district, sign_in_all  # noqa: E402
from bench.machine import machine  # noqa: E402
from bench.profiling import watched  # noqa: E402
from infra.mailbox import mail_dir  # noqa: E402
from infra.process import exit_now, install_temporal_runtime  # noqa: E402


async def main(args: argparse.Namespace) -> dict:
    async with bootstrap() as services:
        base_url = args.url or services.web_settings.public_url
        client = await services.temporal()
        noop = await noop_bar(client, args.noop_updates)
        best = max(noop, key=noop.get)

        run = uuid.uuid4().hex[:6]
        period = f"bench-http-{run}"
        config = offering_now(period)
        emails = addresses(run, claimants(config, args.doctors))
        with tempfile.TemporaryDirectory() as work:
            await register_district(services, config, emails, Path(work))
        started = time.perf_counter()
        sessions = await sign_in_all(base_url, mail_dir(services.settings.data_dir), emails)
        print(f"signed in {len(sessions)} doctors through their mailed links in "
              f"{time.perf_counter() - started:.1f} s", flush=True)

        await start_period(services, config, started_by="operator:bench")
        await wait_for_offering(services, period)
        if not args.with_invitations:
            print(f"the period's {await wait_for_notices(services, period)} notices sent; the burst starts", flush=True)
        actions = claims(config, count=args.actions, doctors=args.doctors)
        with watched(args.server_pid, args.profile) as server:
            result = await http_burst(base_url, period, sessions, actions, connections=args.connections)
        checks = await checked(services, period, args.actions, result)
    return {
        "machine": machine(),
        "web_service": base_url,
        "burst": {**result.summary(), "doctors": len(sessions), "connections": args.connections,
                  "http_statuses": {str(k): v for k, v in sorted(result.statuses.items())},
                  "unexpected": result.unexpected, "slowest_sent_answered_s": result.slowest},
        "noop_per_second": {k: round(v, 1) for k, v in noop.items()},
        "noop_best": {"in_flight": best, "per_second": round(noop[best], 1)},
        "ratio": round(result.per_second / noop[best], 2),
        "checks": checks,
        **({"server_cpu_ms_per_claim": round(1000 * server["cpu_seconds"] / args.actions, 2)} if server else {}),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--doctors", type=int, default=70)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--noop-updates", type=int, default=400)
    parser.add_argument("--url", help="the web service (default: VAKT_PUBLIC_URL, as `vakt dev` serves it)")
    parser.add_argument("--with-invitations", action="store_true",
                        help="start the burst at once, while the period's invitations are still being mailed (as before)")
    parser.add_argument("--server-pid", type=int,
                        help="the web service's process (`vakt dev`'s): its CPU time per claim during the burst")
    parser.add_argument("--profile", metavar="FILE",
                        help="with --server-pid: sample it with py-spy during the burst, collapsed stacks to FILE")
    install_temporal_runtime()
    report = asyncio.run(main(parser.parse_args()))
    print(json.dumps(report, indent=1))
    b = report["burst"]
    print(
        f"\nHTTP: {b['actions']} claims ({b['accepted']} accepted, {b['refused']} refused) from {b['doctors']} "
        f"signed-in doctors, {b['connections']} connections: {b['per_second']}/s, p50 {b['p50_ms']} ms, "
        f"p99 {b['p99_ms']} ms; bare no-op best {report['noop_best']['per_second']}/s at "
        f"{report['noop_best']['in_flight']} in flight; ratio {report['ratio']}"
        + (f"; web process {report['server_cpu_ms_per_claim']} CPU-ms per claim" if "server_cpu_ms_per_claim" in report else "")
    )
    exit_now(0 if all(report["checks"].values()) else 1)
