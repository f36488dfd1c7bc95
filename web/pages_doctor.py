"""The doctor's pages: their periods and calendar link, a period's board with one
button per action, swaps, their details and their requests. Parse, call app/, render."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.identity import feeds as calendar
from app.registry import details, email_change, requests
from app.periods import doctor_actions
from app.reads import doctor_views
from app.bootstrap import Services
from app.errors import BadInput, Conflict, NotFound, Refused
from web.banners import done_shift
from web.render import page
from web.request_state import principal_of
from web.session import read_form
from workflows.messages import SwapResult

router = APIRouter(tags=["pages"])


def _svc(request: Request) -> Services:
    return request.app.state.services


@router.get("/", summary="Home: the doctor's periods (page)")
async def home(request: Request) -> Response:
    principal = principal_of(request)
    if principal is not None and not principal.is_doctor and principal.is_operator:
        return RedirectResponse("/operator", status_code=303)
    periods = await doctor_views.my_periods(_svc(request), principal)
    feed = await calendar.feed_link(_svc(request), principal) if principal.is_doctor else None
    return page(request, "home.html", periods=periods, feed=feed)


@router.get("/periods/{period}", summary="A period as the doctor sees it (page)")
async def board_page(
    request: Request, period: str, month: str | None = None, v: int = 0, done: str | None = None
) -> Response:
    return await _board(request, period, month=month, at_least=v, done=done)


@router.get("/periods/{period}/wishes", summary="The link in the invitation (page)")
async def wishes_page(request: Request, period: str) -> Response:
    return await _board(request, period)


async def _board(
    request: Request, period: str, *, month: str | None = None, at_least: int = 0, done: str | None = None,
    refusal: dict[str, str | None] | None = None, status_code: int = 200,
) -> Response:
    svc = _svc(request)
    b = await doctor_views.board(svc, principal_of(request), period, month=month, at_least=max(0, at_least))
    colleagues = await doctor_views.colleagues(svc, principal_of(request), period) if b.phase == "published" else []
    return page(request, "board.html", status_code=status_code, b=b, colleagues=colleagues,
                done=done_shift(done), refusal=refusal)


@router.post("/periods/{period}/act", summary="Wish, pick or claim one shift (form)")
async def act(request: Request, period: str) -> Response:
    fields = await read_form(request)
    outcome = await doctor_actions.act_signed_in(
        _svc(request), principal_of(request), period, fields.get("verb", ""), fields.get("shift", "")
    )
    if outcome.accepted:
        return RedirectResponse(f"/periods/{period}?v={outcome.version}&done={outcome.shift}", status_code=303)
    refusal = {"rule": outcome.rule, "message": outcome.message}
    return await _board(request, period, refusal=refusal, status_code=409)


async def _swap_step(request: Request, period: str, step: Callable[[], Awaitable[SwapResult]]) -> Response:
    try:
        result = await step()
    except Refused as e:
        return await _board(request, period, refusal={"rule": e.rule, "message": e.reason}, status_code=409)
    return RedirectResponse(f"/periods/{period}?v={result.version}&done={result.shift}", status_code=303)


@router.post("/periods/{period}/swaps/offer", summary="Offer a shift (form)")
async def offer(request: Request, period: str) -> Response:
    fields = await read_form(request)
    return await _swap_step(request, period, lambda: doctor_actions.offer_swap(
        _svc(request), principal_of(request), period, fields.get("shift", ""), fields.get("receiver") or None))


@router.post("/periods/{period}/swaps/{swap}/accept", summary="Accept an offer (form)")
async def accept(request: Request, period: str, swap: str) -> Response:
    await read_form(request)
    return await _swap_step(request, period, lambda: doctor_actions.accept_swap(_svc(request), principal_of(request), period, swap))


@router.post("/periods/{period}/swaps/{swap}/decline", summary="Decline an offer (form)")
async def decline(request: Request, period: str, swap: str) -> Response:
    await read_form(request)
    return await _swap_step(request, period, lambda: doctor_actions.close_swap(_svc(request), principal_of(request), period, swap))


@router.post("/periods/{period}/swaps/{swap}/withdraw", summary="Withdraw an offer (form)")
async def withdraw(request: Request, period: str, swap: str) -> Response:
    await read_form(request)
    return await _swap_step(request, period, lambda: doctor_actions.close_swap(_svc(request), principal_of(request), period, swap))


@router.get("/me", summary="The doctor's own details (page)")
async def details_page(request: Request) -> Response:
    d = await details.my_details(_svc(request), principal_of(request))
    return page(request, "details.html", d=d)


@router.post("/me", summary="Change the doctor's own details (form)")
async def details_post(request: Request) -> Response:
    fields = await read_form(request)
    svc, principal = _svc(request), principal_of(request)
    current = await details.my_details(svc, principal)
    wanted = {k: fields[k].strip() for k in details.EDITABLE if k in fields}
    changes = {k: v for k, v in wanted.items() if v != (str(getattr(current, k) or ""))}
    if not changes:
        return page(request, "details.html", d=current)
    try:
        result = await details.change_details(svc, principal, changes)
    except BadInput as e:
        return page(request, "details.html", status_code=e.http_status, d=current, error=e.message)
    return page(request, "details.html", d=result.details, saved=", ".join(result.changed),
                confirm_sent="email" in result.awaiting_confirmation)


@router.get("/me/email/confirm", tags=["public"],
            summary="The page a new address's confirmation link opens (public; confirms with a button)")
async def email_confirm_page(request: Request, token: str = "") -> Response:
    # Mail scanners follow links: the token is used only by the button's POST.
    return page(request, "email_confirm.html", token=token[:200])


@router.post("/me/email/confirm", tags=["public"],
             summary="Confirm a new e-mail address with its link's token (public; single use)")
async def email_confirm(request: Request) -> Response:
    fields = await read_form(request, check_csrf=False)
    try:
        await email_change.confirm_change(_svc(request), fields.get("token", ""))
    except NotFound as e:
        return page(request, "email_confirm.html", status_code=404, error=e.message)
    except Conflict as e:
        return page(request, "email_confirm.html", status_code=409, error=e.message)
    return page(request, "email_confirm.html", confirmed=True)


@router.get("/requests", summary="The doctor's requests to the clinic (page)")
async def requests_page(request: Request) -> Response:
    items = await requests.my_requests(_svc(request), principal_of(request))
    return page(request, "requests.html", items=items)


@router.post("/requests", summary="Send a request to the clinic (form)")
async def requests_post(request: Request) -> Response:
    fields = await read_form(request)
    svc, principal = _svc(request), principal_of(request)
    data = {k: fields[k].strip() for k in ("kind", "from", "to", "reason", "substitute", "note") if fields.get(k, "").strip()}
    try:
        stored = await requests.submit_request(svc, principal, data)
    except BadInput as e:
        items = await requests.my_requests(svc, principal)
        return page(request, "requests.html", status_code=422, items=items, error=e.message)
    items = await requests.my_requests(svc, principal)
    return page(request, "requests.html", items=items, saved=stored.request_id)


@router.post("/requests/{request_id}/withdraw", summary="Withdraw a request before it is decided (form)")
async def withdraw_post(request: Request, request_id: int) -> Response:
    await read_form(request)
    await requests.withdraw_request(_svc(request), principal_of(request), request_id)
    return RedirectResponse("/requests", status_code=303)


@router.post("/calendar-link/renew", summary="A new calendar feed link (form)")
async def renew(request: Request) -> Response:
    await read_form(request)
    await calendar.renew_feed(_svc(request), principal_of(request))
    return RedirectResponse("/", status_code=303)


@router.post("/calendar-link/revoke", summary="Revoke the calendar feed link (form)")
async def revoke(request: Request) -> Response:
    await read_form(request)
    await calendar.revoke_feed(_svc(request), principal_of(request))
    return RedirectResponse("/", status_code=303)
