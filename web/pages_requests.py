"""The doctor's requests to the clinic (R-EX-1/2/5, R-MEET-1) as a page: reasons chosen by kind
and shown in words, the substitute chosen by name (mapped to the id on the server, so no id
reaches the browser), the input kept when something is wrong, each error naming its field in
the page's language (web/form_errors.py), and decisions appearing without a reload
(web/static/requests.js polls the doctor's own `GET /api/me/requests`). Parse, call app/, render."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.bootstrap import Services
from app.errors import BadInput
from app.reads.swap_views import labels
from app.registry import requests
from domain.registry.profiles import R_EX_1_REASONS, R_EX_2_REASONS, VALID_MEETING_ABSENCE
from web.form_errors import by_field, field_errors
from web.render import language, page
from web.request_state import principal_of
from web.session import read_form

router = APIRouter(tags=["pages"])
FIELDS = ("kind", "from", "to", "reason", "substitute", "note")
# The reasons each kind takes, in the order a person reads them (leave has none).
REASONS = {
    "exemption": [*sorted(R_EX_1_REASONS), *sorted(R_EX_2_REASONS)],
    "meeting_absence": ["illness", "vacation", "course", "on_duty", "approved_other"],
}
assert set(REASONS["meeting_absence"]) == VALID_MEETING_ABSENCE


def _svc(request: Request) -> Services:
    return request.app.state.services


async def _page(request: Request, *, status_code: int = 200, form: dict | None = None, errors=None,
                saved: int | None = None) -> Response:
    svc, principal = _svc(request), principal_of(request)
    items = await requests.my_requests(svc, principal)
    subs = labels(await requests.substitutes(svc, principal))
    errors = errors or []
    return page(request, "requests.html", status_code=status_code, items=items, reasons=REASONS,
                substitutes=sorted(subs), form=form or {"kind": "exemption"}, errors=errors,
                invalid=by_field(errors), saved=saved)


@router.get("/requests", summary="The doctor's requests to the clinic (page)")
async def requests_page(request: Request, saved: int | None = None) -> Response:
    return await _page(request, saved=saved)


@router.post("/requests", summary="Send a request to the clinic (form)")
async def requests_post(request: Request) -> Response:
    fields = await read_form(request)
    svc, principal = _svc(request), principal_of(request)
    form = {k: fields.get(k, "").strip()[:500] for k in FIELDS}
    data = {k: v for k, v in form.items() if v}
    if form["kind"] != "leave":
        data.pop("substitute", None)
    else:
        data.pop("reason", None)
    if data.get("substitute"):  # a name from the list → the substitute's id
        chosen = labels(await requests.substitutes(svc, principal)).get(data["substitute"])
        data["substitute"] = chosen or "-"  # "-" is no id: the use case names the field
    try:
        stored = await requests.submit_request(svc, principal, data)
    except BadInput as e:
        return await _page(request, status_code=422, form=form, errors=field_errors(e.message, language(request)))
    return RedirectResponse(f"/requests?saved={stored.request_id}", status_code=303)


@router.post("/requests/{request_id}/withdraw", summary="Withdraw a request before it is decided (form)")
async def withdraw_post(request: Request, request_id: int) -> Response:
    await read_form(request)
    await requests.withdraw_request(_svc(request), principal_of(request), request_id)
    return RedirectResponse("/requests", status_code=303)
