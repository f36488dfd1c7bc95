"""The doctor's swaps after publication (R-SWAP-1), made for a phone: offers to me first, and
offering a shift as one flow on its own page — choose one of my shifts, then a colleague by name
(one searchable list, not a select per row) or "everyone who may take it", which asks for a
confirmation before anything is sent. Every POST answers with a redirect (post-redirect-get);
a refusal is shown in the page's language with its rule ID and never names another doctor (the
engine's English message may). Parse, call app/, render."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.bootstrap import Services
from app.errors import Refused
from app.periods import doctor_actions
from app.reads import doctor_views, swap_views
from app.validate import period_id as valid_period_id
from web.i18n import has
from web.render import page
from web.request_state import principal_of
from web.session import read_form
from workflows.messages import SwapResult

router = APIRouter(tags=["pages"])
EVERYONE = "everyone"


def _svc(request: Request) -> Services:
    return request.app.state.services


async def _context(request: Request, period: str, at_least: int = 0) -> dict:
    svc, principal = _svc(request), principal_of(request)
    b = await doctor_views.board(svc, principal, period, at_least=max(0, at_least))
    start, end = await swap_views.period_dates(svc, period)
    return {"b": b, "swap_names": await swap_views.swap_names(svc, principal, period), "start": start, "end": end}


async def _swaps_page(request: Request, period: str, *, status_code: int = 200, **extra) -> Response:
    return page(request, "swaps.html", status_code=status_code, **await _context(request, period), **extra)


@router.get("/periods/{period}/swaps", summary="The doctor's swaps: offers to them first (page)")
async def swaps_page(request: Request, period: str, v: int = 0, sent: str = "", waiting: str = "") -> Response:
    context = await _context(request, period, v)
    sent_shift = next((s for s in context["b"].held if s.shift == sent), None)
    # R-SWAP-2: the offer just accepted waits for an operator (shown only when it does).
    waiting_line = next((s for s in context["b"].swaps_in if s.shift == waiting and s.awaiting_approval), None)
    return page(request, "swaps.html", sent=sent_shift, waiting=waiting_line, **context)


@router.get("/periods/{period}/swaps/new", summary="Offer one of my shifts: choose it, then who (page)")
async def new_offer(request: Request, period: str, shift: str = "", to: str = "") -> Response:
    context = await _context(request, period)
    held = {s.shift: s for s in context["b"].held}
    chosen = held.get(shift)
    labels = await swap_views.colleague_labels(_svc(request), principal_of(request), period) if chosen else {}
    step = "confirm" if chosen and to == EVERYONE else ("who" if chosen else "shift")
    return page(request, "swap_new.html", step=step, chosen=chosen, labels=sorted(labels), **context)


def refusal_words(e: Refused) -> dict[str, str]:
    """The reason by its code in the page's language (never the engine's text), and the rule."""
    return {"rule": e.rule, "code": e.code if has(f"refusal.{e.code}") else "other"}


async def _swap_step(request: Request, period: str, step: Callable[[], Awaitable[SwapResult]]) -> Response:
    try:
        result = await step()
    except Refused as e:
        return await _swaps_page(request, period, refusal=refusal_words(e), status_code=409)
    if result.awaiting_approval:  # R-SWAP-2: not yet theirs; the swaps page says it waits
        return RedirectResponse(f"/periods/{quote(period)}/swaps?v={result.version}&waiting={quote(result.shift)}",
                                status_code=303)
    return RedirectResponse(f"/periods/{period}?v={result.version}&done={quote(result.shift)}", status_code=303)


@router.post("/periods/{period}/swaps/offer", summary="Offer a shift (form)")
async def offer(request: Request, period: str) -> Response:
    """`to` is a colleague's name from the list, or "everyone" with `confirmed=yes` (without it
    the confirmation page comes first). `receiver` (an id) is the older board form's field; its
    empty value, everyone, also asks for the confirmation first."""
    fields = await read_form(request)
    svc, principal = _svc(request), principal_of(request)
    period = valid_period_id(period, "period")  # it goes into a redirect
    shift, to = fields.get("shift", ""), fields.get("to", "").strip()
    receiver: str | None = fields.get("receiver") or None
    everyone = to == EVERYONE or ("receiver" in fields and receiver is None)
    if everyone and fields.get("confirmed") != "yes":
        return RedirectResponse(f"/periods/{period}/swaps/new?shift={quote(shift)}&to={EVERYONE}", status_code=303)
    if "to" in fields and not everyone:
        labels = await swap_views.colleague_labels(svc, principal, period)
        receiver = labels.get(to)
        if receiver is None:  # not a name from the list: the form again, what was typed kept
            context = await _context(request, period)
            chosen = next((s for s in context["b"].held if s.shift == shift), None)
            return page(request, "swap_new.html", status_code=422, step="who" if chosen else "shift", chosen=chosen,
                        labels=sorted(labels), error="swaps.pick_from_list", typed=to[:200], **context)
    if everyone:
        receiver = None
    try:
        result = await doctor_actions.offer_swap(svc, principal, period, shift, receiver)
    except Refused as e:
        return await _swaps_page(request, period, refusal=refusal_words(e), status_code=409)
    return RedirectResponse(f"/periods/{period}/swaps?v={result.version}&sent={quote(result.shift)}", status_code=303)


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
