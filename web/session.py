"""Sessions, sign-in and CSRF at the HTTP edge.

- The session is a signed cookie (app.identity.sessions): HttpOnly, SameSite=Lax, Secure when the public
  URL is https. A middleware reads it for every request and refuses every request without one
  (401) — except the public paths: sign-in itself, the calendar feed (its secret token is the
  credential), the API documentation, and the health check. Pages answer 401 with the sign-in
  form; the API with a JSON error. A session signed in before its address's cutoff (sign-out,
  a disabled account: app/identity/session_cutoffs.py) counts as none.
- CSRF: a state-changing API call (POST, PUT, PATCH, DELETE under /api) must send the session's
  token in the `X-CSRF-Token` header; a form sends it in the hidden field `csrf` (`read_form`).
  SameSite=Lax already keeps the cookie off cross-site form posts; the token is the second lock.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import BadInput, Forbidden
from app.identity.current import signed_in_now
from app.identity.sessions import (SESSION_LIFETIME, Session, decode_session, encode_session, new_session,
                                   same_secret)
from domain.identity import Principal
from web.deps import ErrorAnswer
from web.next_path import wanted
from web.render import sign_in_page
from web.request_state import session_of

COOKIE = "vakt_session"  # on plain http (loopback development)
HOST_COOKIE = "__Host-vakt_session"  # on https: Secure, Path=/, no Domain, so no other host can set it


def cookie_name(request: Request) -> str:
    return HOST_COOKIE if request.app.state.services.web_settings.secure_cookies else COOKIE


CSRF_HEADER = "x-csrf-token"
PUBLIC_EXACT = {"/health", "/ready", "/docs", "/docs/oauth2-redirect", "/openapi.json", "/sign-in", "/sign-in/link",
                "/sign-in/oidc", "/sign-in/oidc/callback", "/api/sign-in",
                "/me/email/confirm"}  # a new address's confirmation link: its token is the credential
PUBLIC_PREFIXES = ("/calendar/", "/static/")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
MAX_FORM = 64 * 1024


def is_public(path: str) -> bool:
    return path in PUBLIC_EXACT or path.startswith(PUBLIC_PREFIXES)


def set_session(response: Response, request: Request, principal: Principal) -> Session:
    services = request.app.state.services
    session = new_session(principal, services.clock.now())
    response.set_cookie(
        cookie_name(request), encode_session(session, services.web_settings.session_secret.get_secret_value()),
        max_age=int(SESSION_LIFETIME.total_seconds()), httponly=True, samesite="lax",
        secure=services.web_settings.secure_cookies, path="/",
    )
    return session


def clear_session(response: Response, request: Request) -> None:
    response.delete_cookie(cookie_name(request), path="/", httponly=True, samesite="lax",
                           secure=request.app.state.services.web_settings.secure_cookies)


def _csrf_ok(session: Session, sent: str | None) -> bool:
    return bool(sent) and same_secret(str(sent), session.csrf)


async def read_form(request: Request, *, check_csrf: bool = True) -> dict[str, str]:
    """A url-encoded form's fields (the last value of each), its CSRF token checked."""
    body = await request.body()
    if len(body) > MAX_FORM:
        raise BadInput("form: too large")
    try:
        fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        raise BadInput("form: not UTF-8") from None
    if check_csrf:
        session = session_of(request)
        if session is None or not _csrf_ok(session, fields.get("csrf")):
            raise Forbidden("the form has expired or did not come from this service (CSRF); reload the page and try again")
    return fields


class Gatekeeper:
    """Every request: read the session; refuse what needs one without one, and API writes
    without the CSRF header. Pure ASGI (no `BaseHTTPMiddleware`): a streamed answer (the live
    boards) passes through untouched, and no task is spawned per request. An error that escapes
    is answered here (web.service.answer_error) when nothing was sent yet, so the server never
    prints a traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            refusal = await _gate(request)
        except Exception as e:  # noqa: BLE001 - answered as 500 (or the VaktError's status), logged without data
            await request.app.state.answer_error(request, e)(scope, receive, send)
            return
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as e:  # noqa: BLE001 - a route's error, already answered if anything was sent
            if not started:
                await request.app.state.answer_error(request, e)(scope, receive, send)


async def _gate(request: Request) -> Response | None:
    """The refusal for this request, or None to let it through (with its session in
    `request.state`)."""
    services = request.app.state.services
    secret = services.web_settings.session_secret.get_secret_value()
    # On https only the __Host- cookie counts: a plain one may have been planted by another host.
    session = decode_session(request.cookies.get(cookie_name(request)), secret, services.clock.now())
    # Not signed out since, and roles derived again (a few seconds' cache: app/identity/current.py).
    session = await signed_in_now(services, session)
    request.state.session = session
    path = request.url.path
    if session is None and not is_public(path):
        if path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
            return JSONResponse(ErrorAnswer(error="sign in first", status=401).model_dump(), status_code=401)
        target = wanted(path, request.url.query) if request.method == "GET" else "/"
        return sign_in_page(request, status_code=401, next_path=target)
    if session is not None and request.method in UNSAFE and path.startswith("/api/") and not is_public(path):
        if not _csrf_ok(session, request.headers.get(CSRF_HEADER)):
            return JSONResponse(
                ErrorAnswer(error="missing or wrong X-CSRF-Token header (GET /api/me gives the token)", status=403)
                .model_dump(),
                status_code=403,
            )
    return None  # the security headers: web.edge, on every answer
