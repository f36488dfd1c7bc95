"""A clinic's decision reaching a running period: the doctor's profile, amended.

An operator decides a doctor's request before the meeting — an exemption (R-EX-1/2, applied for
before the meeting, R-EX-3), a valid absence from the meeting (R-MEET-1), a leave with a
substitute standing in (R-EX-5). The registry records the decision; a period whose meeting has
not opened yet must learn it, because the quota (R-LOAD-2) and the lottery pool (R-LOT-1) are
fixed when the meeting opens. Afterwards the period's facts stand as they were.

The new profile is minimised like every profile (domain.registry.minimise): the rule and the dates
clamped to the period, never a reason or who decided.
"""

from __future__ import annotations

from domain.period.events import DoctorAmended
from domain.registry.minimise import minimise
from domain.model import DoctorProfile, Phase
from domain.period.rules import RuleViolation
from domain.period.state import PeriodState, with_doctor


def amend_doctor(
    state: PeriodState, doctor: DoctorProfile, request: int | None = None
) -> DoctorAmended | RuleViolation | None:
    """The amendment's event, a refusal, or None when the period already has this profile."""
    config = state.require_config()
    if state.phase is not Phase.MEETING or state.meeting_open:
        return RuleViolation(
            rule="R-EX-3", message="the period's meeting has opened; a decision counts from the next period"
        )
    current = config.doctor(doctor.id)
    if current is None:
        return RuleViolation(rule="R-PROC-7", message=f"{doctor.id} is not a doctor of district {config.district.id}")
    if doctor.role is not current.role:
        return RuleViolation(rule="R-PROC-7", message=f"{doctor.id}'s role is not changed by a request")
    if doctor == current:
        return None  # already so: a repeated sync or decision records nothing
    amended = with_doctor(config, doctor)
    if minimise(amended).doctor(doctor.id) != doctor:
        return RuleViolation(rule="R-DATA-1", message=f"the profile of {doctor.id} is not minimised to the period")
    return DoctorAmended(doctor=doctor, request=request)
