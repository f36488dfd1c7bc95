"""Run a scenario through the real workflow and activities on the time-skipping test server.

Deadlines weeks apart pass at once: between phases the driver asks the test server to skip to
the next deadline. Every event lands in PostgreSQL as a *simulation* stream; the result
document is rebuilt from those stored events, exactly as `vakt roster` does.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities.rejections import RejectionLog
from activities.store import EventStore
from domain.calendar import PeriodCalendar
from domain.model import PHASE_ORDER, Phase
from domain.events import parse_event
from domain.roster import roster_document
from domain.state import fold, lottery_draws
from domain.scenario import Scenario, to_period_config
from infra.embedded import start_time_skipping_env
from worker import create_worker, open_store
from workflows.messages import ActionInput, PeriodInput, PhaseView
from workflows.period import RULE_VIOLATION, RUN_ROLLING_OVER, AllocationPeriodWorkflow

TASK_QUEUE = "vaktfordeling-simulation"

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class LivePeriodError(Exception):
    """The scenario's period id belongs to a live period; a simulation never touches it."""


@dataclass
class SimulationOutcome:
    document: dict
    seconds: float
    actions: int
    runs: int  # workflow runs (continue-as-new count + 1)
    timings: dict[str, float] = field(default_factory=dict)


ACTION_LISTS = (
    ("staff_assignments", "staff_entry", AllocationPeriodWorkflow.enter_staff_shift),
    ("advance_wishes", "advance_wish", AllocationPeriodWorkflow.submit_advance_wish),
    ("meeting_picks", "meeting_pick", AllocationPeriodWorkflow.make_meeting_pick),
    ("claims", "offering_claim", AllocationPeriodWorkflow.claim_offered_shift),
)


def _retryable(error: Exception) -> bool:
    # More than 10 updates in flight per workflow are refused (RESOURCE_EXHAUSTED); a run at its
    # update limit refuses until it has continued as new (RunRollingOver).
    if isinstance(error, RPCError):
        return error.status is RPCStatusCode.RESOURCE_EXHAUSTED
    if isinstance(error, WorkflowUpdateFailedError):
        cause = error.cause
        return isinstance(cause, ApplicationError) and cause.type == RUN_ROLLING_OVER
    return False


async def execute_with_backoff(call, attempts: int = 12):
    delay = 0.02
    for attempt in range(attempts):
        try:
            return await call()
        except (RPCError, WorkflowUpdateFailedError) as e:
            if not _retryable(e) or attempt == attempts - 1:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


async def _send_actions(
    handle: WorkflowHandle, update, kind: str, actions, rejected: list[dict], progress: Progress | None, stage: str
) -> None:
    # In the listed order, one at a time: "first valid claim wins" (R-PROC-3) needs the order.
    published = False
    for i, action in enumerate(actions, 1):
        detail = None
        if published:
            detail = _AFTER_PUBLICATION
        else:
            try:
                await execute_with_backoff(
                    lambda: handle.execute_update(update, ActionInput(doctor=action.doctor, shift=action.shift))
                )
            except WorkflowUpdateFailedError as e:
                cause = e.cause
                if not (isinstance(cause, ApplicationError) and cause.type == RULE_VIOLATION):
                    raise
                detail = cause.details[0] if cause.details else {"rule": "?", "message": cause.message}
            except RPCError as e:
                # The period was published (its workflow completed) before this action's phase
                # came: a deadline left the phase no time. Refused like any out-of-phase action.
                if e.status is not RPCStatusCode.NOT_FOUND:
                    raise
                published, detail = True, _AFTER_PUBLICATION
        if detail is not None:
            rejected.append(
                {
                    "action": {"doctor": action.doctor, "shift": action.shift},
                    "kind": kind,
                    "rule": detail["rule"],
                    "message": detail["message"],
                }
            )
        if progress:
            progress(stage, i, len(actions))


_AFTER_PUBLICATION = {"rule": "R-PROC-7", "message": "the period is already published; no phase accepts actions"}


