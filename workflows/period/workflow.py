"""AllocationPeriodWorkflow: one allocation period, meeting → offering → lottery → published,
then — for a live period — the published round until its last shift has ended.

This class declares everything the workflow accepts: `run`, twelve updates (each with its
validator) and three queries. Each is a short method that delegates:
- doctors' actions arrive in batches through one update, `submit_actions` (the front door,
  app/periods/front_door.py, batches them in arrival order). Each action gets a definite answer:
  accepted with its version, or refused with its rule. A refusal writes no event (actions.py);
- durable timers close each phase at its deadline (R-PROC-1); an operator may close one early,
  extend a deadline, cancel the round or record a restart, each recorded with who and why, and a
  clinic's decision amends a doctor's profile before the meeting (actions.py);
- every event is recorded with an id from `workflow.uuid4()`, a version and its actor, then
  appended to PostgreSQL in byte-sized batches by an idempotent activity (runtime.py);
- the lottery runs in an activity (`run_lottery`): it reads the stored events, draws, stores
  the draws and returns a compact outcome, so no workflow task nears the 2 s deadlock limit
  and no payload carries a large district's pools (runtime.py);
- doctors are told by e-mail when the period notifies (notices.py); after publication, doctors
  swap shifts (R-SWAP-1) and each shift, when it ends, is recorded as worked by whoever holds it
  then (R-LOAD-1); the round ends when its last shift has ended (swaps.py);
- all state lives in one `CarriedState`, handed to the next run on continue-as-new; the
  recording, storing and continue-as-new machinery is one composed `PeriodRuntime`.
Every handler finishes before the run returns (`workflow.all_handlers_finished`). Workflow id =
period id. Structure after temporalio/samples-python `message_passing/safe_message_handlers`.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import actors
    from domain.model import Phase
    from workflows import search
    from workflows.messages import (
        operator_actor_of,
        AcceptSwapInput,
        AmendDoctorInput,
        ApproveSwapInput,
        CarryOutSwapInput,
        RejectSwapInput,
        CancelRoundInput,
        ClosePhaseInput,
        ClosePhaseResult,
        CloseSwapInput,
        CoverageView,
        DoctorProgress,
        DoctorProgressInput,
        ExtendDeadlineInput,
        OfferSwapInput,
        OperatorActionResult,
        PeriodInput,
        PeriodResult,
        PhaseView,
        RestartNote,
        SubmitActionsInput,
        SubmitActionsResult,
        SwapResult,
    )
    from workflows.period.actions import PeriodActions
    from workflows.period.notices import NoticeSender
    from workflows.period.queries import coverage_view, doctor_progress, phase_view
    from workflows.period.runtime import PeriodRuntime
    from workflows.period.swap_approvals import SwapApprovals
    from workflows.period.swaps import PublishedRound
    from workflows.period.vacancies import VacancyDesk
    from workflows.vacancy_messages import AssignVacancyInput, DeclareVacancyInput, TakeVacancyInput, VacancyResult


@workflow.defn
class AllocationPeriodWorkflow:
    @workflow.init
    def __init__(self, inp: PeriodInput) -> None:
        # Built here rather than in run(): updates that arrive with the first workflow task are
        # validated before run() starts, and they need an opened period.
        self._runtime = PeriodRuntime(inp)
        self._actions = PeriodActions(self._runtime)
        self._published = PublishedRound(self._runtime)
        self._approvals = SwapApprovals(self._published)  # R-SWAP-2
        self._notices = NoticeSender(self._runtime)
        self._vacancies = VacancyDesk(self._runtime)

    @workflow.run
    async def run(self, inp: PeriodInput) -> PeriodResult:
        rt = self._runtime
        if inp.search_attributes:
            workflow.upsert_search_attributes(
                [
                    search.PERIOD.value_set(inp.config.period.id),
                    search.DISTRICT.value_set(inp.config.district.id),
                    search.PHASE.value_set(rt.state.phase.value),
                ]
            )
        # Storing runs beside the deadline loop: a database outage delays storage, never a
        # deadline (a phase closes on time even while an append is retrying).
        appender = asyncio.create_task(rt.append_pending())
        notifier = asyncio.create_task(self._notices.run()) if inp.notify else None
        # Swaps come after publication, when the notices have ended: their notices have a sender
        # of their own, for as long as the round runs.
        swap_notifier = asyncio.create_task(self._published.send_swap_notices()) if inp.notify else None
        # Vacancies (R-VAC-1..3): a timer only while one is open, their notices in batches.
        vacancy_tasks = self._vacancies.start(inp.notify)
        await self._phases(rt)
        if notifier is not None:
            await notifier  # the results go out at publication; cancelled rounds send nothing more
        if rt.state.phase is Phase.PUBLISHED and inp.follow_through:
            await self._published.follow_through()
        # Let in-flight handlers finish so none is cut off, then send their notices and store
        # the last events.
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._vacancies.finish(vacancy_tasks)
        if swap_notifier is not None:
            rt.stop_swap_notices = True
            await swap_notifier
        rt.stop_appender = True
        await appender
        return PeriodResult(
            period=inp.config.period.id,
            phase=rt.state.phase,
            version=rt.state.version,
            assigned=len(rt.state.assignments),
            uncovered=len(rt.state.uncovered),
            unsafe=len(rt.state.unsafe),
            runs=rt.carried.runs_before + 1,
            updates=rt.carried.updates_before + rt.updates_this_run,
        )

    async def _phases(self, rt: PeriodRuntime) -> None:
        """The deadline loop: until the round is finished, perform an operator's close, hold the
        lottery, continue as new when due, or wait for the next deadline (re-armed when an
        operator extends it)."""
        while not rt.state.finished:
            await rt.seeds.commit_if_due()  # R-LOT-5: once the offering has opened
            if rt.close_request is not None:
                request, rt.close_request = rt.close_request, None
                rt.step(operator_actor_of(request), by="operator", request=request)
                continue
            if rt.state.phase is Phase.LOTTERY:
                await rt.hold_lottery()
                continue
            if rt.should_continue_as_new():
                await rt.continue_as_new()
                continue  # only reached when an operator's close came first
            deadline = rt.next_deadline()
            remaining = (deadline - rt.now()).total_seconds() if deadline else None
            if remaining is not None and remaining <= 0:
                rt.step(actors.DEADLINE)
                continue
            try:
                await workflow.wait_condition(
                    lambda: rt.close_request is not None
                    or rt.state.finished
                    or rt.next_deadline() != deadline  # an operator extended it: re-arm
                    or rt.should_continue_as_new(),
                    timeout=timedelta(seconds=remaining) if remaining is not None else None,
                )
            except asyncio.TimeoutError:
                rt.step(actors.DEADLINE)

    # ------------------------------------------------------------ doctors' actions

    @workflow.update
    def submit_actions(self, inp: SubmitActionsInput) -> SubmitActionsResult:
        """Doctors' actions, decided one by one in the order sent: first valid claim wins
        (R-PROC-3). Staff entries (R-PROC-2), advance wishes (R-MEET-2), meeting picks and
        offering claims alike; a retried request id gets its first answer again."""
        return self._actions.submit(inp)

    @submit_actions.validator
    def validate_submit_actions(self, inp: SubmitActionsInput) -> None:
        self._actions.validate_submit(inp)

    # ------------------------------------------------------------ operators' actions

    @workflow.update
    async def close_phase_early(self, request: ClosePhaseInput) -> ClosePhaseResult:
        """R-PROC-1: an operator closes the current phase before its deadline (recorded); the
        answer comes once the main loop has taken the step."""
        return await self._actions.close_early(request)

    @close_phase_early.validator
    def validate_close_phase_early(self, request: ClosePhaseInput) -> None:
        self._actions.validate_close(request)

    @workflow.update
    def extend_deadline(self, request: ExtendDeadlineInput) -> OperatorActionResult:
        """An operator moves the current step's deadline later; recorded with name and reason."""
        return self._actions.extend(request)

    @extend_deadline.validator
    def validate_extend_deadline(self, request: ExtendDeadlineInput) -> None:
        self._actions.validate_extend(request)

    @workflow.update
    def cancel_round(self, request: CancelRoundInput) -> OperatorActionResult:
        """An operator cancels the round: nothing more is accepted and no roster is published."""
        return self._actions.cancel(request)

    @cancel_round.validator
    def validate_cancel_round(self, request: CancelRoundInput) -> None:
        self._actions.validate_cancel(request)

    @workflow.update
    def record_restart(self, note: RestartNote) -> OperatorActionResult:
        """`vakt restart --apply` reset this run: the operator, reason and remedy go on record."""
        return self._actions.record_restart(note)

    @record_restart.validator
    def validate_record_restart(self, note: RestartNote) -> None:
        self._actions.validate_restart(note)

    @workflow.update
    def amend_doctor(self, inp: AmendDoctorInput) -> OperatorActionResult:
        """A clinic's decision before the meeting replaces a doctor's profile (recorded with the
        deciding operator); `changed=False` when the period has that profile already."""
        return self._actions.amend(inp)

    @amend_doctor.validator
    def validate_amend_doctor(self, inp: AmendDoctorInput) -> None:
        self._actions.validate_amend(inp)

    # ------------------------------------------------------------ swaps after publication

    @workflow.update
    def offer_swap(self, inp: OfferSwapInput) -> SwapResult:
        """R-SWAP-1: a holder offers a shift to a colleague, or to all who may take it."""
        return self._published.offer(inp)

    @offer_swap.validator
    def validate_offer_swap(self, inp: OfferSwapInput) -> None:
        self._published.validate_offer(inp)

    @workflow.update
    def accept_swap(self, inp: AcceptSwapInput) -> SwapResult:
        """R-SWAP-1: the receiver takes the shift over, if R-QUAL-2/3 and R-REST-1 allow it."""
        return self._published.accept(inp)

    @accept_swap.validator
    def validate_accept_swap(self, inp: AcceptSwapInput) -> None:
        self._published.validate_accept(inp)

    @workflow.update
    def close_swap(self, inp: CloseSwapInput) -> SwapResult:
        """The named receiver declines, or the giver withdraws: nothing changes hands."""
        return self._published.close(inp)

    @close_swap.validator
    def validate_close_swap(self, inp: CloseSwapInput) -> None:
        self._published.validate_close(inp)

    # ------------------------------------------------------------ vacancies after publication

    @workflow.update
    def declare_vacancy(self, inp: DeclareVacancyInput) -> VacancyResult:
        """R-VAC-1: the holder, or an operator for them, declares a published shift vacant."""
        return self._vacancies.declare(inp)

    @declare_vacancy.validator
    def validate_declare_vacancy(self, inp: DeclareVacancyInput) -> None:
        self._vacancies.validate_declare(inp)

    @workflow.update
    def take_vacancy(self, inp: TakeVacancyInput) -> VacancyResult:
        """R-VAC-2: a doctor who may legally take it takes it over; the first valid one wins."""
        return self._vacancies.take(inp)

    @take_vacancy.validator
    def validate_take_vacancy(self, inp: TakeVacancyInput) -> None:
        self._vacancies.validate_take(inp)

    @workflow.update
    def assign_vacancy(self, inp: AssignVacancyInput) -> VacancyResult:
        """R-VAC-3: once escalated, an operator assigns it to a doctor who may legally take it."""
        return self._vacancies.assign(inp)

    @assign_vacancy.validator
    def validate_assign_vacancy(self, inp: AssignVacancyInput) -> None:
        self._vacancies.validate_assign(inp)
    # ------------------------------------------------------------ swap approval (R-SWAP-2)

    @workflow.update
    def approve_swap(self, inp: ApproveSwapInput) -> SwapResult:
        """R-SWAP-2: an operator approves a waiting swap (R-SWAP-1's checks made again)."""
        return self._approvals.approve(inp)

    @approve_swap.validator
    def validate_approve_swap(self, inp: ApproveSwapInput) -> None:
        self._approvals.validate_approve(inp)

    @workflow.update
    def reject_swap(self, inp: RejectSwapInput) -> SwapResult:
        """R-SWAP-2: an operator rejects a waiting swap, with a reason: the giver keeps the shift."""
        return self._approvals.reject(inp)

    @reject_swap.validator
    def validate_reject_swap(self, inp: RejectSwapInput) -> None:
        self._approvals.validate_reject(inp)

    @workflow.update
    def carry_out_swap(self, inp: CarryOutSwapInput) -> SwapResult:
        """R-SWAP-2: an operator carries out a swap for two doctors who agree, at once."""
        return self._approvals.carry_out(inp)

    @carry_out_swap.validator
    def validate_carry_out_swap(self, inp: CarryOutSwapInput) -> None:
        self._approvals.validate_carry_out(inp)

    # -------------------------------------------------------------------- queries

    @workflow.query
    def phase(self) -> PhaseView:
        """The phase, the period's clock, the next deadline and what comes next."""
        return phase_view(self._runtime)

    @workflow.query
    def coverage(self) -> CoverageView:
        """How many shifts are covered, by source, open, uncovered and unsafe."""
        return coverage_view(self._runtime)

    @workflow.query
    def doctor_progress(self, inp: DoctorProgressInput) -> DoctorProgress:
        """One doctor's quota, shifts, wishes and points so far."""
        return doctor_progress(self._runtime, inp)
