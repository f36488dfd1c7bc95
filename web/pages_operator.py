"""The operator's pages: every round with its verdict, one round with its events and
the steering forms, the schedules, the restart plan, and the requests waiting for a decision."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from adapters.postgres.projections import ProjectionReader
from app.reads import operator_views
from app.registry import requests
from app.bootstrap import Services
from app.identity.access import require_operator
from app.errors import BadInput, Refused, VaktError
from web.banners import notice_text
from web.render import language, page
from web.request_state import principal_of
from web.session import read_form

router = APIRouter(tags=["pages"])


def _svc(request: Request) -> Services:
    return request.app.state.services


@router.get("/operator", summary="The operator's page: rounds, requests, schedules (page)")
async def operator_home(request: Request, notice: str | None = None,
                        request_id: int | None = Query(None, alias="request", ge=1)) -> Response:
    svc, principal = _svc(request), principal_of(request)
    status = await operator_views.rounds(svc, principal)
    pending = await requests.pending_requests(svc, principal)
    schedules, schedules_error = [], None
    try:
        schedules = await operator_views.schedule_list(svc, principal)
    except VaktError as e:
        schedules_error = e.message
    return page(request, "operator.html", status=status, pending=pending, schedules=schedules,
                schedules_error=schedules_error, notice=notice_text(notice, language(request), request_id))


@router.get("/operator/periods/{period}", summary="One round: status, events, steering, restart plan (page)")
async def operator_round_page(request: Request, period: str, notice: str | None = None,
                              v: int = Query(0, ge=0, description="wait (briefly) until this version is stored"),
                              ) -> Response:
    return await operator_round(request, period, notice=notice, at_least=v)


async def operator_round(request: Request, period: str, *, notice: str | None = None, error: str | None = None,
                         rule: str | None = None, status_code: int = 200, at_least: int = 0) -> Response:
    svc, principal = _svc(request), principal_of(request)
    # Read your own writes: the steering just answered with its version; show the page once
    # that version is stored, so the operator sees their own action in the events.
    await operator_views.wait_for_version(svc, principal, period, at_least)
    diagnosis = await operator_views.round_detail(svc, principal, period)
    last = await ProjectionReader((await svc.database()).pool).last_event(period)
    after = max(0, (last[0] if last else 0) - 50)
    events = await operator_views.round_events(svc, principal, period, after_version=after, limit=50)
    plan, plan_error = None, None
    try:
        plan = await operator_views.restart_plan(svc, principal, period, diagnosis)
    except VaktError as e:
        plan_error = e.message
    return page(request, "operator_round.html", status_code=status_code, period=period, d=diagnosis, events=events,
                plan=plan, plan_error=plan_error, notice=notice_text(notice, language(request)), error=error, rule=rule)


async def _steer(request: Request, period: str, step: Callable[[], Awaitable[object]], done: str) -> Response:
    try:
        result = await step()
    except Refused as e:
        return await operator_round(request, period, error=e.reason, rule=e.rule, status_code=409)
    except BadInput as e:
        return await operator_round(request, period, error=e.message, status_code=e.http_status)
    version = getattr(result, "version", 0)
    return RedirectResponse(f"/operator/periods/{period}?notice={done}&v={version}", status_code=303)


def _until(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadInput("until: not a date and time (YYYY-MM-DDTHH:MM)") from None


@router.post("/operator/periods/{period}/extend", summary="Extend the deadline with a reason (form)")
async def extend(request: Request, period: str) -> Response:
    fields = await read_form(request)
    require_operator(principal_of(request))
    return await _steer(request, period, lambda: operator_views.extend(
        _svc(request), principal_of(request), period, _until(fields.get("until", "")), fields.get("reason", "")), "extended")


@router.post("/operator/periods/{period}/close", summary="Close the current phase with a reason (form)")
async def close(request: Request, period: str) -> Response:
    fields = await read_form(request)
    return await _steer(request, period, lambda: operator_views.close(
        _svc(request), principal_of(request), period, fields.get("reason", "")), "closed")


@router.post("/operator/periods/{period}/cancel", summary="Cancel the round with a reason (form)")
async def cancel(request: Request, period: str) -> Response:
    fields = await read_form(request)
    return await _steer(request, period, lambda: operator_views.cancel(
        _svc(request), principal_of(request), period, fields.get("reason", "")), "cancelled")


@router.post("/operator/requests/{request_id}/decide", summary="Grant or refuse a doctor's request (form)")
async def decide(request: Request, request_id: int) -> Response:
    fields = await read_form(request)
    grant = fields.get("grant") == "yes"
    decision = await requests.decide_request(_svc(request), principal_of(request), request_id, grant=grant,
                                             note=fields.get("note") or None)
    code = "granted" if decision.request.status == "granted" else "refused"
    return RedirectResponse(f"/operator?notice={code}&request={request_id}", status_code=303)
