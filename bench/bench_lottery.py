"""Benchmark: the lottery's pure compute from 100 to 10,000 shifts, and `vakt verify` at the top.

    VAKT_DATA_DIR=/tmp/vakt-bench .venv/bin/python bench/bench_lottery.py [--runs 3] [--quick]

Each size is a generated district (tools/district_generator) with doctors scaled to the shifts
(about one doctor per ten shifts, up to 1,000 doctors, 8 stations and a year), a thin meeting
(most shifts open for the lottery), driven through the pure period process to the lottery. The
figure is `domain.lottery.phase.draw_lottery` alone — no Temporal, no database — the median of
`--runs` runs in this one process; the growth is given as ratios within the run. `verify` is
`domain.lottery.audit.verify_lottery` over the period's full event list. Prints a Markdown table and the
machine (nproc, CPU model, Python).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import machine  # noqa: E402
from domain.lottery.audit import verify_lottery  # noqa: E402
from domain.period.calendar import PeriodCalendar  # noqa: E402
from domain.period.events import DomainEvent, PeriodOpened  # noqa: E402
from domain.lottery.phase import draw_lottery  # noqa: E402
from domain.period.process import close_phase, decide_action, open_meeting, run_lottery  # noqa: E402
from domain.period.rules import ActionKind, RuleViolation  # noqa: E402
from domain.scenario import parse_scenario, to_period_config  # noqa: E402
from domain.period.state import PeriodState, apply  # noqa: E402
from tools.district_generator import generate_district  # noqa: E402

# (stations, days, doctors): about 100, 300, 1,000, 3,000, 5,000 and 10,000 shifts.
SIZES = ((1, 30, 10), (1, 91, 30), (1, 304, 100), (3, 365, 300), (4, 365, 420), (8, 365, 1000))
THIN = {"meeting_share": 0.1, "claim_share": 0.02}


def before_lottery(stations: int, days: int, doctors: int, seed: int, cap: int | None = None
                   ) -> tuple[PeriodState, PeriodCalendar, list, int]:
    """The state just before the lottery, and the events that led there. `cap`: R-LOAD-3."""
    doc = generate_district(doctors=doctors, stations=stations, days=days, seed=seed, **THIN)
    if cap is not None:
        doc["district"].setdefault("policy", {})["max_shifts_per_week"] = cap
    scenario = parse_scenario(doc)
    config = to_period_config(scenario)
    calendar = PeriodCalendar.from_config(config)
    events: list[DomainEvent] = [PeriodOpened(config=config)]
    state = apply(PeriodState(), events[0])

    def step(event: DomainEvent) -> None:
        nonlocal state
        events.append(event)
        state = apply(state, event)

    period = config.period
    for kind, actions, now in (
        (ActionKind.STAFF_ENTRY, scenario.staff_assignments, period.wishes_due - timedelta(days=1)),
        (ActionKind.ADVANCE_WISH, scenario.advance_wishes, period.wishes_due),
        (None, None, None),
        (ActionKind.MEETING_PICK, scenario.meeting_picks, period.meeting_at),
        ("close", None, None),
        (ActionKind.OFFERING_CLAIM, scenario.claims, period.offering_closes - timedelta(hours=1)),
        ("close", None, None),
    ):
        if kind is None:
            step(open_meeting(state, calendar))
        elif kind == "close":
            step(close_phase(state))
        else:
            for a in actions:
                result = decide_action(state, calendar, kind, a.doctor, a.shift, now)
                if not isinstance(result, RuleViolation):
                    step(result)
    return state, calendar, events, config.lottery_seed or 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="only the three smallest sizes")
    parser.add_argument("--cap", type=int, help="R-LOAD-3: a weekly cap; compares the lottery's algorithms 1 and 2")
    args = parser.parse_args()
    sizes = SIZES[:3] if args.quick else SIZES
    print(f"Machine: {machine()}")
    print()
    if args.cap is not None:
        return capped(sizes, args.cap, args.runs)
    print("| shifts | open for the lottery | doctors | stations × days | lottery compute (median) | × the 100-shift time | growth exponent vs previous |")
    print("|---:|---:|---:|---|---:|---:|---:|")
    rows = []
    for stations, days, doctors in sizes:
        state, calendar, events, seed = before_lottery(stations, days, doctors, seed=1)
        open_shifts = sum(1 for s in calendar.shifts if s.id not in state.assignments)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            draw_lottery(state, calendar, seed)
            times.append(time.perf_counter() - started)
        t = statistics.median(times)
        rows.append((len(calendar.shifts), t))
        ratio = t / rows[0][1]
        growth = "—"
        if len(rows) > 1:
            (n0, t0), (n1, t1) = rows[-2], rows[-1]
            growth = f"{math.log(t1 / t0) / math.log(n1 / n0):.2f}"
        print(f"| {len(calendar.shifts):,} | {open_shifts:,} | {doctors:,} | {stations} × {days} | {t * 1000:,.0f} ms "
              f"| {ratio:,.1f} | {growth} |", flush=True)
    # vakt verify on the largest period: recompute every draw from the full event list.
    outcome = run_lottery(state, calendar, seed)
    full = events + outcome
    started = time.perf_counter()
    report = verify_lottery(full)
    verify = time.perf_counter() - started
    print()
    print(f"verify_lottery on the {len(calendar.shifts):,}-shift period ({report.draws:,} draws, "
          f"{report.uncovered} uncovered): {verify:.2f} s, ok={report.ok}")


def capped(sizes, cap: int, runs: int) -> None:
    """Algorithm 1 (no pair re-solves) and 2 side by side on each size, with a weekly cap."""
    print(f"Weekly cap {cap} (R-LOAD-3): lottery compute (median of {runs}) and shifts drawn within the cap")
    print()
    print("| shifts | open | doctors | algorithm 1 | within the cap | algorithm 2 | within the cap | time 2 ÷ 1 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for stations, days, doctors in sizes:
        state, calendar, _, seed = before_lottery(stations, days, doctors, seed=1, cap=cap)
        open_shifts = sum(1 for s in calendar.shifts if s.id not in state.assignments)
        cells = []
        for algorithm in (1, 2):
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                events = draw_lottery(state, calendar, seed, algorithm=algorithm)
                times.append(time.perf_counter() - started)
            within = sum(1 for e in events if getattr(e, "doctor", None) and not e.beyond_cap)
            cells.append((statistics.median(times), within))
        (t1, w1), (t2, w2) = cells
        print(f"| {len(calendar.shifts):,} | {open_shifts:,} | {doctors:,} | {t1 * 1000:,.0f} ms | {w1:,} "
              f"| {t2 * 1000:,.0f} ms | {w2:,} | {t2 / t1:.2f} |", flush=True)


if __name__ == "__main__":
    main()
