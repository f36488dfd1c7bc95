"""One OpenTelemetry server span per HTTP request when tracing is on (infra/tracing.py): named by
method and route template (`POST /api/periods/{period}/actions`), the parent of the Temporal
spans the request causes. Pure ASGI, outermost. The path is never recorded: paths carry ids and
sign-in tokens; the route template and the status say what happened."""

from __future__ import annotations

from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HttpTracing:
    def __init__(self, app: ASGIApp, tracer) -> None:
        self.app = app
        self.tracer = tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "?")
        status = 500

        async def noting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        # The route is known only once routed: the span is renamed after.
        with self.tracer.start_as_current_span(method, kind=SpanKind.SERVER,
                                               attributes={"http.request.method": method}) as span:
            try:
                await self.app(scope, receive, noting)
            finally:
                route = getattr(scope.get("route"), "path", None)
                if route:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
