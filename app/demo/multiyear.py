"""`vakt demo --years N`: fairness across periods (R-LOAD-1), shown over consecutive half-years.

The sample district is imported into the registry twice — once with carry-over on (the default
policy) and once with it off. Each half-year is started by the scheduled round starter
(workflows/rounds.py) on the time-skipping server, exactly as a Schedule would at the invitation
time, and built from the registry as of its start: doctors join and leave, and new exemptions
arrive, between the rounds. In every round the same doctors behave the same way in both
districts — some take more than their quota at the meeting, some less — and the lottery fills
the rest. With carry-over, what a doctor worked above or below the quota carries into the next
round's lottery deficit (R-LOT-3); without it, every round starts everyone level.

The report gives each doctor's balance per round and the spread (max − min) of the cumulative
deviation from quota after each round, for both districts. The rounds run in the simulation
schema (re-runnable); the two districts live in the registry.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from typing import TYPE_CHECKING

from pydantic import BaseModel

from activities.rounds import RoundPlanner
from app.bootstrap import Services
from worker import create_worker
from app.periods.front_door import FrontDoor
from app.demo.samples import sample_roll
from domain import actors
from domain.period.calendar import PeriodCalendar
from domain.district import DistrictPolicy, RoundPolicy, first_start_on_time, invitation_at, next_period_start, round_dates
from domain.period.events import parse_event
from domain.model import Phase, Role
from domain.period.process import decide_action
from domain.registry.records import ExemptionRecord, RegistryDoctor, RegistryImport
from domain.period.roster import loads
from domain.period.rules import ActionKind, RuleViolation
from domain.period.state import PeriodState, apply, fold
from infra.embedded import start_time_skipping_env
from workflows.messages import ActionRequest, PhaseView
from workflows.period import AllocationPeriodWorkflow
from workflows.rounds import RoundStarterInput, ScheduledRoundWorkflow
from app.bootstrap import bootstrap
from domain.mail.notices import quota_now
from infra.settings import Settings

if TYPE_CHECKING:  # the store's type only: the demo gets it from the unit of work
    from adapters.postgres.registry import RegistryStore
import asyncio
import os
import shutil
import tempfile

Progress = Callable[[str], None]
TASK_QUEUE = "vaktfordeling-multiyear"


class RoundFigures(BaseModel):
    period: str
    doctors: int
    balances: dict[str, float]  # points minus quota in this round (R-LOAD-1)
    carried_in: dict[str, float]  # what each doctor carried into the round (0 without carry-over)
    cumulative: dict[str, float]  # deviation summed over the rounds so far
    spread: float  # max − min of `cumulative`


class DistrictRun(BaseModel):
    district: str
    carry: bool
    rounds: list[RoundFigures] = []


class MultiYearReport(BaseModel):
    years: int
    with_carry: DistrictRun
    without_carry: DistrictRun

    @property
    def final_spreads(self) -> tuple[float, float]:
        return self.with_carry.rounds[-1].spread, self.without_carry.rounds[-1].spread


@dataclass
class _Behaviour:
    """How much of their quota each GP takes at the meeting: the same in both districts."""

    seed: int
    share: dict[str, float] = field(default_factory=dict)

    def of(self, doctor: str) -> float:
        if doctor not in self.share:
            h = int(hashlib.sha256(f"{self.seed}:{doctor}".encode()).hexdigest()[:8], 16) % 10
            self.share[doctor] = 1.1 if h < 2 else (0.4 if h < 4 else 0.8)  # eager, reluctant, usual
        return self.share[doctor]


def _roll_for(round_index: int, base: tuple[RegistryDoctor, ...], start: date) -> tuple[RegistryDoctor, ...]:
    """The registry as it changes over the years: from the second round on, two GPs leave, two
    new ones join (with their own ids and contact data), and one GP gets a new exemption."""
    gps = [d for d in base if d.role is Role.GP]
    roll = list(base)
    for k in range(1, round_index + 1):
        leaving = gps[(3 * k) % len(gps)], gps[(3 * k + 1) % len(gps)]
        roll = [
            d.model_copy(update={"left_on": start - timedelta(days=1)}) if d.id in {x.id for x in leaving} and d.left_on is None
            else d
            for d in roll
        ]
        template = gps[(5 * k) % len(gps)]
        for j in (1, 2):
            roll.append(
                template.model_copy(
                    update={"id": f"new{k}{j}", "email": f"new{k}{j}@legekontor.example.no",
                            "mobile": f"+479{k}{j}00000"[:11], "exemptions": (), "absences": (), "stand_ins": (),
                            "joined_on": start - timedelta(days=30), "left_on": None}
                )
            )
        pregnant = gps[(7 * k + 2) % len(gps)]
        roll = [
            d.model_copy(update={"exemptions": (*d.exemptions, ExemptionRecord(
                reason="pregnancy", **{"from": start + timedelta(days=60)}, to=start + timedelta(days=150), granted=True,
            ))}) if d.id == pregnant.id else d
            for d in roll
        ]
    return tuple(roll)


def _choices(
    state: PeriodState, calendar: PeriodCalendar, behaviour: _Behaviour, rng: random.Random, kind: ActionKind
) -> list[tuple[str, str]]:
    """Each GP who acts now picks legal shifts until their share of the quota, in a shuffled
    order of turns, as a meeting goes round the table: at the meeting those who attend
    (R-MEET-1), before it those with a valid absence, as advance wishes (R-MEET-2). Decided with
    the same pure rules the workflow applies, so every action sent is accepted in this order."""
    config = state.require_config()
    if kind is ActionKind.MEETING_PICK:
        now = config.period.meeting_at + timedelta(minutes=5)
    else:
        now = config.period.wishes_due - timedelta(hours=1)
    quota = state.quota
    if quota is None:
        quota = quota_now(state, calendar)
    absent = kind is ActionKind.ADVANCE_WISH
    gps = [
        d.id for d in config.doctors
        if d.role is Role.GP and quota.of(d.id) > 0 and d.valid_meeting_absence == absent
    ]
    targets = {g: round(quota.of(g) * behaviour.of(g)) for g in gps}
    picks: list[tuple[str, str]] = []
    open_ids = [s.id for s in calendar.shifts if s.id not in state.assignments]
    active = list(gps)
    while active:
        rng.shuffle(active)
        still = []
        for gp in active:
            if sum(1 for _, d in state.assignments.items() if d.doctor == gp) >= targets[gp]:
                continue
            choice = None
            for shift in rng.sample(open_ids, min(40, len(open_ids))):
                decision = decide_action(state, calendar, kind, gp, shift, now)
                if not isinstance(decision, RuleViolation):
                    choice = decision
                    break
            if choice is None:
                continue
            state = apply(state, choice)
            open_ids.remove(choice.shift)
            picks.append((gp, choice.shift))
            still.append(gp)
        active = still
    return picks


async def _settle(handle) -> PhaseView:
    """Until every event the round recorded is stored — without moving its clock."""
    for _ in range(2000):
        view: PhaseView = await handle.query(AllocationPeriodWorkflow.phase)
        if view.stored_version == view.version:
            return view
        await asyncio.sleep(0.01)
    raise TimeoutError("the round's events were not stored")


async def _skip_until(env, handle, reached: Callable[[PhaseView], bool]) -> PhaseView:
    """Move the clock deadline by deadline until the settled round is where it should be."""
    for _ in range(2000):
        view = await _settle(handle)
        if reached(view):
            return view
        if view.next_deadline is not None and view.next_deadline > view.now:
            await env.sleep(view.next_deadline - view.now + timedelta(seconds=1))
        else:
            await env.sleep(timedelta(seconds=1))
    raise TimeoutError("the round did not reach the expected phase")


async def multi_year(services: Services, *, years: int = 2, seed: int = 2027, progress: Progress | None = None) -> MultiYearReport:
    """The demo in a private, throwaway embedded database: its two districts never join the
    registry (or the schedules) of the database the operator works with."""
    private = tempfile.mkdtemp(prefix="vakt-multiyear-")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VAKT_MIGRATION_DATABASE_URL")}
    env["VAKT_DATA_DIR"] = private
    try:
        async with bootstrap(Settings.from_env(env), env=env) as own:
            return await _multi_year(own, years=years, seed=seed, progress=progress)
    finally:
        shutil.rmtree(private, ignore_errors=True)


async def _multi_year(services: Services, *, years: int, seed: int, progress: Progress | None) -> MultiYearReport:
    say = progress or (lambda _m: None)
    live = await services.database()
    simulation = await services.simulation_database()
    registry = live.registry
    runs = {True: DistrictRun(district="yeardemo-carry", carry=True), False: DistrictRun(district="yeardemo-nocarry", carry=False)}
    policy = DistrictPolicy()
    env = await start_time_skipping_env(services.data_converter)
    async with env:
        # Dated from the test server's clock (today): the first half-year whose invitation is
        # still ahead, so no round ever meets a deadline in the past.
        starts = demo_starts(await env.get_current_time(), policy.rounds, 2 * years)
        base = sample_roll(starts[0])
        for run in runs.values():
            for start in starts:
                await simulation.store.reset_simulated_stream(round_dates(run.district, start, policy.rounds).id)
        planner = RoundPlanner(registry, simulation.store, env.client).activities()
        async with create_worker(env.client, simulation.store, TASK_QUEUE, fail_fast=True, extra_activities=planner):
            return await _drive(env, registry, simulation, runs, policy, starts, base, seed, say, years)


async def _drive(env, registry: RegistryStore, simulation, runs: dict[bool, DistrictRun], policy: DistrictPolicy,
                 starts: list[date], base: tuple[RegistryDoctor, ...], seed: int, say: Progress, years: int) -> MultiYearReport:
    """Each half-year in turn, on the test server's clock. Time moves only when this driver says
    so (env.sleep), never while it waits for a result: each phase's actions then land in that
    phase, the same on every run."""
    door = FrontDoor(env.client)
    try:
        with env.auto_time_skipping_disabled():
            for index, start in enumerate(starts):
                due = invitation_at(round_dates("x", start, policy.rounds), policy.rounds)
                server_now = await env.get_current_time()
                if due > server_now:
                    await env.sleep(due - server_now + timedelta(seconds=1))
                roll = _roll_for(index, base, start)
                for carry, run in runs.items():
                    district_policy = policy.model_copy(update={"carry": policy.carry.model_copy(update={"enabled": carry})})
                    await registry.import_district(
                        run.district,
                        RegistryImport(doctors=roll, name=f"Multi-year demo ({'carry-over' if carry else 'no carry-over'})",
                                       policy=district_policy),
                        actor=actors.actor("admin", "multi-year demo"), today=start - timedelta(days=40),
                    )
                    await registry.update_policy(
                        run.district, lambda _old, new=district_policy: new, actor=actors.actor("admin", "multi-year demo")
                    )
                # Both districts' rounds run side by side, on the same dates and the same seed.
                figures = await _run_rounds(env, door, simulation, list(runs.values()), index, seed)
                for run, f in zip(runs.values(), figures, strict=True):
                    run.rounds.append(f)
                    say(f"{f.period}: {f.doctors} doctors, spread of cumulative deviation {f.spread:g}")
    finally:
        await door.aclose()
    return MultiYearReport(years=years, with_carry=runs[True], without_carry=runs[False])


def demo_starts(now: datetime, policy: RoundPolicy, count: int) -> list[date]:
    """The start dates of `count` consecutive rounds, the first one whose invitation is after `now`."""
    starts = [first_start_on_time(now, policy)]
    while len(starts) < count:
        starts.append(next_period_start(starts[-1], policy.months))
    return starts


async def _run_rounds(env, door: FrontDoor, simulation, runs: list[DistrictRun], index: int, seed: int) -> list[RoundFigures]:
    periods = []
    for run in runs:
        starter = await env.client.execute_workflow(
            ScheduledRoundWorkflow.run,
            RoundStarterInput(district_id=run.district, search_attributes=False, follow_through=False, simulated=True,
                              lottery_seed=seed + index),
            id=f"starter-{run.district}-{index}-{uuid.uuid4().hex[:6]}",
            task_queue=TASK_QUEUE,
        )
        if starter.period_id is None:
            raise RuntimeError(f"the starter did not start a round for {run.district}: {starter.outcome}")
        periods.append(starter.period_id)
    handles = [env.client.get_workflow_handle(p) for p in periods]
    for kind, ready in (
        (ActionKind.ADVANCE_WISH, lambda v: True),  # at once: wishes are due weeks later
        (ActionKind.MEETING_PICK, lambda v: v.meeting_open),
    ):
        for handle in handles:
            await _skip_until(env, handle, ready)
        for period in periods:
            await _act(door, simulation, period, kind, seed, index)
    figures = []
    for run, period, handle in zip(runs, periods, handles, strict=True):
        # Polled rather than awaited: the time-skipping server moves on while we skip.
        await _skip_until(env, handle, lambda v: v.phase is Phase.PUBLISHED)
        figures.append(await _figures(simulation, run, period))
    return figures


async def _act(door: FrontDoor, simulation, period: str, kind: ActionKind, seed: int, index: int) -> None:
    state = fold(parse_event(e.data) for e in await simulation.store.read_stream(period))
    calendar = PeriodCalendar.from_config(state.require_config())
    choices = _choices(state, calendar, _Behaviour(seed), random.Random(f"{seed}:{index}:{kind}"), kind)
    actor = actors.actor("scenario", period)
    outcomes = await door.submit(period, [
        ActionRequest(request_id=uuid.uuid4().hex, kind=kind, doctor=d, shift=s, actor=actor) for d, s in choices
    ])
    refused = [o for o in outcomes if not o.accepted]
    if refused:
        raise RuntimeError(f"a planned action was refused in {period}: {refused[0].rule} {refused[0].message}")


async def _figures(simulation, run: DistrictRun, period: str) -> RoundFigures:
    final = fold(parse_event(e.data) for e in await simulation.store.read_stream(period))
    config = final.require_config()
    calendar = PeriodCalendar.from_config(config)
    by_doctor = loads(final, calendar)
    balances = {d: round(load.points - load.quota, 3) for d, load in by_doctor.items() if load.quota > 0}
    previous = run.rounds[-1].cumulative if run.rounds else {}
    cumulative = dict(previous)
    for doctor, balance in balances.items():
        cumulative[doctor] = round(cumulative.get(doctor, 0.0) + balance, 3)
    present = [v for d, v in cumulative.items() if d in balances]
    return RoundFigures(
        period=period,
        doctors=len(balances),
        balances=balances,
        carried_in={d.id: d.carried for d in config.doctors if d.carried},
        cumulative=cumulative,
        spread=round(max(present) - min(present), 3) if present else 0.0,
    )
