"""`vakt simulate`: a scenario through the real workflow and activities, on the time-skipping
test server. Deadlines weeks apart pass at once: between phases the driver asks the server to
skip to the next deadline. Actions go through the same front door as live ones, in the listed
order (first valid claim wins). Every event lands in PostgreSQL's *simulation* schema, never
beside the live periods; the result document is rebuilt from those stored events, exactly as
`vakt roster` does.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio.client import WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from adapters.postgres.rejections import Refusal
from app.bootstrap import Services
from worker import create_worker
from app.periods.front_door import FrontDoor
from app.periods.updates import WorkflowGone
from domain import actors
from domain.period.calendar import PeriodCalendar
from domain.period.events import parse_event
from domain.model import PHASE_ORDER, Phase
from domain.period.roster import roster_document
from domain.period.rules import ActionKind
from domain.scenario import Scenario, to_period_config
from domain.period.state import fold, lottery_draws
from infra.embedded import start_time_skipping_env
from workflows.messages import ActionRequest, PeriodInput, PhaseView
from workflows.period import AllocationPeriodWorkflow

TASK_QUEUE = "vaktfordeling-simulation"

Progress = Callable[[str, int, int], None]  # (stage, done, total)

ACTION_LISTS = (
    ("staff_assignments", ActionKind.STAFF_ENTRY),
    ("advance_wishes", ActionKind.ADVANCE_WISH),
    ("meeting_picks", ActionKind.MEETING_PICK),
    ("claims", ActionKind.OFFERING_CLAIM),
)
_AFTER_PUBLICATION = ("R-PROC-7", "the period is already published; no phase accepts actions")
_CHUNK = 200  # actions queued at a time, so progress moves while a long list is sent


@dataclass
class SimulationOutcome:
    document: dict
    seconds: float
    actions: int
    runs: int  # workflow runs (continue-as-new count + 1)
    timings: dict[str, float] = field(default_factory=dict)


def _after(phase: Phase, other: Phase) -> bool:
    return PHASE_ORDER.index(phase) > PHASE_ORDER.index(other)


async def _skip_until(env: WorkflowEnvironment, handle: WorkflowHandle, reached: Callable[[PhaseView], bool]) -> None:
    """Skip server time to the next deadline until the workflow reports the wanted state."""
    for _ in range(1000):
        try:
            view: PhaseView = await handle.query(AllocationPeriodWorkflow.phase, rpc_timeout=timedelta(seconds=10))
        except RPCError:
            # A query that lands while a run hands over to the next (continue-as-new) can time
            # out on the test server; the next one reaches the new run.
            await asyncio.sleep(0.05)
            continue
        if reached(view):
            return
        if view.next_deadline is not None and view.next_deadline > view.now:
            await env.sleep(view.next_deadline - view.now + timedelta(seconds=1))
        else:
            await asyncio.sleep(0.01)  # the timer fired; its workflow task is being processed
    raise TimeoutError("the workflow did not reach the expected phase")


async def _send(
    door: FrontDoor, period: str, kind: ActionKind, actions, progress: Progress | None, stage: str
) -> list[Refusal]:
    refusals: list[Refusal] = []
    actor = actors.actor("scenario", period)
    gone = False
    for start in range(0, len(actions), _CHUNK):
        chunk = actions[start : start + _CHUNK]
        requests = [
            ActionRequest(request_id=uuid.uuid4().hex, kind=kind, doctor=a.doctor, shift=a.shift, actor=actor)
            for a in chunk
        ]
        answers: list[tuple[str, str] | None]
        if gone:
            answers = [_AFTER_PUBLICATION] * len(chunk)
        else:
            try:
                outcomes = await door.submit(period, requests)
                answers = [None if o.accepted else (o.rule or "?", o.message or "") for o in outcomes]
            except WorkflowGone:
                # The period was published before this action's phase came: a deadline left the
                # phase no time. Refused like any out-of-phase action (R-PROC-7).
                gone, answers = True, [_AFTER_PUBLICATION] * len(chunk)
        for action, answer in zip(chunk, answers, strict=True):
            if answer is not None:
                refusals.append(
                    Refusal(stream_id=period, kind=kind.value, doctor=action.doctor, shift=action.shift,
                            rule=answer[0], message=answer[1], actor=actor)
                )
        if progress:
            progress(stage, min(start + _CHUNK, len(actions)), len(actions))
    return refusals


def repeatable_seed(scenario: Scenario) -> int:
    """A dry run must be repeatable: without a seed, one is derived from the scenario itself."""
    canonical = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True)
    return int(hashlib.sha256(canonical.encode()).hexdigest()[:15], 16)


async def run_simulation(
    services: Services,
    scenario: Scenario,
    progress: Progress | None = None,
    max_updates_per_run: int | None = None,
    batch_size: int | None = None,
) -> SimulationOutcome:
    """`batch_size` caps the actions per update (default: the front door's maximum); the tests
    use 1 to drive many updates through continue-as-new."""
    config = to_period_config(scenario)
    if config.lottery_seed is None:
        config = config.model_copy(update={"lottery_seed": repeatable_seed(scenario)})
    period_id = config.period.id
    started = time.perf_counter()
    timings: dict[str, float] = {}
    db = await services.simulation_database()
    await db.store.reset_simulated_stream(period_id)
    await db.rejections.replace(period_id, [])
    env = await start_time_skipping_env(services.data_converter)
    async with env, create_worker(env.client, db.store, TASK_QUEUE, fail_fast=True):
        door = FrontDoor(env.client, **({"batch_size": batch_size} if batch_size else {}))
        try:
            # Anchor the period's clock an hour before wishes are due, whatever today's date is.
            server_now = await env.get_current_time()
            anchor = config.period.wishes_due - timedelta(hours=1)
            inp = PeriodInput(
                config=config, simulated=True, clock_offset_seconds=(anchor - server_now).total_seconds(),
                started_by=actors.actor("scenario", period_id),
                follow_through=False,  # a dry run ends at publication
            )
            if max_updates_per_run:
                inp = inp.model_copy(update={"max_updates_per_run": max_updates_per_run})
            handle = await env.client.start_workflow(
                AllocationPeriodWorkflow.run, inp, id=period_id, task_queue=TASK_QUEUE
            )
            refusals: list[Refusal] = []
            for attr, kind in ACTION_LISTS:
                # Wait for the phase the actions belong to, or any later one: when a deadline
                # leaves a phase no time at all, its actions are refused (R-PROC-7), not lost.
                if attr == "meeting_picks":
                    await _skip_until(env, handle, lambda v: v.meeting_open or _after(v.phase, Phase.MEETING))
                elif attr == "claims":
                    await _skip_until(env, handle, lambda v: not _after(Phase.OFFERING, v.phase))
                t = time.perf_counter()
                refusals += await _send(door, period_id, kind, getattr(scenario, attr), progress, attr)
                timings[attr] = time.perf_counter() - t
            t = time.perf_counter()
            if progress:
                progress("lottery", 0, 1)
            result = await handle.result()  # skips to the offering deadline; the lottery runs and publishes
            timings["lottery_and_publish"] = time.perf_counter() - t
            if progress:
                progress("lottery", 1, 1)
        finally:
            await door.aclose()
    await db.rejections.replace(period_id, refusals)
    stored = [parse_event(e.data) for e in await db.store.read_stream(period_id)]
    document = roster_document(fold(stored), PeriodCalendar.from_config(config), lottery_draws(stored))
    document["rejected"] = [
        {"action": {"doctor": r.doctor, "shift": r.shift}, "kind": r.kind, "rule": r.rule, "message": r.message}
        for r in refusals
    ]
    actions = sum(len(getattr(scenario, attr)) for attr, _ in ACTION_LISTS)
    return SimulationOutcome(document, time.perf_counter() - started, actions, result.runs, timings)
