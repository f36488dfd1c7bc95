"""Doctors' requests decided by the clinic before the meeting (issue 9): the period learns the
amended profile of the doctor (domain.period.amend). A validator refuses what the domain refuses, so a
refused amendment writes nothing."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.period.amend import amend_doctor
    from domain.period.rules import RuleViolation
    from workflows.messages import AmendDoctorInput, OperatorActionResult
    from workflows.period_base import PeriodBase, rule_violation_error


class RequestHandlers(PeriodBase):
    def _amendment(self, inp: AmendDoctorInput):
        decision = amend_doctor(self._state, inp.doctor, inp.request)
        if isinstance(decision, RuleViolation):
            raise rule_violation_error(decision)
        return decision

    @workflow.update
    def amend_doctor(self, inp: AmendDoctorInput) -> OperatorActionResult:
        """Replace a doctor's profile before the meeting, recorded with the deciding operator."""
        self._updates_this_run += 1
        amendment = self._amendment(inp)
        if amendment is None:  # the period has this profile already
            return self._operator_result().model_copy(update={"changed": False})
        self._record([amendment], inp.actor)
        return self._operator_result()

    @amend_doctor.validator
    def _validate_amend(self, inp: AmendDoctorInput) -> None:
        self._admit()
        self._amendment(inp)
