"""The outermost layer of the web service (pure ASGI, so nothing is buffered before it decides):

- a body limit: a request whose Content-Length is over it, or whose streamed (chunked) body
  grows past it, is answered 413 at once — the body is never read whole;
- login CSRF: a browser's cross-site POST to the sign-in routes is refused (403). Policy: with
  `Sec-Fetch-Site`, only `same-origin` and `none` pass; without it, an `Origin` must be the public
  URL's origin; a request with neither (curl, scripts, old clients) passes, since it carries no
  victim's cookies;
- the security headers on EVERY answer, errors included (401, 413, 404, 500): a CSP without
  inline scripts or styles, nosniff, no referrer, no framing, HSTS when the public URL is https,
  and `Cache-Control: no-store` on everything but the static files (pages carry personal data).
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import VaktError

DEFAULT_MAX_BODY = 256 * 1024
LOGIN_POSTS = frozenset({"/sign-in", "/sign-in/link", "/api/sign-in", "/sign-out"})
ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; form-action 'self' https:; frame-ancestors 'none'; base-uri 'none'")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def cross_site(headers: dict[str, str], public_origin: str) -> bool:
    """Whether a browser sent this request from another site (see the module's policy)."""
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site.strip().lower() not in ALLOWED_FETCH_SITES
    origin = headers.get("origin")
    if origin is not None:
        return origin.strip().lower() != public_origin
    return False


def security_headers(public_url: str, path: str) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if public_url.startswith("https://"):
        headers.append((b"strict-transport-security", b"max-age=31536000"))
    headers.append((b"cache-control", b"no-cache" if path.startswith("/static/") else b"no-store"))
    return headers


class BodyTooLarge(VaktError):
    """Raised into the app when a streamed body passes the limit; the Edge answers 413 itself."""

    http_status = 413

    def __init__(self) -> None:
        super().__init__("request body too large")


class Edge:
    """Wraps the whole app: `Edge(app, public_url=..., max_body=...)`."""

    def __init__(self, app: ASGIApp, *, public_url: str, max_body: int = DEFAULT_MAX_BODY, refuse_page=None) -> None:
        self.app = app
        self.public_url = public_url
        self.public_origin = origin_of(public_url)
        self.max_body = max_body
        self.refuse_page = refuse_page  # (request, status, key) -> Response | None: a page in its language

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        extra = security_headers(self.public_url, path)
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                if started:
                    return
                started = True
                names = {k.lower() for k, _ in extra}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + extra}
            elif not started:
                return
            await send(message)

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        length = headers.get("content-length")
        if length is not None and (not length.strip().isdigit() or int(length) > self.max_body):
            await self._refuse(scope, send_with_headers, 413, "body_too_large")
            return
        if scope.get("method") in ("POST", "PUT", "PATCH", "DELETE") and path in LOGIN_POSTS \
                and cross_site(headers, self.public_origin):
            await self._refuse(scope, send_with_headers, 403, "cross_site")
            return

        read = 0
        over = False

        async def counted_receive() -> Message:
            nonlocal read, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > self.max_body:
                    over = True
                    raise BodyTooLarge()
            return message

        async def app_send(message: Message) -> None:
            if over and not started:
                return  # the app's answer to its failed read: the 413 below replaces it
            await send_with_headers(message)

        try:
            await self.app(scope, counted_receive, app_send)
        except BodyTooLarge:
            pass
        except Exception:  # noqa: BLE001 - answered below; the app's own handler logged it
            if not started and not over:
                await self._plain(send_with_headers, 500, "internal error", scope)
                return
        if over and not started:
            await self._refuse(scope, send_with_headers, 413, "body_too_large")

    async def _refuse(self, scope: Scope, send: Send, status: int, key: str) -> None:
        message = {"body_too_large": "request body too large", "cross_site": "cross-site request refused"}[key]
        wants_page = not scope.get("path", "").startswith("/api/") and "text/html" in dict(
            (k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope.get("headers", [])).get("accept", "")
        if wants_page and self.refuse_page is not None:
            response = self.refuse_page(Request(scope), status, key)
            await response(scope, _no_body, send)
            return
        await self._plain(send, status, message, scope)

    async def _plain(self, send: Send, status: int, message: str, scope: Scope) -> None:
        body = json.dumps({"error": message, "status": status}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if status == 413:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _no_body() -> Message:
    return {"type": "http.disconnect"}
