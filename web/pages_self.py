"""The doctor's own pages: their periods and calendar link, their details, their requests to
the clinic. Parse, call app/, render."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.bootstrap import Services
from app.errors import BadInput, Conflict, NotFound
from app.identity import feeds as calendar
from app.reads import doctor_views
from app.registry import details, email_change
from web.form_errors import by_field, field_errors
from web.render import language, page
from web.request_state import principal_of
from web.session import read_form

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
    webcal = feed.url.replace("https://", "webcal://", 1).replace("http://", "webcal://", 1) if feed and feed.url else None
    return page(request, "home.html", periods=periods, feed=feed, webcal=webcal)


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
    except (BadInput, Conflict) as e:  # shown in words, the typed values kept
        errors = field_errors(e.message, language(request))
        shown = current.model_copy(update={k: v for k, v in wanted.items() if k in ("mobile", "email")})
        return page(request, "details.html", status_code=e.http_status, d=shown, typed=wanted, errors=errors,
                    invalid=by_field(errors))
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
