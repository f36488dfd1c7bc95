"""Vacancies after publication (R-VAC-1..3): the doctor's page, phone first — vacancies I may take
first (one tap, "Ta vakten"), then mine and what became of them, then declaring one of my shifts
vacant (one tap from the shift, then a reason) — and the operator's desk page for a round: every
vacancy with its state, escalated ones first to act on, the assign form offering only doctors
who may legally take it. Every POST answers with a redirect; a refusal is shown in the page's
language with its rule. Parse, call app/, render."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.bootstrap import Services
from app.errors import BadInput, Refused
from app.periods import vacancies
from app.reads import swap_views, vacancy_views
from app.validate import period_id as valid_period_id
from web.i18n import has
from web.render import page
from web.request_state import principal_of
from web.session import read_form

router = APIRouter(tags=["pages"])


def _svc(request: Request) -> Services:
    return request.app.state.services


def _refusal(e: Refused) -> dict[str, str]:
    return {"rule": e.rule, "code": e.code if has(f"refusal.{e.code}") else "other"}


async def _doctor_page(request: Request, period: str, template: str = "vacancies.html", *, status_code: int = 200,
                       at_least: int = 0, **extra) -> Response:
    svc, principal = _svc(request), principal_of(request)
    v = await vacancy_views.for_doctor(svc, principal, period, at_least=max(0, at_least))
    start, end = await swap_views.period_dates(svc, v.period)
    return page(request, template, status_code=status_code, v=v, start=start, end=end, **extra)


@router.get("/periods/{period}/vacancies", summary="Vacant shifts: the ones I may take first, then mine (page)")
async def vacancies_page(request: Request, period: str, v: int = 0, done: str = "", declared: str = "") -> Response:
    return await _doctor_page(request, period, at_least=v, done=done[:100], declared=declared[:100])


@router.get("/periods/{period}/vacancies/new", summary="Declare one of my shifts vacant: the reason (page)")
async def new_vacancy(request: Request, period: str, shift: str = "") -> Response:
    return await _doctor_page(request, period, "vacancy_new.html", shift=shift[:100])


@router.post("/periods/{period}/vacancies/declare", summary="Declare my shift vacant with a reason (form)")
async def declare(request: Request, period: str) -> Response:
    fields = await read_form(request)
    period = valid_period_id(period, "period")
    shift, reason = fields.get("shift", ""), fields.get("reason", "")
    try:
        result = await vacancies.declare_own(_svc(request), principal_of(request), period, shift, reason)
    except BadInput as e:
        field = "reason" if "reason" in e.message else "shift"
        return await _doctor_page(request, period, "vacancy_new.html", status_code=422, shift=shift[:100],
                                  typed=reason[:200], error=f"vacancy.bad_{field}")
    except Refused as e:
        return await _doctor_page(request, period, status_code=409, refusal=_refusal(e))
    return RedirectResponse(f"/periods/{period}/vacancies?v={result.version}&declared={quote(result.shift)}",
                            status_code=303)


@router.post("/periods/{period}/vacancies/{vacancy}/take", summary="Take a vacant shift (form)")
async def take(request: Request, period: str, vacancy: str) -> Response:
    await read_form(request)
    period = valid_period_id(period, "period")
    try:
        result = await vacancies.take(_svc(request), principal_of(request), period, vacancy)
    except Refused as e:
        return await _doctor_page(request, period, status_code=409, refusal=_refusal(e))
    return RedirectResponse(f"/periods/{period}/vacancies?v={result.version}&done={quote(result.shift)}",
                            status_code=303)


# ------------------------------------------------------------------------------ the operator's desk

async def _desk(request: Request, period: str, *, status_code: int = 200, at_least: int = 0, **extra) -> Response:
    svc, principal = _svc(request), principal_of(request)
    r = await vacancy_views.for_round(svc, principal, period, at_least=max(0, at_least))
    start, end = await swap_views.period_dates(svc, r.period)
    return page(request, "operator_vacancies.html", status_code=status_code, r=r, start=start, end=end, **extra)


@router.get("/operator/periods/{period}/vacancies", summary="A round's vacancies: open, escalated, uncovered (page)")
async def desk_page(request: Request, period: str, v: int = 0, done: str = "") -> Response:
    return await _desk(request, period, at_least=v, done=done[:100])


@router.post("/operator/periods/{period}/vacancies/{vacancy}/assign",
             summary="Assign an escalated vacancy to a doctor who may take it, with a reason (form)")
async def assign(request: Request, period: str, vacancy: str) -> Response:
    fields = await read_form(request)
    period = valid_period_id(period, "period")
    try:
        result = await vacancies.assign(_svc(request), principal_of(request), period, vacancy,
                                        fields.get("doctor", ""), fields.get("reason", ""))
    except BadInput as e:
        field = "reason" if "reason" in e.message else "doctor"
        return await _desk(request, period, status_code=422, error=f"vacancy.bad_{field}", failed=vacancy)
    except Refused as e:
        return await _desk(request, period, status_code=409, refusal=_refusal(e), failed=vacancy)
    return RedirectResponse(f"/operator/periods/{period}/vacancies?v={result.version}&done={quote(result.shift)}",
                            status_code=303)


@router.post("/operator/periods/{period}/vacancies/declare", summary="Declare a shift vacant for its holder (form)")
async def declare_for_holder(request: Request, period: str) -> Response:
    fields = await read_form(request)
    period = valid_period_id(period, "period")
    try:
        result = await vacancies.declare_for_holder(_svc(request), principal_of(request), period,
                                                    fields.get("shift", ""), fields.get("reason", ""))
    except BadInput as e:
        field = "reason" if "reason" in e.message else "shift"
        return await _desk(request, period, status_code=422, error=f"vacancy.bad_{field}")
    except Refused as e:
        return await _desk(request, period, status_code=409, refusal=_refusal(e))
    return RedirectResponse(f"/operator/periods/{period}/vacancies?v={result.version}&done={quote(result.shift)}",
                            status_code=303)
