"""Benchmark: simulate the bundled Mosseregionen-sized district (60 GPs, a half-year, ~480
actions) end to end on the time-skipping server and an embedded PostgreSQL.

    .venv/bin/python bench/bench_simulate.py [--rounds 3] [--scenario PATH]

Prints wall time per phase, updates per second, and the lottery's pure compute time. Speed
targets live here, not in the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from app.bootstrap import bootstrap
from app.demo.samples import SAMPLE_PATH
from app.demo.simulation import run_simulation
from domain.period.calendar import PeriodCalendar
from domain.scenario import parse_scenario, to_period_config
from infra.settings import Settings
from infra.process import exit_now, install_temporal_runtime


def lottery_compute_seconds(scenario) -> float:
    """The pure lottery on the state left after the offering (no Temporal, no database)."""
    from datetime import timedelta

    from domain.period.events import PeriodOpened
    from domain.period.process import close_phase, decide_action, open_meeting, run_lottery
    from domain.period.rules import ActionKind, RuleViolation
    from domain.period.state import PeriodState, apply

    config = to_period_config(scenario)
    calendar = PeriodCalendar.from_config(config)
    state = apply(PeriodState(), PeriodOpened(config=config))
    now = config.period.wishes_due - timedelta(hours=1)
    for kind, actions in (
        (ActionKind.STAFF_ENTRY, scenario.staff_assignments),
        (ActionKind.ADVANCE_WISH, scenario.advance_wishes),
        (None, None),
        (ActionKind.MEETING_PICK, scenario.meeting_picks),
        ("close", None),
        (ActionKind.OFFERING_CLAIM, scenario.claims),
        ("close", None),
    ):
        if kind is None:
            state = apply(state, open_meeting(state, calendar))
        elif kind == "close":
            state = apply(state, close_phase(state))
        else:
            for a in actions:
                d = decide_action(state, calendar, kind, a.doctor, a.shift, now)
                if not isinstance(d, RuleViolation):
                    state = apply(state, d)
    started = time.perf_counter()
    run_lottery(state, calendar, config.lottery_seed or 1)
    return time.perf_counter() - started


async def main(path: Path, rounds: int) -> None:
    scenario = parse_scenario(json.loads(path.read_text()))
    data_dir = Path(tempfile.mkdtemp(prefix="vakt-bench-"))
    totals = []
    for i in range(rounds):
        async with bootstrap(Settings.from_env({**os.environ, "VAKT_DATA_DIR": str(data_dir)})) as services:
            outcome = await run_simulation(services, scenario)
        totals.append(outcome.seconds)
        per_phase = ", ".join(f"{k} {v:.2f}s" for k, v in outcome.timings.items())
        sending = sum(v for k, v in outcome.timings.items() if k != "lottery_and_publish")
        print(f"round {i + 1}: {outcome.seconds:.2f}s in all (server start, schedule, every phase, publication); "
              f"{outcome.actions / sending:.0f} actions/s while sending ({per_phase})")
    print(f"median {statistics.median(totals):.2f}s over {rounds} rounds; "
          f"{len(scenario.doctors)} doctors, {len(PeriodCalendar.from_config(to_period_config(scenario)).shifts)} shifts")
    print(f"pure lottery compute: {lottery_compute_seconds(scenario) * 1000:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scenario", type=Path, default=SAMPLE_PATH)
    args = parser.parse_args()
    install_temporal_runtime()
    asyncio.run(main(args.scenario, args.rounds))
    exit_now(0)
