"""The API's own contract: the OpenAPI document says every status a route answers, in the one
error shape the service really sends, with the id patterns and the session as its security.

FastAPI documents the success and its own 422 only; a client (or schemathesis, which the test
suite runs against this document) would then meet 401, 403, 404, 413 and 429 undeclared. The
pages (HTML for people) are left out: they are not part of the JSON API.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.validate import ID_PATTERN, SHIFT_PATTERN, SWAP_PATTERN
from domain.limits import MAX_ID_LENGTH, MAX_SHIFT_ID_LENGTH
from web.deps import ErrorAnswer
from web.session import COOKIE, HOST_COOKIE

# Outside /api/, only these are part of the API; everything else is a page or a sign-in step.
DOCUMENTED_OUTSIDE_API = ("/health", "/ready", "/calendar/{token}.ics")
PUBLIC = {"/health", "/ready", "/calendar/{token}.ics", "/api/sign-in"}
SIGN_IN = {"/api/sign-in"}
ID_PARAMETERS = {"period": ID_PATTERN, "district": ID_PATTERN, "doctor": ID_PATTERN, "swap": SWAP_PATTERN,
                 "shift": SHIFT_PATTERN, "vacancy": SWAP_PATTERN}
SESSION_SCHEME = "session"

_WHY = {
    400: "The body is not what its content type says (not JSON)",
    401: "Not signed in, or the session has ended",
    403: "Signed in, but not allowed: another person's data, another district, a missing role or a missing X-CSRF-Token",
    404: "No such period, swap, request or doctor (among those you may see)",
    413: "The request body is larger than the service accepts",
    422: "Invalid input: the error names the field",
    429: "Too many sign-in attempts: try again after Retry-After seconds",
    503: "The engine (Temporal or PostgreSQL) is unavailable: try again shortly",
}


def _error(status: int) -> dict[str, Any]:
    return {"description": _WHY[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorAnswer"}}}}


def _statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    statuses = [422]
    if path not in PUBLIC:
        statuses += [401, 403, 503]
    if "{" in path:
        statuses.append(404)
    if method in ("post", "put", "patch", "delete"):
        statuses.append(413)
    if "requestBody" in operation:
        statuses.append(400)
    if path in SIGN_IN:
        statuses += [403, 429]  # a cross-site sign-in post; throttled sign-ins
    return statuses


def _tighten_parameters(operation: dict[str, Any]) -> None:
    """Path ids get the pattern app/validate.py checks them by (FastAPI's `str` says nothing)."""
    for parameter in operation.get("parameters", []):
        pattern = ID_PARAMETERS.get(parameter.get("name"))
        schema = parameter.get("schema", {})
        for branch in schema.get("anyOf", [schema]):  # an optional query parameter: string or null
            if pattern and branch.get("type") == "string" and "pattern" not in branch:
                branch["pattern"] = pattern
                branch.setdefault("minLength", 1)
                branch.setdefault("maxLength", MAX_SHIFT_ID_LENGTH if pattern is SHIFT_PATTERN else MAX_ID_LENGTH)


def _cookie(app: FastAPI) -> str:
    """The session cookie's name as this service sets it: `__Host-` on https (web/session.py)."""
    services = getattr(app.state, "services", None)
    return HOST_COOKIE if services is not None and services.web_settings.secure_cookies else COOKIE


def contract(app: FastAPI) -> dict[str, Any]:
    """The document for `app.openapi`: built once, then kept."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    document["paths"] = {
        path: item for path, item in document["paths"].items()
        if path.startswith("/api/") or path in DOCUMENTED_OUTSIDE_API
    }
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["ErrorAnswer"] = ErrorAnswer.model_json_schema()
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's; the service answers ErrorAnswer
        schemas.pop(name, None)
    components["securitySchemes"] = {
        SESSION_SCHEME: {"type": "apiKey", "in": "cookie", "name": _cookie(app),
                         "description": "The session cookie set by signing in (a link by e-mail or the identity provider)"},
    }
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, method, operation):
                if str(status) not in responses or status == 422:
                    responses[str(status)] = _error(status)
            operation["security"] = [] if path in PUBLIC else [{SESSION_SCHEME: []}]
            _tighten_parameters(operation)
    app.openapi_schema = document
    return document
