"""The doctor's board of one period: the shifts they can take now, one button per shift, and the
action's answer. Parse, call app/, render."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.bootstrap import Services
from app.periods import doctor_actions
from app.reads import doctor_views
from web.banners import done_shift
from web.render import page
from web.request_state import principal_of
from web.session import read_form

router = APIRouter(tags=["pages"])


def _svc(request: Request) -> Services:
    return request.app.state.services


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
