"""The machinery every part of a period's workflow shares: its state, its clock, recording
events, storing them, the phase steps, the lottery activity and continue-as-new.

`AllocationPeriodWorkflow` (workflows/period.py) is this base plus its message handlers:
doctors' and operators' actions (workflows/period_actions.py) and swaps after publication
(workflows/period_swaps.py). Not a workflow on its own.
"""


from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    # Pure modules: passed through so the sandbox does not re-import pydantic per run.
    from activities.store_models import AppendEventsInput, AppendEventsResult, LotteryInput, StoreErrorType
    from domain import actors
    from domain.period.calendar import PeriodCalendar
    from domain.period.events import DomainEvent, PeriodOpened, RecordedEvent, RoundRestarted
    from domain.model import OSLO_TZ
    from domain.period.process import (
        LotteryOutcome,
        advance,
        apply_lottery_outcome,
        next_deadline,
    )
    from domain.period.roster import publish
    from domain.period.rules import RuleViolation
    from domain.period.state import PeriodState, apply_in_place
    from workflows import search
    from activities.batching import first_batch
    from workflows.messages import (
        ActionOutcome,
        CarriedState,
        ClosePhaseInput,
        OperatorActionResult,
        PeriodInput,
        QueuedSwapNotice,
        RestartNote,
    )

RULE_VIOLATION = "RuleViolation"
RUN_ROLLING_OVER = "RunRollingOver"  # retryable: the update limit of this run is reached
APPEND_TIMEOUT = timedelta(seconds=10)  # appends take milliseconds; a dead worker is noticed sooner
LOTTERY_TIMEOUT = timedelta(minutes=10)  # seconds at the largest district; generous for a slow box
LOTTERY_HEARTBEAT = timedelta(seconds=10)  # a worker that dies mid-lottery is noticed this soon
STORE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    # No attempt limit: a database that is down for a day must not lose a single event.
    non_retryable_error_types=[
        StoreErrorType.VERSION_CONFLICT,
        StoreErrorType.STREAM_KIND_MISMATCH,
        StoreErrorType.INVALID_BATCH,
    ],
)


def _oslo(value: datetime) -> datetime:
    return value.replace(tzinfo=OSLO_TZ) if value.tzinfo is None else value


def rule_violation_error(violation: RuleViolation) -> ApplicationError:
    """A refusal the client can read: type RuleViolation, details [{rule, message}]."""
    return ApplicationError(
        f"{violation.rule}: {violation.message}", violation.model_dump(), type=RULE_VIOLATION, non_retryable=True
    )


def _refuse(rule: str, message: str) -> ApplicationError:
    return rule_violation_error(RuleViolation(rule=rule, message=message))


