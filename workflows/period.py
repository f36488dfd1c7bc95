"""AllocationPeriodWorkflow: one allocation period, meeting → offering → lottery → published.

The workflow adds time and durability to the pure decisions in `domain.process`:
- updates (with validators) carry doctors' actions; a rejected action names its rule and
  writes nothing;
- durable timers close each phase at its deadline (R-PROC-1); an operator may close one early;
- every event is recorded with an id from `workflow.uuid4()` and a version, then appended to
  PostgreSQL in batches by an idempotent activity;
- all state lives in one `CarriedState`, handed to the next run on continue-as-new.
Workflow id = period id.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    # Pure modules: passed through so the sandbox does not re-import pydantic per run.
    from activities.store_models import AppendEventsInput, AppendEventsResult, NewEvent, StoreErrorType
    from domain.calendar import PeriodCalendar
    from domain.events import DomainEvent, PeriodOpened, RecordedEvent
    from domain.model import OSLO_TZ, Phase
    from domain.process import (
        cancel_round,
        close_phase,
        decide_action,
        extend_deadline,
        next_deadline,
        open_meeting,
        run_lottery,
    )
    from domain.quota import shift_weight
    from domain.rules import ActionKind, RuleViolation
    from domain.state import PeriodState, apply
    from workflows import search
    from workflows.messages import (
        ActionInput,
        ActionResult,
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
    )

RULE_VIOLATION = "RuleViolation"
RUN_ROLLING_OVER = "RunRollingOver"  # retryable: the update limit of this run is reached
APPEND_BATCH = 500  # events per append activity; keeps each payload well under 2 MB
APPEND_TIMEOUT = timedelta(seconds=10)  # appends take milliseconds; a dead worker is noticed sooner
APPEND_RETRY = RetryPolicy(
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
    """A rejection the client can read: type RuleViolation, details [{rule, message}]."""
    return ApplicationError(
        f"{violation.rule}: {violation.message}",
        violation.model_dump(),
        type=RULE_VIOLATION,
        non_retryable=True,
    )


@workflow.defn
class AllocationPeriodWorkflow:
    @workflow.init
    def __init__(self, inp: PeriodInput) -> None:
        self._input = inp
        carried = inp.carried or CarriedState(state=PeriodState())
        self._state: PeriodState = carried.state
        self._pending: list[RecordedEvent] = list(carried.pending)
        self._stored_version = carried.stored_version
        self._updates_before = carried.updates_before
        self._runs_before = carried.runs_before
        self._updates_this_run = 0
        self._close_request: ClosePhaseInput | None = None
        # Derived from the config, never carried: cheap to rebuild, and keeps payloads small.
        self._calendar = PeriodCalendar.from_config(inp.config)
        self._appending = False  # an append activity is in flight
        self._stop_appender = False
        self._continuing = False  # continue-as-new is being issued in this activation
        if not self._state.opened:
            # Recorded here rather than in run(): updates that arrive with the first workflow
            # task are validated before run() starts, and they need an opened period.
            self._record([PeriodOpened(config=inp.config, simulated=inp.simulated)])

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
                self._advance(by="operator", request=request)
                continue
            if self._should_continue_as_new():
                await self._continue_as_new()
                continue  # only reached when an operator's close came first
            deadline = self._next_deadline()
            remaining = (deadline - self._now()).total_seconds() if deadline else None
            if remaining is not None and remaining <= 0:
                self._advance(by="deadline")
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
                self._advance(by="deadline")
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

    def _next_step(self) -> str:
        if self._state.phase is Phase.MEETING:
            return "meeting closes, offering opens" if self._state.meeting_open else "meeting opens"
        if self._state.phase is Phase.OFFERING:
            return "offering closes, lottery draws the open shifts"
        if self._state.phase is Phase.LOTTERY:
            return "roster is published"
        if self._state.phase is Phase.CANCELLED:
            return "none: the round was cancelled"
        return "none: the roster is published"

    def _advance(self, by: str, request: ClosePhaseInput | None = None) -> None:
        """Take the next step of R-PROC-1, on a deadline or an operator's request."""
        state = self._state
        if state.phase is Phase.MEETING and not state.meeting_open:
            self._record([open_meeting(state, self._calendar)])
            return
        operator = request.operator if request else None
        reason = request.reason if request else None
        self._record([close_phase(state, by=by, operator=operator, reason=reason)])
        if self._state.phase is Phase.LOTTERY:
            seed = self._input.config.lottery_seed
            if seed is None:
                # Generated once, replay-safe, and recorded in LotteryStarted (R-LOT-4).
                seed = workflow.uuid4().int >> 65
            self._record(run_lottery(self._state, self._calendar, seed))

    # ------------------------------------------------------------ recording

    def _record(self, events: list[DomainEvent]) -> None:
        now = self._now()
        phase = self._state.phase
        for event in events:
            self._state = apply(self._state, event)
            self._pending.append(
                RecordedEvent(event_id=workflow.uuid4(), version=self._state.version, occurred_at=now, event=event)
            )
        if self._input.search_attributes and self._state.phase is not phase:
            workflow.upsert_search_attributes([search.PHASE.value_set(self._state.phase.value)])

    async def _append_pending(self) -> None:
        """Append pending events to PostgreSQL in batches until told to stop and drained.

        Idempotent by event id: a retried activity (or a batch re-sent by the next run after
        continue-as-new) stores nothing twice.
        """
        while True:
            await workflow.wait_condition(lambda: bool(self._pending) or self._stop_appender or self._continuing)
            # Woken in the activation that continues as new: schedule nothing (the batch
            # travels in the carried state and the next run appends it).
            if self._continuing or not self._pending:
                return
            batch = self._pending[:APPEND_BATCH]
            self._appending = True
            try:
                result: AppendEventsResult = await workflow.execute_activity(
                    "append_events",
                    AppendEventsInput(
                        stream_id=self._input.config.period.id,
                        stream_kind="simulation" if self._input.simulated else "live",
                        events=[
                            NewEvent(
                                event_id=r.event_id,
                                version=r.version,
                                type=r.event.type,
                                data=r.event.model_dump(mode="json"),
                                occurred_at=r.occurred_at,
                            )
                            for r in batch
                        ],
                    ),
                    result_type=AppendEventsResult,
                    start_to_close_timeout=APPEND_TIMEOUT,
                    retry_policy=APPEND_RETRY,
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
                    "carried": CarriedState(
                        state=self._state,
                        pending=self._pending,
                        stored_version=self._stored_version,
                        updates_before=self._updates_before + self._updates_this_run,
                        runs_before=self._runs_before + 1,
                    )
                }
            )
        )

    # -------------------------------------------------------------- updates

    def _admit(self) -> None:
        """Refuse new updates once this run has had its share; the next run takes them.

        Temporal fails a run's 2,001st update outright. The error is retryable: clients back
        off and retry (cli.simulate.execute_with_backoff) and land on the new run.
        """
        if self._updates_this_run >= self._input.max_updates_per_run:
            raise ApplicationError("the period is continuing as new; retry shortly", type=RUN_ROLLING_OVER)

    def _validate(self, kind: ActionKind, action: ActionInput) -> None:
        self._admit()
        result = decide_action(self._state, self._calendar, kind, action.doctor, action.shift, self._now())
        if isinstance(result, RuleViolation):
            raise rule_violation_error(result)

    def _take(self, kind: ActionKind, action: ActionInput) -> ActionResult:
        self._updates_this_run += 1
        # Decide again: another update may have changed the state since validation.
        result = decide_action(self._state, self._calendar, kind, action.doctor, action.shift, self._now())
        if isinstance(result, RuleViolation):
            raise rule_violation_error(result)
        self._record([result])
        return ActionResult(shift=result.shift, doctor=result.doctor, source=result.source, version=self._state.version)

    @workflow.update
    def enter_staff_shift(self, action: ActionInput) -> ActionResult:
        """R-PROC-2: a staff doctor's shift, entered before the meeting."""
        return self._take(ActionKind.STAFF_ENTRY, action)

    @enter_staff_shift.validator
    def _validate_staff_shift(self, action: ActionInput) -> None:
        self._validate(ActionKind.STAFF_ENTRY, action)

    @workflow.update
    def submit_advance_wish(self, action: ActionInput) -> ActionResult:
        """R-MEET-2: a wish from a doctor with valid absence, before the meeting."""
        return self._take(ActionKind.ADVANCE_WISH, action)

    @submit_advance_wish.validator
    def _validate_advance_wish(self, action: ActionInput) -> None:
        self._validate(ActionKind.ADVANCE_WISH, action)

    @workflow.update
    def make_meeting_pick(self, action: ActionInput) -> ActionResult:
        """Phase A: a GP picks a shift at the meeting."""
        return self._take(ActionKind.MEETING_PICK, action)

    @make_meeting_pick.validator
    def _validate_meeting_pick(self, action: ActionInput) -> None:
        self._validate(ActionKind.MEETING_PICK, action)

    @workflow.update
    def claim_offered_shift(self, action: ActionInput) -> ActionResult:
        """Phase B (R-PROC-3): first valid claim wins."""
        return self._take(ActionKind.OFFERING_CLAIM, action)

    @claim_offered_shift.validator
    def _validate_claim(self, action: ActionInput) -> None:
        self._validate(ActionKind.OFFERING_CLAIM, action)

    @workflow.update
    async def close_phase_early(self, request: ClosePhaseInput) -> ClosePhaseResult:
        """R-PROC-1: an operator closes the current phase before its deadline (recorded)."""
        self._updates_this_run += 1
        closing = self._state.phase
        self._close_request = request
        # The main loop performs the step; wait for it so the caller sees the new phase.
        await workflow.wait_condition(lambda: self._close_request is None or self._state.finished)
        return ClosePhaseResult(closed=closing, now=self._state.phase)

    @close_phase_early.validator
    def _validate_close(self, request: ClosePhaseInput) -> None:
        self._admit()
        if self._state.phase is Phase.MEETING and not self._state.meeting_open:
            raise rule_violation_error(
                RuleViolation(rule="R-PROC-1", message="the meeting has not been held yet; no phase is skipped")
            )
        if self._state.phase not in (Phase.MEETING, Phase.OFFERING):
            raise rule_violation_error(
                RuleViolation(rule="R-PROC-1", message=f"phase {self._state.phase.value} cannot be closed early")
            )
        if self._close_request is not None:
            raise rule_violation_error(RuleViolation(rule="R-PROC-1", message="a close is already in progress"))

    @workflow.update
    def extend_deadline(self, request: ExtendDeadlineInput) -> OperatorActionResult:
        """An operator moves the current step's deadline later; recorded with name and reason."""
        self._updates_this_run += 1
        decision = extend_deadline(self._state, _oslo(request.until), request.operator, request.reason, self._now())
        if isinstance(decision, RuleViolation):
            raise rule_violation_error(decision)
        self._record([decision])  # the main loop wakes on the pending event and re-arms its timer
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
        self._record([decision])
        return self._operator_result()

    @cancel_round.validator
    def _validate_cancel(self, request: CancelRoundInput) -> None:
        self._admit()
        decision = cancel_round(self._state, request.operator, request.reason)
        if isinstance(decision, RuleViolation):
            raise rule_violation_error(decision)

    def _operator_result(self) -> OperatorActionResult:
        return OperatorActionResult(phase=self._state.phase, version=self._state.version, next_deadline=self._next_deadline())

    # -------------------------------------------------------------- queries

    @workflow.query
    def phase(self) -> PhaseView:
        return PhaseView(
            period=self._input.config.period.id,
            phase=self._state.phase,
            meeting_open=self._state.meeting_open,
            now=self._now(),
            next_deadline=self._next_deadline(),
            next_step=self._next_step(),
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
