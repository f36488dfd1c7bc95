"""`GET /periods/{period}/live`: the doctor's board as Server-Sent Events (app/reads/live.py).

Why SSE and not polling pages: a board must drop shifts others take within a couple of
seconds, for every doctor watching, without each browser re-rendering the whole board. The
stream carries only shift ids and a time (`event: taken`, `id` = the period's version); the
page (web/static/live.js) removes those rows and says when it was updated.

The answer is `text/event-stream`, never cached (web.edge sets `no-store`), never buffered by a
proxy (`X-Accel-Buffering: no`), and nothing in this service compresses it. A comment every
HEARTBEAT_SECONDS keeps proxies from closing an idle stream and lets the server notice a gone
client. `retry:` tells the browser how soon to reconnect; it then sends `Last-Event-ID`, and
the stream resumes after it. At shutdown `close_streams` ends every stream (uvicorn waits for
open responses otherwise: web/server.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import APIRouter, FastAPI, Query, Request
from starlette.responses import StreamingResponse

from app.reads.live import LiveBoards, Subscription, watch_board, watch_round
from web.request_state import principal_of

router = APIRouter(tags=["pages"])

HEARTBEAT_SECONDS = 15.0
RETRY_MS = 2000
MAX_VERSION = 2**62  # a version fits PostgreSQL's bigint
HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


async def hub_of(app: FastAPI) -> LiveBoards:
    """The process's one hub (its watchers are per period, shared by every stream)."""
    hub = getattr(app.state, "live", None)
    if hub is None:
        services = app.state.services
        store = (await services.database()).store
        hub = getattr(app.state, "live", None) or LiveBoards(store, services.clock)
        app.state.live = hub
        if getattr(app.state, "live_closed", False):
            hub.close()
    return hub


def close_streams(app: FastAPI) -> None:
    """End every live stream now (the server is shutting down); new ones end at once."""
    app.state.live_closed = True
    hub = getattr(app.state, "live", None)
    if hub is not None:
        hub.close()


def _resume_from(request: Request, since: int) -> int:
    """`Last-Event-ID` (a reconnecting browser's last version) wins over the page's `since`."""
    last = request.headers.get("last-event-id", "").strip()
    if last.isdigit() and len(last) < 19:
        return max(since, int(last))
    return since


async def _events(hub: LiveBoards, sub: Subscription, missed: list[bytes], heartbeat: float) -> AsyncIterator[bytes]:
    try:
        yield f"retry: {RETRY_MS}\n: live\n\n".encode()
        for message in missed:
            yield message
        while True:
            try:
                message = await asyncio.wait_for(sub.queue.get(), heartbeat)
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            if message is None or sub.dropped:
                return  # shutdown, or fell behind: the browser reconnects and catches up
            yield message
    finally:
        hub.unsubscribe(sub)  # also when the client went away (the generator is closed)


@router.get(
    "/periods/{period}/live",
    summary="The doctor's board as Server-Sent Events: `event: taken` with the shift ids others took",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def live(request: Request, period: str, since: int = Query(0, ge=0, le=MAX_VERSION)) -> StreamingResponse:
    hub = await hub_of(request.app)
    services = request.app.state.services
    sub, missed = await watch_board(services, hub, principal_of(request), period, _resume_from(request, since))
    heartbeat = getattr(request.app.state, "live_heartbeat", HEARTBEAT_SECONDS)
    return StreamingResponse(_events(hub, sub, missed, heartbeat), media_type="text/event-stream", headers=HEADERS)


@router.get(
    "/operator/periods/{period}/live",
    summary="The operator's round page as Server-Sent Events: a message whenever shifts change hands",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def operator_live(request: Request, period: str,
                        since: int = Query(0, ge=0, le=MAX_VERSION)) -> StreamingResponse:
    hub = await hub_of(request.app)
    sub, missed = await watch_round(request.app.state.services, hub, principal_of(request), period,
                                    _resume_from(request, since))
    heartbeat = getattr(request.app.state, "live_heartbeat", HEARTBEAT_SECONDS)
    return StreamingResponse(_events(hub, sub, missed, heartbeat), media_type="text/event-stream", headers=HEADERS)
