"""The web service for doctors and operators: `create_app(services)`.

FastAPI with no logic of its own: the routers parse, call the use cases in app/ and render.
Every request is signed in (web/session.py) except the public ones; errors from app/ become a
status code and a JSON error naming the field or the rule (pages show the same message). Bad
input never gives a traceback or a 500, and no message repeats what was typed.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from app.bootstrap import Services
from app.database import database_failure
from app.errors import Refused, TooManyRequests, VaktError
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles

from web import (
    api_admin, api_doctor, api_operator, auth_routes, docs, live, pages_board, pages_operator, pages_requests,
    pages_accounts, pages_meeting, pages_registry, pages_self, pages_steering, pages_swaps, pages_vacancies, readiness,
    pages_approvals, api_approvals,
)
from web import api_vacancies, pages_exports, pages_fairness, pages_roster
from web.deps import ErrorAnswer, Refusal
from web.openapi import contract
from web.request_bodies import REQUEST_KINDS
from app.identity.throttle import SignInThrottle
from infra import tracing
from infra.edge_settings import EdgeSettings
from web.edge import Edge
from web.http_metrics import HttpMetrics
from web.idempotency import RETRY_AFTER, Idempotency
from web.render import error_page, refusal_page
from web.session import Gatekeeper

log = logging.getLogger("vakt.web")

DESCRIPTION = """Shift allocation for a legevakt: doctors' wishes, picks, claims and swaps; operators' steering.

Every endpoint needs a session (sign in with a link by e-mail, `POST /api/sign-in`, or through the
clinic's identity provider) except: `/health`, `/ready`, the sign-in routes, the calendar feed
(`/calendar/{token}.ics`, whose secret token is the credential) and this documentation.
State-changing API calls send the session's CSRF token (`GET /api/me`) in `X-CSRF-Token`.
A refusal by the rulebook is a 409 naming its rule, in one shape for every route (`Refusal`:
`error`, `status`, `rule`, `message`); every other error is `{error, status}`."""


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", "")


def _field(loc: Sequence[object]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    if len(parts) > 1 and parts[0] in REQUEST_KINDS:  # a request body's kind, not a field
        parts = parts[1:]
    return ".".join(parts) or "body"


def _problem(error: dict) -> str:
    if error.get("type") == "string_pattern_mismatch":  # pydantic would print the regex
        return "not in the expected form (its pattern is in /openapi.json)"
    return error.get("msg", "invalid")


def _route(request: Request) -> str:
    """The route's template (`/calendar/{token}.ics`), never the path: paths carry tokens."""
    route = request.scope.get("route")
    return getattr(route, "path", "(no route)")


def _allow(request: Request, e: StarletteHTTPException) -> dict[str, str] | None:
    """A 405's `Allow` (RFC 9110): every method of every route at this path, not only the first
    route's (GET /api/me/details and POST /api/me/details are two routes)."""
    if e.status_code != 405:
        return e.headers
    methods = {m for route in request.app.routes if isinstance(route, APIRoute) and route.path_regex.match(request.url.path)
               for m in route.methods or ()}
    return {"Allow": ", ".join(sorted(methods))}


def answer_error(request: Request, e: Exception) -> Response:
    """An error as its status code: a VaktError's own (refusals name their rule), PostgreSQL
    down or a grant missing as 503 naming it, anything else 500. A 503 says when to try again
    (`Retry-After`). The log names the route, the exception's type and where it was raised:
    never its message or the path, which may carry personal data or a token."""
    if not isinstance(e, VaktError):
        services = request.app.state.services
        e = database_failure(e, services.resolved_database_urls if services is not None else None) or e
    if isinstance(e, VaktError):
        status, message, rule = e.http_status, e.message, (e.rule if isinstance(e, Refused) else None)
        if status >= 500:
            log.warning("%s %s: %s", request.method, _route(request), type(e).__name__)
    else:
        status, message, rule = 500, f"internal error ({type(e).__name__})", None
        frames = traceback.extract_tb(e.__traceback__)
        where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames[-6:]))
        log.error("unexpected %s on %s %s at %s", type(e).__name__, request.method, _route(request), where)
    if isinstance(e, TooManyRequests):  # a page in the page's language, and when to try again
        retry = {"Retry-After": str(e.retry_after)}
        if _wants_json(request):
            return JSONResponse(ErrorAnswer(error=message, status=429).model_dump(), status_code=429, headers=retry)
        page = refusal_page(request, 429, "too_many_requests")
        page.headers.update(retry)
        return page
    retry = {"Retry-After": str(getattr(e, "retry_after", RETRY_AFTER))} if status == 503 else {}
    if _wants_json(request):
        answer = Refusal(error=message, status=status, rule=rule, message=e.reason) if rule else ErrorAnswer(
            error=message, status=status
        )
        return JSONResponse(answer.model_dump(), status_code=status, headers=retry)
    page = error_page(request, status, e.reason if rule else message, rule)
    page.headers.update(retry)
    return page


