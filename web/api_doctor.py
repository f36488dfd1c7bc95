"""The doctors' JSON API: parse, call app/, return. Everything here is the signed-in doctor's
own: no field or query names another doctor (an operator enters an action for a doctor through
/api/operator/periods/{period}/act). No field names an actor: the actor is the signed-in person."""

from __future__ import annotations


from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from adapters.postgres.requests import StoredRequest
from app.identity import feeds as calendar
from app.registry import details, requests
from app.periods import doctor_actions
from app.reads import doctor_views
from app.identity.access import signed_in
from app.identity.feeds import FeedLink
from app.registry.details import DetailsChanged, MyDetails
from app.reads.doctor_views import Colleague, PeriodLink
from app.errors import BadInput, Refused
from domain.period.doctor_board import DoctorBoard
from web.deps import REFUSED, REFUSED_OR_CONFLICT, Body, PrincipalDep, ServicesDep
from web.fields import AtLeastQuery, DetailChanges, DistrictQuery, Id, MonthQuery, RequestNumber, ShiftRef, Verb
from web.request_bodies import RequestBody
from web.request_state import session_of
from workflows.messages import SwapResult

async def _own_only(request: Request) -> None:
    """A query naming a doctor is refused: /api/me and a period's actions are always one's own.
    (Async: a plain `def` dependency would run in a worker thread.)"""
    if "doctor" in request.query_params:
        raise BadInput("doctor: not accepted here; this is always the signed-in doctor's own")


router = APIRouter(prefix="/api", tags=["doctor"], dependencies=[Depends(_own_only)])


class ActionBody(Body):
    verb: Verb
    shift: ShiftRef


class ActionAnswer(BaseModel):
    """An accepted action: the version that recorded it and how the shift was filled. A refused
    one is answered 409 with a `Refusal` (web.deps), like every refusal."""

    accepted: bool
    shift: str
    doctor: str
    version: int | None = None
    source: str | None = None


class OfferBody(Body):
    shift: ShiftRef
    receiver: Id | None = Field(None, description="a colleague's id; none: everyone who may take it")


class NoFields(Body):
    """An empty body (`{}`): the doctor is the signed-in one."""


class DetailsBody(DetailChanges):
    district: Id | None = Field(None, description="one of your own districts (default: your first)")


@router.get("/me", summary="Who is signed in, and the CSRF token to send in X-CSRF-Token")
async def whoami(request: Request, principal: PrincipalDep) -> dict[str, Any]:
    principal = signed_in(principal)
    return {"name": principal.name, "roles": list(principal.roles), "via": principal.via,
            "doctors": [d.model_dump() for d in principal.doctors], "account_id": principal.account_id,
            "districts": list(principal.districts), "csrf": session_of(request).csrf}


@router.get("/periods", summary="The signed-in doctor's periods")
async def my_periods(principal: PrincipalDep, svc: ServicesDep) -> list[PeriodLink]:
    return await doctor_views.my_periods(svc, principal)


@router.get("/periods/{period}/board", summary="What the doctor may take now, their shifts, quota, balance and swaps")
async def board(period: str, principal: PrincipalDep, svc: ServicesDep, month: MonthQuery = None,
                at_least: AtLeastQuery = 0) -> DoctorBoard:
    return await doctor_views.board(svc, principal, period, month=month, at_least=at_least)


@router.get("/periods/{period}/colleagues", summary="The other doctors of the period's district (to offer a swap to)")
async def colleagues(period: str, principal: PrincipalDep, svc: ServicesDep) -> list[Colleague]:
    return await doctor_views.colleagues(svc, principal, period)


@router.post(
    "/periods/{period}/actions", response_model=ActionAnswer, responses=REFUSED,
    summary="One action (wish, pick, claim) through the front door: accepted with its version, or refused with its rule",
)
async def act(period: str, body: ActionBody, principal: PrincipalDep, svc: ServicesDep) -> ActionAnswer:
    outcome = await doctor_actions.act_signed_in(svc, principal, period, body.verb, body.shift)
    if not outcome.accepted:
        raise Refused(outcome.rule or "?", outcome.message or "")  # answered as a Refusal (web.service)
    return ActionAnswer(
        accepted=True, shift=outcome.shift, doctor=outcome.doctor, version=outcome.version,
        source=outcome.source.value if outcome.source else None,
    )


