"""The admins' accounts page: who may steer which districts, adding or changing an account,
disabling one, and ending every session of an address (a lost phone). Parse, call app/, render."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.bootstrap import Services
from app.errors import BadInput, Forbidden, NotFound
from app.identity import account_admin
from app.identity.accounts import ROLES
from domain.clock import oslo_today
from web.form_errors import by_field, field_errors
from web.i18n import text
from web.render import language, page
from web.request_state import principal_of
from web.session import read_form

router = APIRouter(tags=["pages"])
NOTICES = ("added", "disabled", "signed_out")


def _svc(request: Request) -> Services:
    return request.app.state.services


async def _page(request: Request, *, notice: str | None = None, errors: list | None = None,
                form: dict[str, str] | None = None, status_code: int = 200, problem: str | None = None) -> Response:
    accounts = await account_admin.accounts_for(_svc(request), principal_of(request))
    lang = language(request)
    return page(request, "accounts.html", status_code=status_code, accounts=accounts, roles=ROLES,
                notice=text(f"acct.notice_{notice}", lang) if notice in NOTICES else None,
                errors=errors or [], invalid=by_field(errors or []), form=form or {}, problem=problem)


@router.get("/admin/accounts", summary="Operators' and admins' accounts (page, admins)")
async def accounts_page(request: Request, notice: str | None = None) -> Response:
    return await _page(request, notice=notice)


async def _answer(request: Request, form: dict[str, str], step) -> Response:
    lang = language(request)
    try:
        await step()
    except BadInput as e:
        errors = field_errors(e.message.replace("--", ""), lang)
        return await _page(request, errors=errors, form=form, status_code=e.http_status)
    except (Forbidden, NotFound) as e:
        key = "acct.forbidden" if isinstance(e, Forbidden) else "acct.not_found"
        return await _page(request, problem=text(key, lang), form=form, status_code=e.http_status)
    return None


@router.post("/admin/accounts", summary="Add or change an account (form, admins)")
async def put_account(request: Request) -> Response:
    form = await read_form(request)
    districts = [d.strip() for d in (form.get("districts") or "").replace(",", " ").split() if d.strip()]
    failed = await _answer(request, form, lambda: account_admin.put_account_for(
        _svc(request), principal_of(request), email=form.get("email", ""), role=form.get("role", ""),
        name=form.get("name", ""), districts=districts))
    return failed or RedirectResponse("/admin/accounts?notice=added", status_code=303)


@router.post("/admin/accounts/disable", summary="Disable an account; its sessions end (form, admins)")
async def disable(request: Request) -> Response:
    form = await read_form(request)
    failed = await _answer(request, {}, lambda: account_admin.disable_account_for(
        _svc(request), principal_of(request), form.get("email", "")))
    return failed or RedirectResponse("/admin/accounts?notice=disabled", status_code=303)


@router.post("/admin/sessions/end", summary="End every session of an address: a lost phone (form, admins)")
async def end_sessions(request: Request) -> Response:
    form = await read_form(request)
    today = oslo_today(_svc(request).clock)
    failed = await _answer(request, {"lost": form.get("email", "")}, lambda: account_admin.end_sessions_for(
        _svc(request), principal_of(request), form.get("email", ""), today))
    return failed or RedirectResponse("/admin/accounts?notice=signed_out", status_code=303)