class PeriodBase:
    """State and machinery; see the module doc."""

    def _setup(self, inp: PeriodInput) -> None:
        self._input = inp
        carried = inp.carried or CarriedState(state=PeriodState())
        self._state: PeriodState = carried.state
        if self._state.version and self._state.config is None:
            # The config travels once, in the input (CarriedState leaves it out).
            self._state = self._state.model_copy(update={"config": inp.config})
        self._pending: list[RecordedEvent] = list(carried.pending)
        self._stored_version = carried.stored_version
        self._outcomes: dict[str, ActionOutcome] = dict(carried.outcomes)
        self._notices: list[str] = list(carried.notices)
        self._swap_notices: list[QueuedSwapNotice] = list(carried.swap_notices)
        self._stop_swap_notices = False
        self._notifying = 0  # senders with mail activities in flight (notices, swap notices)
        self._updates_before = carried.updates_before
        self._runs_before = carried.runs_before
        self._updates_this_run = 0
        self._close_request: ClosePhaseInput | None = None
        # Derived from the config, never carried: cheap to rebuild, and keeps payloads small.
        self._calendar = PeriodCalendar.from_config(inp.config)
        self._appending = False  # an append activity is in flight
        self._stop_appender = False
        self._continuing = False  # continue-as-new is being issued in this activation
        # Recorded here rather than in run(): updates that arrive with the first workflow task
        # are validated before run() starts, and they need an opened period.
        if not self._state.opened:
            self._record([PeriodOpened(config=inp.config, simulated=inp.simulated)], inp.started_by)
        if inp.restart is not None:
            self._record_restart(inp.restart)

    def _now(self) -> datetime:
        """The period's clock: server time (plus the simulation offset), Europe/Oslo."""
        now = workflow.now() + timedelta(seconds=self._input.clock_offset_seconds)
        return now.astimezone(OSLO_TZ)  # the sandbox proxies ZoneInfo; use the real one

    def _next_deadline(self) -> datetime | None:
        return next_deadline(self._state)[1]

    def _step(self, actor: str, by: str = "deadline", request: ClosePhaseInput | None = None) -> None:
        """Take the next step of R-PROC-1 (the domain's phase stepper)."""
        self._record(
            [
                advance(
                    self._state, self._calendar, by=by,
                    operator=request.operator if request else None, reason=request.reason if request else None,
                )
            ],
            actor,
        )

    async def _hold_lottery(self) -> None:
        """Phase C in an activity: every earlier event is stored first, because the activity
        draws on the stored state; the outcome it returns folds into this state exactly as its
        stored events do, and publication follows (R-PROC-4)."""
        await workflow.wait_condition(lambda: self._stored_version >= self._state.version)
        seed = self._input.config.lottery_seed
        if seed is None:
            # Generated once, replay-safe, and recorded in LotteryStarted (R-LOT-4).
            seed = workflow.uuid4().int >> 65
        outcome: LotteryOutcome = await workflow.execute_activity(
            "run_lottery",
            LotteryInput(
                stream_id=self._input.config.period.id,
                stream_kind="simulation" if self._input.simulated else "live",
                after_version=self._state.version,
                seed=seed,
                occurred_at=self._now(),
                actor=actors.LOTTERY,
            ),
            result_type=LotteryOutcome,
            start_to_close_timeout=LOTTERY_TIMEOUT,
            heartbeat_timeout=LOTTERY_HEARTBEAT,
            retry_policy=STORE_RETRY,
        )
        self._state = apply_lottery_outcome(self._state, outcome)
        self._stored_version = max(self._stored_version, outcome.last_version)
        self._record([publish(self._state, self._calendar)], actors.LOTTERY)

    # ------------------------------------------------------------ recording

    def _record(self, events: list[DomainEvent], actor: str) -> None:
        now = self._now()
        phase = self._state.phase
        for event in events:
            self._state = apply_in_place(self._state, event)
            self._pending.append(
                RecordedEvent(
                    event_id=workflow.uuid4(), version=self._state.version, occurred_at=now, actor=actor, event=event
                )
            )
        if self._input.search_attributes and self._state.phase is not phase:
            workflow.upsert_search_attributes([search.PHASE.value_set(self._state.phase.value)])

    def _record_restart(self, note: RestartNote) -> None:
        event = RoundRestarted(
            remedy=note.remedy, operator=note.operator, reason=note.reason, previous_run=note.previous_run
        )
        self._record([event], actors.operator(note.operator))

    async def _append_pending(self) -> None:
        """Append pending events to PostgreSQL in byte-sized batches until told to stop and
        drained. Idempotent by event id: a retried activity (or a batch re-sent by the next run
        after continue-as-new) stores nothing twice."""
        while True:
            await workflow.wait_condition(lambda: bool(self._pending) or self._stop_appender or self._continuing)
            # Woken in the activation that continues as new: schedule nothing (the batch
            # travels in the carried state and the next run appends it).
            if self._continuing or not self._pending:
                return
            batch = first_batch(self._pending)
            self._appending = True
            try:
                result: AppendEventsResult = await workflow.execute_activity(
                    "append_events",
                    AppendEventsInput(
                        stream_id=self._input.config.period.id,
                        stream_kind="simulation" if self._input.simulated else "live",
                        events=batch,
                    ),
                    result_type=AppendEventsResult,
                    start_to_close_timeout=APPEND_TIMEOUT,
                    retry_policy=STORE_RETRY,
                )
            finally:
                self._appending = False
            # Events recorded while the activity ran stay pending for the next batch.
            del self._pending[: len(batch)]
            self._stored_version = max(self._stored_version, result.last_version)

    # ------------------------------------------------------- continue-as-new

    def _should_continue_as_new(self) -> bool:
        return (
            self._updates_this_run >= self._input.max_updates_per_run
            or workflow.info().is_continue_as_new_suggested()
        )

    async def _continue_as_new(self) -> None:
        # An operator's close waits on the main loop, so it must not wait on that handler. An
        # append in flight finishes first, so its result is not lost with this run.
        await workflow.wait_condition(
            lambda: (workflow.all_handlers_finished() and not self._appending and not self._notifying)
            or self._close_request is not None
        )
        if self._close_request is not None:
            return
        # Unstored events travel in the carried state and the next run appends them.
        self._continuing = True
        workflow.continue_as_new(
            self._input.model_copy(
                update={
                    # The state's config: a doctor's profile amended before the meeting
                    # (DoctorAmended) travels on, not the one the period started with.
                    "config": self._state.require_config(),
                    "restart": None,
                    "carried": CarriedState(
                        state=self._state.model_copy(update={"config": None}),
                        pending=self._pending,
                        stored_version=self._stored_version,
                        outcomes=self._outcomes,
                        notices=self._notices,
                        swap_notices=self._swap_notices,
                        updates_before=self._updates_before + self._updates_this_run,
                        runs_before=self._runs_before + 1,
                    ),
                }
            )
        )

    def _admit(self) -> None:
        """Refuse new updates once this run has had its share; the next run takes them.

        Temporal fails a run's 2,001st update outright. The error is retryable: the front door
        backs off and retries, and lands on the new run.
        """
        if self._updates_this_run >= self._input.max_updates_per_run:
            raise ApplicationError("the period is continuing as new; retry shortly", type=RUN_ROLLING_OVER)

    def _operator_result(self) -> OperatorActionResult:
        return OperatorActionResult(
            phase=self._state.phase, version=self._state.version, next_deadline=self._next_deadline()
        )

