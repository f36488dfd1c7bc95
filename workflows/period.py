"""AllocationPeriodWorkflow: one allocation period, meeting → offering → lottery → published,
then — for a live period — the published round until its last shift has ended.

The workflow adds time and durability to the pure decisions in `domain.period.process`:
- doctors' actions arrive in batches through one update, `submit_actions` (the front door,
  app/periods/front_door.py, batches them in arrival order). Each action gets a definite answer:
  accepted with its version, or refused with its rule. A refusal writes no event;
- durable timers close each phase at its deadline (R-PROC-1); an operator may close one early,
  extend a deadline or cancel the round, each recorded with who and why;
- every event is recorded with an id from `workflow.uuid4()`, a version and its actor, then
  appended to PostgreSQL in byte-sized batches by an idempotent activity;
- the lottery runs in an activity (`run_lottery`): it reads the stored events, draws, stores
  the draws and returns a compact outcome, so no workflow task nears the 2 s deadlock limit
  and no payload carries a large district's pools;
- after publication, doctors swap shifts (R-SWAP-1) and each shift, when it ends, is recorded as
  worked by whoever holds it then (R-LOAD-1); the round ends when its last shift has ended;
- all state lives in one `CarriedState`, handed to the next run on continue-as-new.
Workflow id = period id. Structure after temporalio/samples-python
`message_passing/safe_message_handlers`: the machinery in workflows/period_base.py, the
handlers in workflows/period_actions.py and workflows/period_swaps.py.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import actors
    from domain.model import Phase
    from workflows import search
    from workflows.messages import PeriodInput, PeriodResult
    from workflows.period_actions import ActionHandlers
    from workflows.period_base import RULE_VIOLATION, RUN_ROLLING_OVER, rule_violation_error
    from workflows.period_notices import NoticeSender
    from workflows.period_requests import RequestHandlers
    from workflows.period_swaps import SwapHandlers

__all__ = ["RULE_VIOLATION", "RUN_ROLLING_OVER", "AllocationPeriodWorkflow", "rule_violation_error"]


@workflow.defn
class AllocationPeriodWorkflow(RequestHandlers, SwapHandlers, NoticeSender, ActionHandlers):
    @workflow.init
    def __init__(self, inp: PeriodInput) -> None:
        self._setup(inp)

    @workflow.run
    async def run(self, inp: PeriodInput) -> PeriodResult:
        if inp.search_attributes:
            workflow.upsert_search_attributes(
                [
                    search.PERIOD.value_set(inp.config.period.id),
                    search.DISTRICT.value_set(inp.config.district.id),
                    search.PHASE.value_set(self._state.phase.value),
                ]
            )
        # Storing runs beside the deadline loop: a database outage delays storage, never a
        # deadline (a phase closes on time even while an append is retrying).
        appender = asyncio.create_task(self._append_pending())
        notifier = asyncio.create_task(self._notify()) if inp.notify else None
        # Swaps come after publication, when `_notify` has ended: their notices have a sender
        # of their own, for as long as the round runs.
        swap_notifier = asyncio.create_task(self._send_swap_notices()) if inp.notify else None
        while not self._state.finished:
            if self._close_request is not None:
                request, self._close_request = self._close_request, None
                self._step(actors.operator(request.operator), by="operator", request=request)
                continue
            if self._state.phase is Phase.LOTTERY:
                await self._hold_lottery()
                continue
            if self._should_continue_as_new():
                await self._continue_as_new()
                continue  # only reached when an operator's close came first
            deadline = self._next_deadline()
            remaining = (deadline - self._now()).total_seconds() if deadline else None
            if remaining is not None and remaining <= 0:
                self._step(actors.DEADLINE)
                continue
            try:
                await workflow.wait_condition(
                    lambda: self._close_request is not None
                    or self._state.finished
                    or self._next_deadline() != deadline  # an operator extended it: re-arm
                    or self._should_continue_as_new(),
                    timeout=timedelta(seconds=remaining) if remaining is not None else None,
                )
            except asyncio.TimeoutError:
                self._step(actors.DEADLINE)
        if notifier is not None:
            await notifier  # the results go out at publication; cancelled rounds send nothing more
        if self._state.phase is Phase.PUBLISHED and inp.follow_through:
            await self._follow_through()
        # Let in-flight handlers finish so none is cut off, then send their notices and store
        # the last events.
        await workflow.wait_condition(workflow.all_handlers_finished)
        if swap_notifier is not None:
            self._stop_swap_notices = True
            await swap_notifier
        self._stop_appender = True
        await appender
        return PeriodResult(
            period=inp.config.period.id,
            phase=self._state.phase,
            version=self._state.version,
            assigned=len(self._state.assignments),
            uncovered=len(self._state.uncovered),
            unsafe=len(self._state.unsafe),
            runs=self._runs_before + 1,
            updates=self._updates_before + self._updates_this_run,
        )