@router.post("/periods/{period}/swaps", responses=REFUSED,
             summary="Offer a held shift to a colleague, or to all who may take it (R-SWAP-1)")
async def offer(period: str, body: OfferBody, principal: PrincipalDep, svc: ServicesDep) -> SwapResult:
    return await doctor_actions.offer_swap(svc, principal, period, body.shift, body.receiver)


@router.post("/periods/{period}/swaps/{swap}/accept", responses=REFUSED, summary="Take an offered shift over (R-SWAP-1)")
async def accept(period: str, swap: str, body: NoFields, principal: PrincipalDep, svc: ServicesDep) -> SwapResult:
    return await doctor_actions.accept_swap(svc, principal, period, swap)


@router.post("/periods/{period}/swaps/{swap}/decline", responses=REFUSED, summary="Decline an offer made to you")
async def decline(period: str, swap: str, body: NoFields, principal: PrincipalDep, svc: ServicesDep) -> SwapResult:
    return await doctor_actions.close_swap(svc, principal, period, swap)


@router.post("/periods/{period}/swaps/{swap}/withdraw", responses=REFUSED, summary="Withdraw your own offer")
async def withdraw(period: str, swap: str, body: NoFields, principal: PrincipalDep, svc: ServicesDep) -> SwapResult:
    return await doctor_actions.close_swap(svc, principal, period, swap)


@router.get("/me/details", summary="The doctor's own details")
async def get_details(principal: PrincipalDep, svc: ServicesDep, district: DistrictQuery = None) -> MyDetails:
    return await details.my_details(svc, principal, district=district)


@router.post("/me/details", summary="Change mobile, e-mail or dated qualifications (R-DATA-1, recorded with who and "
             "when); a new e-mail address takes effect when confirmed from it")
async def post_details(body: DetailsBody, principal: PrincipalDep, svc: ServicesDep) -> DetailsChanged:
    changes = body.model_dump(exclude_unset=True, exclude={"district"}, mode="json")
    return await details.change_details(svc, principal, changes, district=body.district)


@router.get("/me/requests", summary="The doctor's requests to the clinic")
async def get_requests(principal: PrincipalDep, svc: ServicesDep, district: DistrictQuery = None) -> list[StoredRequest]:
    return await requests.my_requests(svc, principal, district)


@router.post("/me/requests", status_code=201, responses=REFUSED,
             summary="Apply for an exemption (R-EX-1/2/3), report a meeting absence (R-MEET-1) or a leave (R-EX-5)")
async def post_request(body: RequestBody, principal: PrincipalDep, svc: ServicesDep) -> StoredRequest:
    data = body.model_dump(by_alias=True, exclude_none=True, exclude={"district"}, mode="json")
    return await requests.submit_request(svc, principal, data, district=body.district)


@router.post("/me/requests/{request_id}/withdraw", responses=REFUSED_OR_CONFLICT,
             summary="Withdraw your own request before the clinic decides it")
async def withdraw_request(request_id: RequestNumber, principal: PrincipalDep, svc: ServicesDep) -> StoredRequest:
    return await requests.withdraw_request(svc, principal, request_id)


@router.get("/me/calendar", summary="The doctor's calendar feed URL (null: none)")
async def get_feed(principal: PrincipalDep, svc: ServicesDep, district: DistrictQuery = None) -> FeedLink:
    return await calendar.feed_link(svc, principal, district)


@router.post("/me/calendar", summary="A new calendar feed URL; the old one stops working")
async def renew_feed(body: NoFields, principal: PrincipalDep, svc: ServicesDep, district: DistrictQuery = None) -> FeedLink:
    return await calendar.renew_feed(svc, principal, district)


@router.delete("/me/calendar", summary="Revoke the calendar feed URL")
async def revoke_feed(principal: PrincipalDep, svc: ServicesDep, district: DistrictQuery = None) -> FeedLink:
    return await calendar.revoke_feed(svc, principal, district)
