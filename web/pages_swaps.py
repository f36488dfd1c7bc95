"""The doctor's swaps after publication (R-SWAP-1): offer a shift, accept, decline or withdraw an
offer. Parse, call app/, render."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.bootstrap import Services
from app.errors import Refused
from app.periods import doctor_actions
from web.pages_board import _board
from web.request_state import principal_of
from web.session import read_form
from workflows.messages import SwapResult

router = APIRouter(tags=["pages"])


def _svc(request: Request) -> Services:
    return request.app.state.services


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
