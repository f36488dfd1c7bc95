"""The machinery of one run of a period's workflow: its state, its clock, recording events,
storing them, the phase steps, the lottery activity and continue-as-new.

`AllocationPeriodWorkflow` (workflows/period/workflow.py) composes one `PeriodRuntime` and hands
it to the handlers (actions.py, swaps.py, notices.py). Everything carried across continue-as-new
lives in one `CarriedState` (`runtime.carried`); the rest is rebuilt per run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    # Pure modules: passed through so the sandbox does not re-import pydantic per run.
    from activities.batching import first_batch
    from activities.store_models import AppendEventsInput, AppendEventsResult, LotteryInput, StoreErrorType
    from domain import actors
    from domain.period.calendar import PeriodCalendar
    from domain.period.events import DomainEvent, PeriodOpened, RecordedEvent, RoundRestarted
    from domain.model import OSLO_TZ
    from domain.period.process import LotteryOutcome, advance, apply_lottery_outcome, next_deadline
    from domain.period.roster import publish
    from domain.period.state import PeriodState, apply_in_place
    from workflows import search
    from workflows.messages import (
        CarriedState, ClosePhaseInput, OperatorActionResult, PeriodInput, RestartNote, operator_actor_of,
    )
    from workflows.period.errors import rolling_over
from workflows.period.seed import SeedSource

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


def oslo(value: datetime) -> datetime:
    """A naive time is Europe/Oslo wall-clock time."""
    return value.replace(tzinfo=OSLO_TZ) if value.tzinfo is None else value


class PeriodRuntime:
    """One run's state and machinery; see the module doc."""

    def __init__(self, inp: PeriodInput) -> None:
        self.input = inp
        carried = inp.carried or CarriedState(state=PeriodState())
        if carried.state.version and carried.state.config is None:
            # The config travels once, in the input (CarriedState leaves it out).
            carried.state = carried.state.model_copy(update={"config": inp.config})
        # The one structure carried across continue-as-new: state, unstored events, recent
        # answers, notices sent and queued, counters of earlier runs.
        self.carried: CarriedState = carried
        self.updates_this_run = 0
        self.close_request: ClosePhaseInput | None = None  # an operator's close, for the main loop
        # Derived from the config, never carried: cheap to rebuild, and keeps payloads small.
        self.calendar = PeriodCalendar.from_config(inp.config)
        self.appending = False  # an append activity is in flight
        self.notifying = 0  # senders with mail activities in flight (notices, swap notices)
        self.stop_appender = False
        self.stop_swap_notices = False
        self.continuing = False  # continue-as-new is being issued in this activation
        self.seeds = SeedSource(self)  # R-LOT-5: the seed's commitment and its reveal
        # Recorded here rather than in run(): updates that arrive with the first workflow task
        # are validated before run() starts, and they need an opened period.
        if not self.state.opened:
            self.record([PeriodOpened(config=inp.config, simulated=inp.simulated)], inp.started_by)
        if inp.restart is not None:
            self.record_restart(inp.restart)

    @property
    def state(self) -> PeriodState:
        return self.carried.state

    @state.setter
    def state(self, value: PeriodState) -> None:
        self.carried.state = value

    def now(self) -> datetime:
        """The period's clock: server time (plus the simulation offset), Europe/Oslo."""
        now = workflow.now() + timedelta(seconds=self.input.clock_offset_seconds)
        return now.astimezone(OSLO_TZ)  # the sandbox proxies ZoneInfo; use the real one

    def next_deadline(self) -> datetime | None:
        return next_deadline(self.state)[1]

    def step(self, actor: str, by: str = "deadline", request: ClosePhaseInput | None = None) -> None:
        """Take the next step of R-PROC-1 (the domain's phase stepper)."""
        self.record(
            [
                advance(
                    self.state, self.calendar, by=by,
                    operator=request.operator if request else None, reason=request.reason if request else None,
                )
            ],
            actor,
        )

    async def hold_lottery(self) -> None:
        """Phase C in an activity: every earlier event is stored first, because the activity
        draws on the stored state; the outcome it returns folds into this state exactly as its
        stored events do, and publication follows (R-PROC-4)."""
        await workflow.wait_condition(lambda: self.carried.stored_version >= self.state.version)
        # R-LOT-5: a committed seed (a beacon round, or a secret) is revealed and recorded first,
        # and wins over a configured one; it must be stored before the draw reads the log.
        seed = await self.seeds.reveal()
        if seed is not None:
            await workflow.wait_condition(lambda: self.carried.stored_version >= self.state.version)
        else:
            seed = self.input.config.lottery_seed
        if seed is None:
            # Generated once, replay-safe, and recorded in LotteryStarted (R-LOT-4).
            seed = workflow.uuid4().int >> 65
        outcome: LotteryOutcome = await workflow.execute_activity(
            "run_lottery",
            LotteryInput(
                stream_id=self.input.config.period.id,
                stream_kind="simulation" if self.input.simulated else "live",
                after_version=self.state.version,
                seed=seed,
                occurred_at=self.now(),
                actor=actors.LOTTERY,
            ),
            result_type=LotteryOutcome,
            start_to_close_timeout=LOTTERY_TIMEOUT,
            heartbeat_timeout=LOTTERY_HEARTBEAT,
            retry_policy=STORE_RETRY,
        )
        self.state = apply_lottery_outcome(self.state, outcome)
        self.carried.stored_version = max(self.carried.stored_version, outcome.last_version)
        self.record([publish(self.state, self.calendar)], actors.LOTTERY)

    # ------------------------------------------------------------ recording

    def record(self, events: list[DomainEvent], actor: str) -> None:
        """Apply the events to the state and queue them, each with an id from
        `workflow.uuid4()`, its version, the time and the actor, for the appender."""
        now = self.now()
        phase = self.state.phase
        for event in events:
            self.state = apply_in_place(self.state, event)
            self.carried.pending.append(
                RecordedEvent(
                    event_id=workflow.uuid4(), version=self.state.version, occurred_at=now, actor=actor, event=event
                )
            )
        if self.input.search_attributes and self.state.phase is not phase:
            workflow.upsert_search_attributes([search.PHASE.value_set(self.state.phase.value)])

    def record_restart(self, note: RestartNote) -> None:
        event = RoundRestarted(
            remedy=note.remedy, operator=note.operator, reason=note.reason, previous_run=note.previous_run
        )
        self.record([event], operator_actor_of(note))

    async def append_pending(self) -> None:
        """Append pending events to PostgreSQL in byte-sized batches until told to stop and
        drained. Idempotent by event id: a retried activity (or a batch re-sent by the next run
        after continue-as-new) stores nothing twice."""
        pending = self.carried.pending
        while True:
            await workflow.wait_condition(lambda: bool(pending) or self.stop_appender or self.continuing)
            # Woken in the activation that continues as new: schedule nothing (the batch
            # travels in the carried state and the next run appends it).
            if self.continuing or not pending:
                return
            batch = first_batch(pending)
            self.appending = True
            try:
                result: AppendEventsResult = await workflow.execute_activity(
                    "append_events",
                    AppendEventsInput(
                        stream_id=self.input.config.period.id,
                        stream_kind="simulation" if self.input.simulated else "live",
                        events=batch,
                    ),
                    result_type=AppendEventsResult,
                    start_to_close_timeout=APPEND_TIMEOUT,
                    retry_policy=STORE_RETRY,
                )
            finally:
                self.appending = False
            # Events recorded while the activity ran stay pending for the next batch.
            del pending[: len(batch)]
            self.carried.stored_version = max(self.carried.stored_version, result.last_version)

    # ------------------------------------------------------- continue-as-new

    def should_continue_as_new(self) -> bool:
        return (
            self.updates_this_run >= self.input.max_updates_per_run
            or workflow.info().is_continue_as_new_suggested()
        )

    async def continue_as_new(self) -> None:
        """Hand the carried state to a new run, once no handler, append or mail is in flight.
        Returns (without continuing) when an operator's close arrives first: the main loop
        performs it, then comes back here."""
        # An operator's close waits on the main loop, so it must not wait on that handler. An
        # append in flight finishes first, so its result is not lost with this run.
        await workflow.wait_condition(
            lambda: (workflow.all_handlers_finished() and not self.appending and not self.notifying)
            or self.close_request is not None
        )
        if self.close_request is not None:
            return
        # Unstored events travel in the carried state and the next run appends it.
        self.continuing = True
        carried = self.carried
        workflow.continue_as_new(
            self.input.model_copy(
                update={
                    # The state's config: a doctor's profile amended before the meeting
                    # (DoctorAmended) travels on, not the one the period started with.
                    "config": self.state.require_config(),
                    "restart": None,
                    "carried": CarriedState(
                        state=self.state.model_copy(update={"config": None}),
                        pending=carried.pending,
                        stored_version=carried.stored_version,
                        outcomes=carried.outcomes,
                        notices=carried.notices,
                        swap_notices=carried.swap_notices,
                        vacancy_notices=carried.vacancy_notices,
                        updates_before=carried.updates_before + self.updates_this_run,
                        runs_before=carried.runs_before + 1,
                    ),
                }
            )
        )

    # ------------------------------------------------------------- updates

    def admit(self) -> None:
        """Refuse new updates once this run has had its share; the next run takes them.

        Temporal fails a run's 2,001st update outright. The error is retryable: the front door
        backs off and retries, and lands on the new run.
        """
        if self.updates_this_run >= self.input.max_updates_per_run:
            raise rolling_over()

    def accepted(self) -> None:
        """Count an update this run has taken (continue-as-new comes before the limit)."""
        self.updates_this_run += 1

    def operator_result(self) -> OperatorActionResult:
        return OperatorActionResult(
            phase=self.state.phase, version=self.state.version, next_deadline=self.next_deadline()
        )
