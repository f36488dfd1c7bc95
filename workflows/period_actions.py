"""Doctors' and operators' messages to a period's workflow: the batched actions of the front
door, an operator's early close, extension, cancellation and recorded restart, and the queries.
Each update has a validator (a refusal there writes nothing to the history) and an
Input/Result pair (workflows/messages.py)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import actors
    from domain.model import Phase
    from domain.period.process import cancel_round, decide_action, extend_deadline, next_step_text
    from domain.period.quota import shift_weight
    from domain.period.rules import RuleViolation
    from workflows.messages import (
        REMEMBERED_OUTCOMES,
        ActionOutcome,
        ActionRequest,
        CancelRoundInput,
        ClosePhaseInput,
        ClosePhaseResult,
        CoverageView,
        DoctorProgress,
        DoctorProgressInput,
        ExtendDeadlineInput,
        OperatorActionResult,
        PhaseView,
        RestartNote,
        SubmitActionsInput,
        SubmitActionsResult,
    )
    from workflows.period_base import PeriodBase, _oslo, _refuse, rule_violation_error


class ActionHandlers(PeriodBase):
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
