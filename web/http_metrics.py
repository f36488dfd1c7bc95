"""HTTP latency by route template (`/api/periods/{period}/actions`), method and status class, for
`vakt_http_request_seconds` (infra/metrics.py). Pure ASGI, outermost: it times every answer,
the edge's refusals too. The path itself is never a label: paths carry ids and tokens."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra import metrics


class HttpMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def noting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting)
        finally:
            route = getattr(scope.get("route"), "path", None) or "(no route)"
            metrics.HTTP_SECONDS.labels(route=route, method=scope.get("method", "?"),
                                        status=f"{status // 100}xx").observe(time.perf_counter() - started)
