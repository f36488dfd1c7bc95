"""Benchmark: the longest workflow task of a simulated period, against Temporal's 2 s deadlock
limit (TMPRL1101).

    .venv/bin/python -m tools.district_generator --doctors 1000 --stations 8 --days 365 --seed 1 -o /tmp/big.json
    .venv/bin/python bench/bench_task_time.py /tmp/big.json [--limit 0.5]

Runs `vakt simulate`'s path on the scenario with the worker's deadlock limit lowered to
`--limit` seconds (so a task even near the real limit fails loudly), and times every workflow
activation. Reports the longest and the 99th percentile.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import temporalio.worker._workflow as _workflow_worker  # noqa: E402 - private: a measuring probe only

from app.bootstrap import bootstrap  # noqa: E402
from app.demo.simulation import run_simulation  # noqa: E402
from domain.scenario import parse_scenario  # noqa: E402
from infra.process import exit_now, install_temporal_runtime  # noqa: E402
from infra.settings import Settings  # noqa: E402

durations: list[float] = []


def probe(limit: float) -> None:
    init, handle = _workflow_worker._WorkflowWorker.__init__, _workflow_worker._WorkflowWorker._handle_activation

    def patched_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self._deadlock_timeout_seconds = limit

    async def timed(self, activation):
        started = time.perf_counter()
        try:
            return await handle(self, activation)
        finally:
            durations.append(time.perf_counter() - started)

    _workflow_worker._WorkflowWorker.__init__ = patched_init
    _workflow_worker._WorkflowWorker._handle_activation = timed


async def main(path: Path) -> dict:
    data = tempfile.mkdtemp(prefix="vakt-bench-tasks-")
    env = {**os.environ, "VAKT_DATA_DIR": data}
    env.pop("DATABASE_URL", None)
    async with bootstrap(Settings.from_env(env), env=env) as services:
        outcome = await run_simulation(services, parse_scenario(json.loads(path.read_text())))
    ordered = sorted(durations)
    return {
        "phase": outcome.document["phase"],
        "shifts": len(outcome.document["shifts"]),
        "seconds": round(outcome.seconds, 1),
        "activations": len(ordered),
        "longest_task_s": round(ordered[-1], 3),
        "p99_task_s": round(ordered[int(0.99 * (len(ordered) - 1))], 3),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--limit", type=float, default=0.5, help="deadlock limit for this run, seconds")
    args = parser.parse_args()
    probe(args.limit)
    install_temporal_runtime()
    print(json.dumps(asyncio.run(main(args.scenario)), indent=1))
    exit_now(0)
