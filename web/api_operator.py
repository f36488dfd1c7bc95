"""The operators' JSON API: every round with its verdict, a round's events, close /
extend / cancel with a reason, restart (dry run and apply), schedules, and doctors' requests —
of the districts the operator's account serves. The operator recorded is the signed-in one, by
account id. At the allocation meeting an operator enters a doctor's wish, pick or claim, or a
request, for them: recorded as `operator:<account id> for doctor:<doctor id>`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from adapters.postgres.requests import StoredRequest
from app.identity import feeds as calendar
from app.identity.feeds import FeedLink
from app.periods import doctor_actions
from app.reads import operator_views
from app.registry import requests
from app.registry.requests import Decision
from app.periods.restart import RestartPlan
from app.periods.schedules import ScheduleView
from app.reads.events import EVENT_TYPES
from app.reads.status_models import PeriodDiagnosis, StatusList
from app.errors import Refused
from web.api_doctor import ActionAnswer
from web.deps import REFUSED, REFUSED_OR_CONFLICT, Body, PrincipalDep, ServicesDep
from web.fields import AtLeastQuery, DoctorQuery, FreeText, Id, RequestNumber, ShiftRef
from web.request_bodies import RequestForBody
from workflows.messages import ClosePhaseResult, OperatorActionResult

router = APIRouter(prefix="/api/operator", tags=["operator"])
EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]


class ReasonBody(Body):
    reason: FreeText


class ExtendBody(ReasonBody):
    until: datetime = Field(description="the new deadline; without an offset: Europe/Oslo wall-clock")


class ActForBody(Body):
    verb: Literal["staff", "wish", "pick", "claim"] = Field(
        description="staff (a staff doctor's shift, R-MEET-2) | wish | pick | claim")
    shift: ShiftRef
    doctor: Id = Field(description="the doctor of the round's district the operator enters it for")


class DecisionBody(Body):
    grant: bool
    note: FreeText | None = None


@router.get("/rounds", summary="Every round: phase, next deadline, coverage, verdict")
async def rounds(principal: PrincipalDep, svc: ServicesDep) -> StatusList | PeriodDiagnosis:
    return await operator_views.rounds(svc, principal)


@router.get("/rounds/{period}", summary="One round's diagnosis")
async def round_detail(period: str, principal: PrincipalDep, svc: ServicesDep) -> StatusList | PeriodDiagnosis:
    return await operator_views.round_detail(svc, principal, period)


@router.get("/rounds/{period}/events", summary="A round's stored events, with who acted, one page at a time")
async def events(period: str, principal: PrincipalDep, svc: ServicesDep,
                 after_version: int = Query(0, ge=0, le=2**53), limit: int = Query(50, ge=1, le=1000),
                 doctor: DoctorQuery = None,
                 type: Annotated[list[EventType] | None, Query(max_length=50)] = None,
                 at_least: AtLeastQuery = 0) -> dict[str, Any]:
    return await operator_views.round_events(svc, principal, period, after_version=after_version, limit=limit,
                                             doctor=doctor, types=type, at_least=at_least)


@router.post("/rounds/{period}/close", responses=REFUSED, summary="Close the current phase now (R-PROC-1), with a reason")
async def close(period: str, body: ReasonBody, principal: PrincipalDep, svc: ServicesDep) -> ClosePhaseResult:
    return await operator_views.close(svc, principal, period, body.reason)


@router.post("/rounds/{period}/extend", responses=REFUSED, summary="Move the current deadline later, with a reason")
async def extend(period: str, body: ExtendBody, principal: PrincipalDep, svc: ServicesDep) -> OperatorActionResult:
    return await operator_views.extend(svc, principal, period, body.until, body.reason)


@router.post("/rounds/{period}/cancel", responses=REFUSED, summary="Cancel the round, with a reason")
async def cancel(period: str, body: ReasonBody, principal: PrincipalDep, svc: ServicesDep) -> OperatorActionResult:
    return await operator_views.cancel(svc, principal, period, body.reason)


@router.get("/rounds/{period}/restart", summary="What `vakt restart` would do (a dry run)")
async def restart_plan(period: str, principal: PrincipalDep, svc: ServicesDep) -> RestartPlan:
    return await operator_views.restart_plan(svc, principal, period)


@router.post("/rounds/{period}/restart", responses=REFUSED, summary="Carry out the restart plan, recorded with the operator and reason")
async def restart_apply(period: str, body: ReasonBody, principal: PrincipalDep, svc: ServicesDep) -> dict[str, Any]:
    plan, done = await operator_views.restart_apply(svc, principal, period, body.reason)
    return {"plan": plan, "applied": done}


@router.get("/schedules", summary="Every district's round schedule")
async def schedules(principal: PrincipalDep, svc: ServicesDep) -> list[ScheduleView]:
    return await operator_views.schedule_list(svc, principal)


@router.get("/requests", summary="Doctors' requests waiting for a decision")
async def pending(principal: PrincipalDep, svc: ServicesDep) -> list[StoredRequest]:
    return await requests.pending_requests(svc, principal)


@router.post("/requests/{request_id}/decision", responses=REFUSED_OR_CONFLICT, summary="Grant or refuse a request (recorded with the operator and time)")
async def decide(request_id: RequestNumber, body: DecisionBody, principal: PrincipalDep, svc: ServicesDep) -> Decision:
    return await requests.decide_request(svc, principal, request_id, grant=body.grant, note=body.note)


@router.post("/periods/{period}/act", response_model=ActionAnswer, responses=REFUSED,
             summary="Enter a doctor's wish, pick or claim for them (the allocation meeting), recorded as the operator for the doctor")
async def act_for(period: str, body: ActForBody, principal: PrincipalDep, svc: ServicesDep) -> ActionAnswer:
    outcome = await doctor_actions.act_for_doctor(svc, principal, period, body.verb, body.shift, body.doctor)
    if not outcome.accepted:
        raise Refused(outcome.rule or "?", outcome.message or "")
    return ActionAnswer(
        accepted=True, shift=outcome.shift, doctor=outcome.doctor, version=outcome.version,
        source=outcome.source.value if outcome.source else None,
    )


@router.post("/requests", status_code=201, responses=REFUSED,
             summary="Enter a doctor's request for them, recorded as the operator for the doctor; another operator decides it")
async def request_for(body: RequestForBody, principal: PrincipalDep, svc: ServicesDep) -> StoredRequest:
    data = body.model_dump(by_alias=True, exclude_none=True, exclude={"district", "doctor"}, mode="json")
    return await requests.submit_for_doctor(svc, principal, body.district, body.doctor, data)


@router.delete("/districts/{district}/doctors/{doctor}/calendar", summary="Revoke a doctor's calendar feed (a lost phone)")
async def revoke_feed(district: str, doctor: str, principal: PrincipalDep, svc: ServicesDep) -> FeedLink:
    return await calendar.revoke_for_doctor(svc, principal, district, doctor)
