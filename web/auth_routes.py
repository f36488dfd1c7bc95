"""Signing in and out and the calendar feed: the public routes (liveness and readiness: web/readiness.py)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import RedirectResponse, Response

from app.identity import feeds as calendar, oidc, sign_in
from app.errors import Unauthenticated
from app.identity.oidc_refusals import OidcRefused
from app.identity.session_cutoffs import sign_out_everywhere
from app.identity.sessions import same_secret, sign
from web.i18n import text
from web.next_path import safe_next
from web.oidc_texts import link_off_text, refusal_text
from web.render import language, page, sign_in_page
from web.request_state import session_of
from web.session import clear_session, read_form, set_session
from web.throttling import throttle_attempt, throttle_link_request

router = APIRouter()
OIDC_COOKIE = "vakt_oidc"


class SignInRequest(BaseModel):
    # Declared as an address, so a client (and the contract test) knows what is accepted; the
    # use case checks it again (app/identity/sign_in.normal_address).
    email: str = Field(min_length=3, max_length=254, json_schema_extra={"format": "email"})


class Message(BaseModel):
    message: str


@router.get("/sign-in", tags=["public"], summary="The sign-in page (public)", include_in_schema=True)
async def sign_in_form(request: Request, next: str = "") -> Response:
    return sign_in_page(request, next_path=safe_next(next))


@router.post("/sign-in", tags=["public"], summary="Ask for a sign-in link by e-mail (public; same answer for every address)")
async def sign_in_post(request: Request) -> Response:
    fields = await read_form(request, check_csrf=False)
    throttle_link_request(request)
    target = safe_next(fields.get("next"))
    await sign_in.request_link(request.app.state.services, fields.get("email", ""), next_path=target)
    # The same answer for every address, in the page's language.
    return sign_in_page(request, message=text("link_sent_note", language(request)), next_path=target)


@router.post("/api/sign-in", tags=["public"], status_code=202, response_model=Message,
             summary="Ask for a sign-in link by e-mail (public; the same answer for every address)")
async def api_sign_in(request: Request, body: SignInRequest) -> Message:
    throttle_link_request(request)
    return Message(message=await sign_in.request_link(request.app.state.services, body.email))


@router.get("/sign-in/link", tags=["public"], summary="The page a sign-in link opens (public; confirms before signing in)")
async def sign_in_link(request: Request, token: str = "", next: str = "", sig: str = "") -> Response:
    # Mail scanners follow links: the token is used only by the button's POST.
    target = safe_next(next)
    return page(request, "sign_in_link.html", token=token[:200], next_path=target if target != "/" else "",
                next_sig=sig[:100])


@router.post("/sign-in/link", tags=["public"], summary="Sign in with a link's token (public; single use)")
async def use_sign_in_link(request: Request) -> Response:
    fields = await read_form(request, check_csrf=False)
    throttle_attempt(request)
    try:
        principal = await sign_in.use_link(request.app.state.services, fields.get("token", ""))
    except Unauthenticated as e:
        lang = language(request)
        shown = link_off_text(lang) if e.message == sign_in.OIDC_REQUIRED else text("link_not_valid", lang)
        return sign_in_page(request, status_code=401, error=shown)
    token = fields.get("token", "")
    target = sign_in.checked_next(request.app.state.services, token, safe_next(fields.get("next")), fields.get("next_sig", ""))
    response = RedirectResponse(_landing(principal, target), status_code=303)
    set_session(response, request, principal)
    return response


def _landing(principal, target: str | None) -> str:
    """The page wanted before signing in, else the person's home (an operator's: /operator)."""
    if target and target != "/":
        return target
    return "/operator" if principal.is_operator and not principal.is_doctor else "/"


@router.post("/sign-out", summary="Sign out: this session and every other one of yours end")
async def sign_out(request: Request) -> Response:
    await read_form(request)
    session = session_of(request)
    if session is not None:
        await sign_out_everywhere(request.app.state.services, session)
    response = RedirectResponse("/sign-in", status_code=303)
    clear_session(response, request)
    return response


# The provider did not answer or is set up wrongly: the service is unavailable, not the person refused.
_PROVIDER_FAULTS = {"oidc.provider_unavailable", "oidc.issuer_mismatch", "oidc.insecure_endpoint"}


def _refused(request: Request, refusal: OidcRefused) -> Response:
    """The sign-in page with the reason in the page's language (a fixed code, never free text)."""
    status = 503 if refusal.code in _PROVIDER_FAULTS else 401
    response = sign_in_page(request, status_code=status, error=refusal_text(refusal.code, language(request)))
    response.delete_cookie(OIDC_COOKIE, path="/sign-in/oidc")
    return response


def _callback(request: Request) -> str:
    return f"{request.app.state.services.web_settings.public_url}/sign-in/oidc/callback"


@router.get("/sign-in/oidc", tags=["public"], summary="Sign in through the clinic's identity provider (public)")
async def oidc_begin(request: Request, next: str = "") -> Response:
    throttle_attempt(request)
    services = request.app.state.services
    try:
        url, pending = await oidc.begin(services, _callback(request), safe_next(next))
    except OidcRefused as refusal:
        return _refused(request, refusal)
    response = RedirectResponse(url, status_code=303)
    secret = services.web_settings.session_secret.get_secret_value()
    body = pending.model_dump_json()
    response.set_cookie(OIDC_COOKIE, f"{body.encode().hex()}.{sign(secret, 'oidc', body)}", max_age=600,
                        httponly=True, samesite="lax", secure=services.web_settings.secure_cookies, path="/sign-in/oidc")
    return response


def _pending(request: Request) -> oidc.PendingSignIn | None:
    value = request.cookies.get(OIDC_COOKIE, "")
    secret = request.app.state.services.web_settings.session_secret.get_secret_value()
    try:
        hexed, mac = value.split(".")
        body = bytes.fromhex(hexed).decode()
    except ValueError:
        return None
    if not same_secret(mac, sign(secret, "oidc", body)):
        return None
    try:
        return oidc.PendingSignIn.model_validate(json.loads(body))
    except ValueError:
        return None


@router.get("/sign-in/oidc/callback", tags=["public"], summary="The identity provider's answer (public)")
async def oidc_callback(request: Request, state: str = "", code: str = "", error: str = "", iss: str = "") -> Response:
    services = request.app.state.services
    pending = _pending(request)
    try:
        principal = await oidc.complete(services, pending, state=state[:200], code=code[:2000],
                                        redirect_uri=_callback(request), error=error[:100], iss=iss[:500])
    except OidcRefused as refusal:
        return _refused(request, refusal)
    response = RedirectResponse(_landing(principal, safe_next(pending.next) if pending else None), status_code=303)
    response.delete_cookie(OIDC_COOKIE, path="/sign-in/oidc")
    set_session(response, request, principal)
    return response


@router.get("/calendar/{token}.ics", tags=["public"],
            summary="A doctor's calendar feed (public: the secret token in the URL is the credential)")
async def calendar_feed(request: Request, token: str) -> Response:
    body = await calendar.feed(request.app.state.services, token)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "no-store", "Content-Disposition": 'inline; filename="vakter.ics"'})

