"""Vacancies after publication (R-VAC-1..3), one place for the web service and the CLI.

A doctor declares only their own shifts and takes only for themselves (the signed-in person's
actor, never request text); an operator serving the round's district declares for a holder and,
once escalated, assigns — recorded as `operator:<id> for doctor:<id>`. The workflow's validators
apply the rulebook, so a refusal (`Refused`, with rule and code) writes nothing.
"""

from __future__ import annotations

import re

from app.bootstrap import Services
from app.errors import BadInput, Refused
from app.identity.access import acting, acting_for, period_district, serving_period
from app.periods.live import _operator_update
from app.reads.doctor_views import period_state
from app.validate import SWAP_PATTERN, free_text
from app.validate import doctor_id as valid_doctor_id
from app.validate import period_id as valid_period_id
from app.validate import shift_id as valid_shift_id
from domain import actors
from domain.identity import Principal
from domain.period.vacancy_events import REASON_LIMIT
from workflows.period import AllocationPeriodWorkflow
from workflows.vacancy_messages import AssignVacancyInput, DeclareVacancyInput, TakeVacancyInput, VacancyResult

_VACANCY = re.compile(SWAP_PATTERN)  # a workflow.uuid4(), as a swap's id


def vacancy_id(value: str) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= 64 or not _VACANCY.fullmatch(value):
        raise BadInput("vacancy: not a vacancy id")
    return value


def reason_text(value: str, field: str = "reason") -> str:
    return free_text(value, field, REASON_LIMIT)


async def declare_own(services: Services, principal: Principal | None, period: str, shift: str,
                      reason: str) -> VacancyResult:
    """R-VAC-1: the signed-in holder declares their own shift vacant."""
    district = await period_district(services, period)
    holder, actor = acting(principal, district)
    request = DeclareVacancyInput(holder=holder, shift=valid_shift_id(shift, "shift"), reason=reason_text(reason),
                                  actor=actor)
    return await _operator_update(services, period, AllocationPeriodWorkflow.declare_vacancy, request)


async def declare_for_holder(services: Services, principal: Principal | None, period: str, shift: str,
                             reason: str, *, operator: str | None = None) -> VacancyResult:
    """R-VAC-1: an operator declares a shift vacant for whoever holds it (recorded for them).
    `operator`: the CLI's `--operator NAME` (it has no signed-in account)."""
    period = valid_period_id(period, "period")
    shift = valid_shift_id(shift, "shift")
    reason = reason_text(reason)
    held = (await period_state(services, period)).assignments.get(shift)
    if held is None:
        raise Refused("R-VAC-1", "the shift has no holder to declare it for", "vacancy_not_holder")
    actor = await _operator_actor(services, principal, period, held.doctor, operator)
    request = DeclareVacancyInput(holder=held.doctor, shift=shift, reason=reason, actor=actor)
    return await _operator_update(services, period, AllocationPeriodWorkflow.declare_vacancy, request)


async def take(services: Services, principal: Principal | None, period: str, vacancy: str) -> VacancyResult:
    """R-VAC-2: the signed-in doctor takes a vacancy over; the first valid acceptance wins."""
    district = await period_district(services, period)
    doctor, actor = acting(principal, district)
    request = TakeVacancyInput(vacancy=vacancy_id(vacancy), doctor=doctor, actor=actor)
    return await _operator_update(services, period, AllocationPeriodWorkflow.take_vacancy, request)


async def assign(services: Services, principal: Principal | None, period: str, vacancy: str, doctor: str,
                 reason: str, *, operator: str | None = None) -> VacancyResult:
    """R-VAC-3: an operator assigns an escalated vacancy to a doctor who may legally take it."""
    period = valid_period_id(period, "period")
    doctor = valid_doctor_id(doctor, "doctor")
    vacancy, reason = vacancy_id(vacancy), reason_text(reason)
    actor = await _operator_actor(services, principal, period, doctor, operator)
    request = AssignVacancyInput(vacancy=vacancy, doctor=doctor, reason=reason, actor=actor)
    return await _operator_update(services, period, AllocationPeriodWorkflow.assign_vacancy, request)


async def _operator_actor(services: Services, principal: Principal | None, period: str, doctor: str,
                          operator: str | None) -> str:
    """`operator:<id> for doctor:<id>`: the signed-in operator serving the district, or the CLI's."""
    if operator is not None:
        try:
            return actors.on_behalf(actors.operator(operator), doctor)
        except ValueError as e:
            raise BadInput(f"--operator: {e}") from None
    _, district = await serving_period(services, principal, period)
    return acting_for(principal, district, doctor)[1]
