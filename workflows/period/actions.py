"""What the period's updates before publication do: doctors' batched actions (the front door's
`submit_actions`), an operator's early close, extension, cancellation and recorded restart, and
a clinic's amendment of a doctor's profile before the meeting.

Each `validate_*` raises the refusal (a refusal in a validator writes nothing to the history);
each handler counts the update, decides with `domain.period.process` / `domain.period.amend` and records.
The workflow class (workflow.py) declares the updates and delegates here.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.period.amend import amend_doctor
    from domain.period.events import DoctorAmended
    from domain.model import Phase
    from domain.period.process import cancel_round, decide_action, extend_deadline
    from domain.period.rules import RuleViolation
    from workflows.messages import (
        operator_actor_of,
        REMEMBERED_OUTCOMES,
        ActionOutcome,
        ActionRequest,
        AmendDoctorInput,
        CancelRoundInput,
        ClosePhaseInput,
        ClosePhaseResult,
        ExtendDeadlineInput,
        OperatorActionResult,
        RestartNote,
        SubmitActionsInput,
        SubmitActionsResult,
    )
    from workflows.period.errors import refuse, refuse_if_violation
    from workflows.period.runtime import PeriodRuntime, oslo


class PeriodActions:
    def __init__(self, runtime: PeriodRuntime) -> None:
        self.rt = runtime

    # ------------------------------------------------------------ doctors' actions

    def validate_submit(self, inp: SubmitActionsInput) -> None:
        rt = self.rt
        rt.admit()
        if rt.state.finished:
            raise refuse("R-PROC-7", f"the round is {rt.state.phase.value}; it accepts no actions", "phase_closed")
        if rt.state.phase is Phase.LOTTERY:
            raise refuse("R-PROC-7", "the lottery is being drawn; no action is accepted now", "phase_closed")

    def submit(self, inp: SubmitActionsInput) -> SubmitActionsResult:
        self.rt.accepted()
        return SubmitActionsResult(outcomes=[self._decide(action) for action in inp.actions])

    def _decide(self, action: ActionRequest) -> ActionOutcome:
        rt = self.rt
        outcomes = rt.carried.outcomes
        known = outcomes.get(action.request_id)
        if known is not None:
            return known  # a retry of a request already answered: the same answer, decided once
        decision = decide_action(rt.state, rt.calendar, action.kind, action.doctor, action.shift, rt.now())
        if isinstance(decision, RuleViolation):
            outcome = ActionOutcome(
                request_id=action.request_id, accepted=False, shift=action.shift, doctor=action.doctor,
                rule=decision.rule, message=decision.message, code=decision.code,
            )
        else:
            rt.record([decision], action.actor)
            outcome = ActionOutcome(
                request_id=action.request_id, accepted=True, shift=action.shift, doctor=action.doctor,
                source=decision.source, version=rt.state.version,
            )
        outcomes[action.request_id] = outcome
        while len(outcomes) > REMEMBERED_OUTCOMES:
            del outcomes[next(iter(outcomes))]
        return outcome

    # ------------------------------------------------------------ operators' actions

    def validate_close(self, request: ClosePhaseInput) -> None:
        rt = self.rt
        rt.admit()
        if rt.state.phase is Phase.MEETING and not rt.state.meeting_open:
            raise refuse("R-PROC-1", "the meeting has not been held yet; no phase is skipped")
        if rt.state.phase not in (Phase.MEETING, Phase.OFFERING):
            raise refuse("R-PROC-1", f"phase {rt.state.phase.value} cannot be closed early")
        if rt.close_request is not None:
            raise refuse("R-PROC-1", "a close is already in progress")

    async def close_early(self, request: ClosePhaseInput) -> ClosePhaseResult:
        rt = self.rt
        rt.accepted()
        closing = rt.state.phase
        rt.close_request = request
        # The main loop performs the step; wait for it so the caller sees the new phase.
        await workflow.wait_condition(lambda: rt.close_request is None or rt.state.finished)
        return ClosePhaseResult(closed=closing, now=rt.state.phase, version=rt.state.version)

    def _extension(self, request: ExtendDeadlineInput):
        rt = self.rt
        decision = extend_deadline(rt.state, oslo(request.until), request.operator, request.reason, rt.now())
        refuse_if_violation(decision)
        return decision

    def validate_extend(self, request: ExtendDeadlineInput) -> None:
        self.rt.admit()
        self._extension(request)

    def extend(self, request: ExtendDeadlineInput) -> OperatorActionResult:
        self.rt.accepted()
        self.rt.record([self._extension(request)], operator_actor_of(request))  # the main loop re-arms its timer
        return self.rt.operator_result()

    def _cancellation(self, request: CancelRoundInput):
        decision = cancel_round(self.rt.state, request.operator, request.reason)
        refuse_if_violation(decision)
        return decision

    def validate_cancel(self, request: CancelRoundInput) -> None:
        self.rt.admit()
        self._cancellation(request)

    def cancel(self, request: CancelRoundInput) -> OperatorActionResult:
        self.rt.accepted()
        self.rt.record([self._cancellation(request)], operator_actor_of(request))
        return self.rt.operator_result()

    def validate_restart(self, note: RestartNote) -> None:
        self.rt.admit()
        if note.remedy != "reset":
            raise refuse("R-PROC-1", "a rebuilt round records its restart when it starts")

    def record_restart(self, note: RestartNote) -> OperatorActionResult:
        self.rt.accepted()
        self.rt.record_restart(note)
        return self.rt.operator_result()

    # ------------------------------------------------- a clinic's decision on a request

    def _amendment(self, inp: AmendDoctorInput) -> DoctorAmended | None:
        decision = amend_doctor(self.rt.state, inp.doctor, inp.request)
        refuse_if_violation(decision)
        return decision

    def validate_amend(self, inp: AmendDoctorInput) -> None:
        self.rt.admit()
        self._amendment(inp)

    def amend(self, inp: AmendDoctorInput) -> OperatorActionResult:
        """Replace a doctor's profile before the meeting, recorded with the deciding operator;
        `changed=False` when the period has this profile already."""
        self.rt.accepted()
        amendment = self._amendment(inp)
        if amendment is None:
            return self.rt.operator_result().model_copy(update={"changed": False})
        self.rt.record([amendment], inp.actor)
        return self.rt.operator_result()