def create_app(services: Services) -> FastAPI:
    edge = EdgeSettings.from_env(services.env if services is not None else None)
    # /docs: Swagger UI from the app's own files (web/docs.py), or off (VAKT_API_DOCS=off).
    app = FastAPI(title="Vaktfordeling", version="0.1.0", description=DESCRIPTION, redoc_url=None, docs_url=None)
    app.state.services = services
    app.state.edge = edge
    app.state.throttle = SignInThrottle(edge.links_per_client, edge.links_global, edge.attempts_per_client)
    # Inside the gatekeeper, which has read the session the keys are kept under.
    app.add_middleware(Idempotency, services=services)
    app.add_middleware(Gatekeeper)
    if edge.api_docs:
        app.include_router(docs.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    # A request's route is found by trying the routers in this order, each route of each: what
    # doctors read and do most (the board, its JSON and its live stream) first. No route hides
    # another's path (tests/unit/test_routes.py).
    for router in (pages_board.router, api_doctor.router, live.router, readiness.router, auth_routes.router,
                   api_operator.router, api_approvals.router, api_admin.router, api_vacancies.doctor_router,
                   api_vacancies.operator_router, pages_self.router, pages_requests.router, pages_swaps.router,
                   pages_vacancies.router, pages_approvals.router, pages_operator.router, pages_steering.router,
                   pages_meeting.router, pages_accounts.router, pages_registry.router, pages_roster.router,
                   pages_fairness.router, pages_exports.router):
        app.include_router(router)

    @app.exception_handler(VaktError)
    async def vakt_error(request: Request, e: VaktError) -> Response:
        return answer_error(request, e)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, e: RequestValidationError) -> Response:
        # Names the field and the problem; never echoes the input (pydantic's `input`).
        problems = [f"{_field(err.get('loc', ()))}: {_problem(err)}" for err in e.errors()[:10]]
        message = "; ".join(problems)
        if _wants_json(request):
            return JSONResponse(ErrorAnswer(error=message, status=422).model_dump(), status_code=422)
        return error_page(request, 422, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException) -> Response:
        message = {400: "body: not valid JSON", 404: "not found", 405: "method not allowed"}.get(e.status_code, "request refused")
        if _wants_json(request):
            return JSONResponse(ErrorAnswer(error=message, status=e.status_code).model_dump(), status_code=e.status_code,
                                headers=_allow(request, e))
        page = error_page(request, e.status_code, message)
        page.headers.update(_allow(request, e) or {})
        return page

    @app.exception_handler(Exception)
    async def unexpected(request: Request, e: Exception) -> Response:
        return answer_error(request, e)

    app.openapi = lambda: contract(app)  # type: ignore[method-assign]
    app.state.answer_error = answer_error  # the Gatekeeper answers what escapes a route with it
    # Pages and JSON are compressed (a month's board is ~5× smaller); the live streams are not
    # (Starlette's GZip leaves text/event-stream alone, so events are never held in a buffer).
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    # Outermost: the body limit, login CSRF and the security headers wrap every answer.
    public_url = services.web_settings.public_url if services is not None else "http://127.0.0.1"  # None: the schema only
    app.add_middleware(Edge, public_url=public_url, max_body=edge.max_body, refuse_page=refusal_page)
    # Outermost: it times every answer; with OTEL_TRACES_EXPORTER, a span for each.
    traces = tracing.installed()
    app.add_middleware(HttpMetrics, tracer=traces.tracer if traces is not None else None)
    return app
