"""The operator's pages: every round with its verdict, one round with its events and
the steering forms, the schedules, the restart plan, and the requests waiting for a decision."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.responses import RedirectResponse, Response

from adapters.postgres.projections import ProjectionReader
from app.periods import swap_approvals
from app.reads import operator_views, vacancy_views
from app.reads.events import EVENT_TYPES
from domain.model import OSLO_TZ
from app.registry import requests
from app.bootstrap import Services
from app.errors import BadInput, VaktError
from web import steering_words as words
from web.banners import notice_text
from web.render import language, page
from web.request_state import principal_of
from web.session import read_form

router = APIRouter(tags=["pages"])
EVENTS_PAGE = 50


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
    dates = await operator_views.round_dates(svc, principal, {r.district for r in status.rounds if r.district})
    waiting = await swap_approvals.approval_queue(svc, principal)  # R-SWAP-2: linked with its count
    return page(request, "operator.html", **_words(language(request), {}), status=status, dates=dates, pending=pending,
                waiting_swaps=len(waiting), schedules=schedules,
                schedules_error=schedules_error, notice=notice_text(notice, language(request), request_id))


@router.get("/operator/periods/{period}", summary="One round: status, events, steering, restart plan (page)")
async def operator_round_page(
    request: Request, period: str, notice: str | None = None,
    v: int = Query(0, ge=0, description="wait (briefly) until this version is stored"),
    kind: str | None = Query(None, description="only events of this type (PhaseClosed …)"),
    doctor: str | None = Query(None, description="only events naming this doctor (id)"),
    after: int | None = Query(None, ge=0, description="the page of events after this version"),
    since: str | None = Query(None, description="the events from this day on (YYYY-MM-DD, Europe/Oslo)"),
) -> Response:
    day = _day(since)
    if day is not None and after is None:
        after = await operator_views.events_from(_svc(request), principal_of(request), period, day)
    return await operator_round(request, period, notice=notice, at_least=v, events_filter=EventsFilter(
        kind=kind or None, doctor=doctor or None, after=after, since=day))


def _day(value: str | None) -> date | None:
    """An empty field is no filter; anything else must be a date."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput("since: not a valid date") from None


class EventsFilter(BaseModel):
    kind: str | None = None
    doctor: str | None = None
    after: int | None = None  # None: the last page (unfiltered) or the first (filtered)
    since: date | None = None  # shown back in the filter


async def operator_round(request: Request, period: str, *, notice: str | None = None, error: str | None = None,
                         rule: str | None = None, status_code: int = 200, at_least: int = 0,
                         events_filter: EventsFilter | None = None) -> Response:
    svc, principal = _svc(request), principal_of(request)
    wanted = events_filter or EventsFilter()
    # Read your own writes: the steering just answered with its version; show the page once
    # that version is stored, so the operator sees their own action in the events.
    await operator_views.wait_for_version(svc, principal, period, at_least)
    diagnosis = await operator_views.round_detail(svc, principal, period)
    heading = await operator_views.round_heading(svc, principal, period)
    after = wanted.after
    if after is None:
        last = await ProjectionReader((await svc.database()).pool).last_event(period)
        filtered = wanted.kind or wanted.doctor
        after = 0 if filtered else max(0, (last[0] if last else 0) - EVENTS_PAGE)
    events = await operator_views.round_events(
        svc, principal, period, after_version=after, limit=EVENTS_PAGE, doctor=wanted.doctor,
        types=[wanted.kind] if wanted.kind else None)
    plan, plan_error = None, None
    try:
        plan = await operator_views.restart_plan(svc, principal, period, diagnosis)
    except VaktError as e:
        plan_error = e.message
    # R-VAC-3: escalated and uncovered vacancies are the operator's alert on the round's page.
    published = getattr(diagnosis.phase, "value", diagnosis.phase) == "published"
    vacancies = await vacancy_views.for_round(svc, principal, period) if published else None
    waiting = await swap_approvals.waiting_in_period(svc, period)  # R-SWAP-2 (access checked above)
    return page(request, "operator_round.html", status_code=status_code, period=period, d=diagnosis, h=heading,
                vacancies=vacancies, waiting_swaps=len(waiting),
                events=events, wanted=wanted, after=after, page_size=EVENTS_PAGE, event_types=EVENT_TYPES,
                plan=plan, plan_error=plan_error, notice=notice_text(notice, language(request)), error=error, rule=rule,
                deadline_value=_local_input(diagnosis.next_deadline), **_words(language(request), heading.doctors))


def _words(lang: str, doctors: dict[str, str]) -> dict:
    return {"verdict_words": lambda d: words.verdict_words(d, lang),
            "event_word": lambda kind: words.event_word(kind, lang),
            "actor_name": lambda e: words.actor_name(e, doctors, lang)}


def _local_input(moment: datetime | None) -> str:
    """A deadline as a `datetime-local` field's value, Europe/Oslo wall clock."""
    return moment.astimezone(OSLO_TZ).strftime("%Y-%m-%dT%H:%M") if moment else ""


@router.post("/operator/requests/{request_id}/decide", summary="Grant or refuse a doctor's request (form)")
async def decide(request: Request, request_id: int) -> Response:
    fields = await read_form(request)
    grant = fields.get("grant") == "yes"
    decision = await requests.decide_request(_svc(request), principal_of(request), request_id, grant=grant,
                                             note=fields.get("note") or None)
    code = "granted" if decision.request.status == "granted" else "refused"
    return RedirectResponse(f"/operator?notice={code}&request={request_id}", status_code=303)
