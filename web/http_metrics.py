"""HTTP latency by route template (`/api/periods/{period}/actions`), method and status class, for
`vakt_http_request_seconds` (infra/metrics.py), and, when tracing is on (infra/tracing.py), one
OpenTelemetry server span per request named the same way (`POST /api/periods/{period}/actions`),
the parent of the Temporal spans the request causes. Pure ASGI, outermost: it times every
answer, the edge's refusals too. The path itself is never a label nor on a span: paths carry ids
and sign-in tokens; the route template and the status say what happened."""

from __future__ import annotations

import time
from contextlib import nullcontext

from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra import metrics


class HttpMetrics:
    def __init__(self, app: ASGIApp, tracer=None) -> None:
        self.app = app
        self.tracer = tracer  # None: no spans

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope.get("method", "?")
        status = 500

        async def noting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        # The route is known only once routed: the span is renamed after.
        spanning = nullcontext() if self.tracer is None else self.tracer.start_as_current_span(
            method, kind=SpanKind.SERVER, attributes={"http.request.method": method})
        with spanning as span:
            try:
                await self.app(scope, receive, noting)
            finally:
                route = getattr(scope.get("route"), "path", None)
                metrics.HTTP_SECONDS.labels(route=route or "(no route)", method=method,
                                            status=f"{status // 100}xx").observe(time.perf_counter() - started)
                if span is not None:
                    if route:
                        span.update_name(f"{method} {route}")
                        span.set_attribute("http.route", route)
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(Status(StatusCode.ERROR))
