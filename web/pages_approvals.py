"""R-SWAP-2 at the operator's desk: the queue of swaps waiting for approval across the
operator's districts (soonest shift first, approve with one click, reject with a reason), and
a swap carried out for two doctors who agree (choose the giver, then one of their shifts, the
receiver and a reason). Every POST answers with a redirect; a refusal shows its rule and the
reason in the page's language; a bad form is answered 422 with the field named. Parse, call
app/, render."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from app.bootstrap import Services
from app.errors import BadInput, Refused
from app.periods import swap_approvals
from app.reads import operator_views
from app.reads.carry_out_views import carry_out_choices
from app.validate import period_id as valid_period_id
from web.form_errors import by_field, field_errors
from web.pages_swaps import refusal_words
from web.render import language, page
from web.request_state import principal_of
from web.session import read_form

router = APIRouter(tags=["pages"])


def _svc(request: Request) -> Services:
    return request.app.state.services


async def _queue_page(request: Request, *, status_code: int = 200, **extra) -> Response:
    queue = await swap_approvals.approval_queue(_svc(request), principal_of(request))
    return page(request, "approvals.html", status_code=status_code, queue=queue, **extra)


@router.get("/operator/approvals", summary="Swaps waiting for an operator's approval (page, R-SWAP-2)")
async def approvals_page(request: Request, period: str | None = None, v: int = Query(0, ge=0),
                         done: str | None = None) -> Response:
    if period and v:  # read your own writes: the step just answered with its version
        await operator_views.wait_for_version(_svc(request), principal_of(request), period, v)
    return await _queue_page(request, done=done if done in ("approved", "rejected") else None)


def _back(period: str, version: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/operator/approvals?period={quote(period)}&v={version}&done={done}", status_code=303)


@router.post("/operator/periods/{period}/swaps/{swap}/approve", summary="Approve a waiting swap (form)")
async def approve(request: Request, period: str, swap: str) -> Response:
    await read_form(request)
    period = valid_period_id(period, "period")
    try:
        result = await swap_approvals.approve(_svc(request), principal_of(request), period, swap)
    except Refused as e:
        return await _queue_page(request, status_code=409, refusal=refusal_words(e))
    return _back(period, result.version, "approved")


@router.post("/operator/periods/{period}/swaps/{swap}/reject", summary="Reject a waiting swap, with a reason (form)")
async def reject(request: Request, period: str, swap: str) -> Response:
    fields = await read_form(request)
    period = valid_period_id(period, "period")
    try:
        result = await swap_approvals.reject(_svc(request), principal_of(request), period, swap,
                                             fields.get("reason", ""))
    except Refused as e:
        return await _queue_page(request, status_code=409, refusal=refusal_words(e))
    except BadInput as e:
        errors = field_errors(e.message, language(request))
        return await _queue_page(request, status_code=422, errors=errors, invalid=by_field(errors), failed=swap)
    return _back(period, result.version, "rejected")


async def _carry_out_page(request: Request, period: str, giver: str, *, status_code: int = 200, **extra) -> Response:
    choices = await carry_out_choices(_svc(request), principal_of(request), period, giver or None)
    return page(request, "swap_carry_out.html", status_code=status_code, period=period, c=choices, **extra)


@router.get("/operator/periods/{period}/carry-out", summary="Carry out a swap for two doctors (page, R-SWAP-2)")
async def carry_out_page(request: Request, period: str, giver: str = "") -> Response:
    return await _carry_out_page(request, valid_period_id(period, "period"), giver)


@router.post("/operator/periods/{period}/carry-out", summary="Carry out a swap for two doctors (form)")
async def carry_out(request: Request, period: str) -> Response:
    fields = await read_form(request)
    period = valid_period_id(period, "period")
    giver = fields.get("giver", "")
    try:
        result = await swap_approvals.carry_out(
            _svc(request), principal_of(request), period, shift=fields.get("shift", ""), giver=giver,
            receiver=fields.get("receiver", ""), reason=fields.get("reason", ""))
    except Refused as e:
        return await _carry_out_page(request, period, giver, status_code=409, refusal=refusal_words(e), typed=fields)
    except BadInput as e:
        errors = field_errors(e.message, language(request))
        return await _carry_out_page(request, period, giver, status_code=422, errors=errors,
                                     invalid=by_field(errors), typed=fields)
    return RedirectResponse(f"/operator/periods/{period}?v={result.version}&notice=swap_carried_out",
                            status_code=303)
