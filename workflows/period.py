"""AllocationPeriodWorkflow: one allocation period, meeting → offering → lottery → published.

The workflow adds time and durability to the pure decisions in `domain.process`:
- doctors' actions arrive in batches through one update, `submit_actions` (the front door,
  app/front_door.py, batches them in arrival order). Each action gets a definite answer:
  accepted with its version, or refused with its rule. A refusal writes no event;
- durable timers close each phase at its deadline (R-PROC-1); an operator may close one early,
  extend a deadline or cancel the round, each recorded with who and why;
- every event is recorded with an id from `workflow.uuid4()`, a version and its actor, then
  appended to PostgreSQL in byte-sized batches by an idempotent activity;
- the lottery runs in an activity (`run_lottery`): it reads the stored events, draws, stores
  the draws and returns a compact outcome, so no workflow task nears the 2 s deadlock limit
  and no payload carries a large district's pools;
- all state lives in one `CarriedState`, handed to the next run on continue-as-new.
Workflow id = period id. Structure after temporalio/samples-python
`message_passing/safe_message_handlers`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    # Pure modules: passed through so the sandbox does not re-import pydantic per run.
    from activities.store_models import AppendEventsInput, AppendEventsResult, LotteryInput, StoreErrorType
    from domain import actors
    from domain.calendar import PeriodCalendar
    from domain.events import DomainEvent, PeriodOpened, RecordedEvent, RoundRestarted
    from domain.model import OSLO_TZ, Phase
    from domain.process import (
        LotteryOutcome,
        advance,
        apply_lottery_outcome,
        cancel_round,
        decide_action,
        extend_deadline,
        next_deadline,
        next_step_text,
    )
    from domain.quota import shift_weight
    from domain.roster import publish
    from domain.rules import RuleViolation
    from domain.state import PeriodState, apply_in_place
    from workflows import search
    from activities.batching import first_batch
    from workflows.messages import (
        REMEMBERED_OUTCOMES,
        ActionOutcome,
        ActionRequest,
        CancelRoundInput,
        CarriedState,
        ClosePhaseInput,
        ClosePhaseResult,
        CoverageView,
        DoctorProgress,
        DoctorProgressInput,
        ExtendDeadlineInput,
        OperatorActionResult,
        PeriodInput,
        PeriodResult,
        PhaseView,
        RestartNote,
        SubmitActionsInput,
        SubmitActionsResult,
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


@workflow.defn
class AllocationPeriodWorkflow:
    @workflow.init
    def __init__(self, inp: PeriodInput) -> None:
        self._input = inp
        carried = inp.carried or CarriedState(state=PeriodState())
        self._state: PeriodState = carried.state
        if self._state.version and self._state.config is None:
            # The config travels once, in the input (CarriedState leaves it out).
            self._state = self._state.model_copy(update={"config": inp.config})
        self._pending: list[RecordedEvent] = list(carried.pending)
        self._stored_version = carried.stored_version
        self._outcomes: dict[str, ActionOutcome] = dict(carried.outcomes)
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

    # ------------------------------------------------------------------ run

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
        # Let in-flight handlers finish so none is cut off, then store the last events.
        await workflow.wait_condition(workflow.all_handlers_finished)
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
            lambda: (workflow.all_handlers_finished() and not self._appending) or self._close_request is not None
        )
        if self._close_request is not None:
            return
        # Unstored events travel in the carried state and the next run appends them.
        self._continuing = True
        workflow.continue_as_new(
            self._input.model_copy(
                update={
                    "restart": None,
                    "carried": CarriedState(
                        state=self._state.model_copy(update={"config": None}),
                        pending=self._pending,
                        stored_version=self._stored_version,
                        outcomes=self._outcomes,
                        updates_before=self._updates_before + self._updates_this_run,
                        runs_before=self._runs_before + 1,
                    ),
                }
            )
        )

    # -------------------------------------------------------------- updates

    def _admit(self) -> None:
        """Refuse new updates once this run has had its share; the next run takes them.

        Temporal fails a run's 2,001st update outright. The error is retryable: the front door
        backs off and retries, and lands on the new run.
        """
        if self._updates_this_run >= self._input.max_updates_per_run:
            raise ApplicationError("the period is continuing as new; retry shortly", type=RUN_ROLLING_OVER)

    @workflow.update
    def submit_actions(self, inp: SubmitActionsInput) -> SubmitActionsResult:
        """Doctors' actions, decided one by one in the order sent: first valid claim wins
        (R-PROC-3). Staff entries (R-PROC-2), advance wishes (R-MEET-2), meeting picks and
        offering claims alike."""
        self._updates_this_run += 1
        return SubmitActionsResult(outcomes=[self._decide(action) for action in inp.actions])

    @submit_actions.validator
    def _validate_submit(self, inp: SubmitActionsInput) -> None:
        self._admit()
        if self._state.finished:
            raise _refuse("R-PROC-7", f"the round is {self._state.phase.value}; it accepts no actions")
        if self._state.phase is Phase.LOTTERY:
            raise _refuse("R-PROC-7", "the lottery is being drawn; no action is accepted now")

    def _decide(self, action: ActionRequest) -> ActionOutcome:
        known = self._outcomes.get(action.request_id)
        if known is not None:
            return known  # a retry of a request already answered: the same answer, decided once
        decision = decide_action(self._state, self._calendar, action.kind, action.doctor, action.shift, self._now())
        if isinstance(decision, RuleViolation):
            outcome = ActionOutcome(
                request_id=action.request_id, accepted=False, shift=action.shift, doctor=action.doctor,
                rule=decision.rule, message=decision.message,
            )
        else:
            self._record([decision], action.actor)
            outcome = ActionOutcome(
                request_id=action.request_id, accepted=True, shift=action.shift, doctor=action.doctor,
                source=decision.source, version=self._state.version,
            )
        self._outcomes[action.request_id] = outcome
        while len(self._outcomes) > REMEMBERED_OUTCOMES:
            del self._outcomes[next(iter(self._outcomes))]
        return outcome

    @workflow.update
    async def close_phase_early(self, request: ClosePhaseInput) -> ClosePhaseResult:
        """R-PROC-1: an operator closes the current phase before its deadline (recorded)."""
        self._updates_this_run += 1
        closing = self._state.phase
        self._close_request = request
        # The main loop performs the step; wait for it so the caller sees the new phase.
        await workflow.wait_condition(lambda: self._close_request is None or self._state.finished)
        return ClosePhaseResult(closed=closing, now=self._state.phase, version=self._state.version)

    @close_phase_early.validator
    def _validate_close(self, request: ClosePhaseInput) -> None:
        self._admit()
        if self._state.phase is Phase.MEETING and not self._state.meeting_open:
            raise _refuse("R-PROC-1", "the meeting has not been held yet; no phase is skipped")
        if self._state.phase not in (Phase.MEETING, Phase.OFFERING):
            raise _refuse("R-PROC-1", f"phase {self._state.phase.value} cannot be closed early")
        if self._close_request is not None:
            raise _refuse("R-PROC-1", "a close is already in progress")

    @workflow.update
    def extend_deadline(self, request: ExtendDeadlineInput) -> OperatorActionResult:
        """An operator moves the current step's deadline later; recorded with name and reason."""
        self._updates_this_run += 1
        decision = extend_deadline(self._state, _oslo(request.until), request.operator, request.reason, self._now())
        if isinstance(decision, RuleViolation):
            raise rule_violation_error(decision)
        self._record([decision], actors.operator(request.operator))  # the main loop re-arms its timer
        return self._operator_result()

    @extend_deadline.validator
    def _validate_extend(self, request: ExtendDeadlineInput) -> None:
        self._admit()
        decision = extend_deadline(self._state, _oslo(request.until), request.operator, request.reason, self._now())
        if isinstance(decision, RuleViolation):
            raise rule_violation_error(decision)

    @workflow.update
    def cancel_round(self, request: CancelRoundInput) -> OperatorActionResult:
        """An operator cancels the round: nothing more is accepted and no roster is published."""
        self._updates_this_run += 1
        decision = cancel_round(self._state, request.operator, request.reason)
        if isinstance(decision, RuleViolation):
            raise rule_violation_error(decision)
        self._record([decision], actors.operator(request.operator))
        return self._operator_result()

    @cancel_round.validator
    def _validate_cancel(self, request: CancelRoundInput) -> None:
        self._admit()
        decision = cancel_round(self._state, request.operator, request.reason)
        if isinstance(decision, RuleViolation):
            raise rule_violation_error(decision)

    @workflow.update
    def record_restart(self, note: RestartNote) -> OperatorActionResult:
        """`vakt restart --apply` reset this run: the operator, reason and remedy go on record."""
        self._updates_this_run += 1
        self._record_restart(note)
        return self._operator_result()

    @record_restart.validator
    def _validate_record_restart(self, note: RestartNote) -> None:
        self._admit()
        if note.remedy != "reset":
            raise _refuse("R-PROC-1", "a rebuilt round records its restart when it starts")

    def _operator_result(self) -> OperatorActionResult:
        return OperatorActionResult(
            phase=self._state.phase, version=self._state.version, next_deadline=self._next_deadline()
        )

    # -------------------------------------------------------------- queries

    @workflow.query
    def phase(self) -> PhaseView:
        return PhaseView(
            period=self._input.config.period.id,
            phase=self._state.phase,
            meeting_open=self._state.meeting_open,
            now=self._now(),
            next_deadline=self._next_deadline(),
            next_step=next_step_text(self._state.phase, self._state.meeting_open) or "",
            version=self._state.version,
            stored_version=self._stored_version,
            simulated=self._input.simulated,
        )

    @workflow.query
    def coverage(self) -> CoverageView:
        by_source: dict[str, int] = {}
        for a in self._state.assignments.values():
            by_source[a.source.value] = by_source.get(a.source.value, 0) + 1
        total = len(self._calendar.shifts)
        covered = len(self._state.assignments)
        return CoverageView(
            total=total,
            covered=covered,
            open=total - covered - len(self._state.uncovered),
            by_source=by_source,
            uncovered=len(self._state.uncovered),
            unsafe=len(self._state.unsafe),
        )

    @workflow.query
    def doctor_progress(self, inp: DoctorProgressInput) -> DoctorProgress:
        weights = self._input.config.district.policy.weights
        held = self._state.held_by(inp.doctor)
        return DoctorProgress(
            doctor=inp.doctor,
            quota=self._state.quota.of(inp.doctor) if self._state.quota else None,
            shifts=held,
            wishes=self._state.wishes.get(inp.doctor, 0),
            points=sum(shift_weight(self._calendar.by_id[s], weights) for s in held),
        )