def _after(phase: Phase, other: Phase) -> bool:
    return PHASE_ORDER.index(phase) > PHASE_ORDER.index(other)


async def _skip_until(env: WorkflowEnvironment, handle: WorkflowHandle, reached: Callable[[PhaseView], bool]) -> None:
    """Skip server time to the next deadline until the workflow reports the wanted state."""
    for _ in range(1000):
        view: PhaseView = await handle.query(AllocationPeriodWorkflow.phase)
        if reached(view):
            return
        if view.next_deadline is not None and view.next_deadline > view.now:
            await env.sleep(view.next_deadline - view.now + timedelta(seconds=1))
        else:
            await asyncio.sleep(0.01)  # the timer fired; its workflow task is being processed
    raise TimeoutError("the workflow did not reach the expected phase")


async def run_simulation(
    scenario: Scenario,
    database_url: str,
    progress: Progress | None = None,
    max_updates_per_run: int | None = None,
) -> SimulationOutcome:
    config = to_period_config(scenario)
    if config.lottery_seed is None:
        # A dry run must be repeatable: without a seed, derive one from the scenario itself.
        canonical = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True)
        config = config.model_copy(update={"lottery_seed": int(hashlib.sha256(canonical.encode()).hexdigest()[:15], 16)})
    period_id = config.period.id
    started = time.perf_counter()
    timings: dict[str, float] = {}
    pool, store = await open_store(database_url)
    try:
        await _reset_earlier_simulation(store, period_id)
        env = await start_time_skipping_env()
        async with env, create_worker(env.client, store, TASK_QUEUE, fail_fast=True):
            # Anchor the period's clock an hour before wishes are due, whatever today's date is.
            server_now = await env.get_current_time()
            anchor = config.period.wishes_due - timedelta(hours=1)
            inp = PeriodInput(
                config=config, simulated=True, clock_offset_seconds=(anchor - server_now).total_seconds()
            )
            if max_updates_per_run:
                inp = inp.model_copy(update={"max_updates_per_run": max_updates_per_run})
            handle = await env.client.start_workflow(
                AllocationPeriodWorkflow.run, inp, id=period_id, task_queue=TASK_QUEUE
            )
            rejected: list[dict] = []
            for attr, kind, update in ACTION_LISTS:
                # Wait for the phase the actions belong to, or any later one: when a deadline
                # leaves a phase no time at all, its actions are refused (R-PROC-7), not lost.
                if attr == "meeting_picks":
                    await _skip_until(env, handle, lambda v: v.meeting_open or _after(v.phase, Phase.MEETING))
                elif attr == "claims":
                    await _skip_until(env, handle, lambda v: not _after(Phase.OFFERING, v.phase))
                t = time.perf_counter()
                await _send_actions(handle, update, kind, getattr(scenario, attr), rejected, progress, attr)
                timings[attr] = time.perf_counter() - t
            t = time.perf_counter()
            if progress:
                progress("lottery", 0, 1)
            result = await handle.result()  # skips to the offering deadline; the lottery runs and publishes
            timings["lottery_and_publish"] = time.perf_counter() - t
            if progress:
                progress("lottery", 1, 1)
        await RejectionLog(pool).replace(period_id, rejected)
        stored = [parse_event(e.data) for e in await store.read_stream(period_id)]
        document = roster_document(fold(stored), PeriodCalendar.from_config(config), lottery_draws(stored))
        document["rejected"] = rejected
        actions = sum(len(getattr(scenario, attr)) for attr, _, _ in ACTION_LISTS)
        return SimulationOutcome(document, time.perf_counter() - started, actions, result.runs, timings)
    finally:
        await pool.close()


async def _reset_earlier_simulation(store: EventStore, period_id: str) -> None:
    kind = await store.stream_kind(period_id)
    if kind == "live":
        raise LivePeriodError(
            f"period {period_id!r} is a live period in this database; a simulation never touches it. "
            "Give the scenario another period id."
        )
    if kind == "simulation":
        await store.reset_simulated_stream(period_id)
    await RejectionLog(store.pool).replace(period_id, [])
