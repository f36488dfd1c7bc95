"""The JSON API of vacancies after publication (R-VAC-1..3), beside the doctors' and operators'
APIs: a doctor declares their own shift and takes a vacancy for themselves; an operator serving
the round's district lists its vacancies, declares for a holder and assigns an escalated one.
No field names an actor: the actor is the signed-in person. Parse, call app/, return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import Field

from app.periods import vacancies
from app.reads import vacancy_views
from app.reads.vacancy_views import DoctorVacancies, RoundVacancies
from app.validate import text_pattern
from domain.period.vacancy_events import REASON_LIMIT
from web.deps import REFUSED, Body, PrincipalDep, ServicesDep
from web.fields import AtLeastQuery, Id, ShiftRef
from workflows.vacancy_messages import VacancyResult

Reason = Annotated[str, Field(min_length=1, max_length=REASON_LIMIT, json_schema_extra={"pattern": text_pattern()},
                              description="why the holder cannot work it (shown literally)")]

doctor_router = APIRouter(prefix="/api", tags=["doctor"])
operator_router = APIRouter(prefix="/api/operator", tags=["operator"])


class DeclareBody(Body):
    shift: ShiftRef
    reason: Reason


class NoFields(Body):
    pass


class AssignBody(Body):
    doctor: Id = Field(description="a doctor of the round's district who may legally take the shift")
    reason: Reason


@doctor_router.get("/periods/{period}/vacancies", summary="Vacancies I may take, mine, and my shifts I could declare")
async def mine(period: str, principal: PrincipalDep, svc: ServicesDep, v: AtLeastQuery = 0) -> DoctorVacancies:
    return await vacancy_views.for_doctor(svc, principal, period, at_least=v)


@doctor_router.post("/periods/{period}/vacancies", responses=REFUSED,
                    summary="Declare my published shift vacant, with a reason (R-VAC-1)")
async def declare(period: str, body: DeclareBody, principal: PrincipalDep, svc: ServicesDep) -> VacancyResult:
    return await vacancies.declare_own(svc, principal, period, body.shift, body.reason)


@doctor_router.post("/periods/{period}/vacancies/{vacancy}/take", responses=REFUSED,
                    summary="Take a vacancy over; the first valid acceptance wins (R-VAC-2)")
async def take(period: str, vacancy: str, body: NoFields, principal: PrincipalDep, svc: ServicesDep) -> VacancyResult:
    return await vacancies.take(svc, principal, period, vacancy)


@operator_router.get("/rounds/{period}/vacancies", summary="A round's vacancies: open, escalated, taken, uncovered")
async def round_vacancies(period: str, principal: PrincipalDep, svc: ServicesDep, v: AtLeastQuery = 0) -> RoundVacancies:
    return await vacancy_views.for_round(svc, principal, period, at_least=v)


@operator_router.post("/rounds/{period}/vacancies", responses=REFUSED,
                      summary="Declare a shift vacant for its holder, with a reason (R-VAC-1)")
async def declare_for(period: str, body: DeclareBody, principal: PrincipalDep, svc: ServicesDep) -> VacancyResult:
    return await vacancies.declare_for_holder(svc, principal, period, body.shift, body.reason)


@operator_router.post("/rounds/{period}/vacancies/{vacancy}/assign", responses=REFUSED,
                      summary="Assign an escalated vacancy to a doctor who may legally take it (R-VAC-3)")
async def assign(period: str, vacancy: str, body: AssignBody, principal: PrincipalDep, svc: ServicesDep) -> VacancyResult:
    return await vacancies.assign(svc, principal, period, vacancy, body.doctor, body.reason)
