"""`Idempotency-Key` on every state-changing request: a retry gets the first answer.

A client that lost an answer (a dropped connection, a 503, a web process killed mid-request)
sends the request again with the same key. The first request's answer — status, media type,
Location and body — is stored in PostgreSQL (adapters/postgres/idempotency.py), so the retry is
answered from there by whichever web process receives it, and nothing is applied twice:

- the same key with a different request (method, path or body) is refused, 422;
- a request still running under the key (in this process or another) is waited for, up to
  `WAIT_FOR_FIRST`, then answered 503 with `Retry-After`;
- a 5xx answer is not kept: nothing definite happened, and the retry runs the request again —
  with the same request id at the workflow (app/request_keys.py), so an action that was applied
  after all (admitted before the 503, decided when a worker came back) is reported, not redone;
- a request whose process died keeps its key until its lease runs out, then the next retry
  takes it over, again under the same request id.

A browser form carries its key in the hidden field `idempotency_key` (web/render.py
`form_keys`), one per page shown, so pressing the button twice, or the back button and again,
does one thing. The key belongs to the signed-in person; requests without a session (sign-in)
have nothing to keep it under and run as sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
import uuid
from datetime import timedelta
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.postgres.idempotency import StoredAnswer
from app import request_keys
from app.errors import BadInput, Unavailable

HEADER = b"idempotency-key"
FORM_FIELD = "idempotency_key"
MAX_KEY = 128
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
WAIT_FOR_FIRST = 5.0  # seconds a retry waits for the first request under its key (5 + 25 ≤ 30)
LEASE_MARGIN = 5.0  # seconds past the longest a request may run before its key is taken over


def lease(answer_within: float) -> timedelta:
    """A key's lease: longer than any request may run (an action answers within
    `answer_within`, 25 s by default: 35 s)."""
    return timedelta(seconds=answer_within + WAIT_FOR_FIRST + LEASE_MARGIN)
RETRY_AFTER = 5
PROCESS = f"web-{uuid.uuid4().hex[:12]}"  # this process, as the owner of the keys it runs


class KeyReused(BadInput):
    def __init__(self) -> None:
        super().__init__("Idempotency-Key: already used for a different request; use a new key for a new request")


class StillRunning(Unavailable):
    def __init__(self, retry_after: float) -> None:
        super().__init__("Idempotency-Key: the first request with this key is still running; try again shortly")
        self.retry_after = max(1, math.ceil(retry_after))


def _valid(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY or not key.isascii() or not key.isprintable():
        raise BadInput(f"Idempotency-Key: 1 to {MAX_KEY} printable ASCII characters")
    return key


def _fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _wants_page(scope: Scope) -> bool:
    accept = next((v for k, v in scope.get("headers", []) if k.lower() == b"accept"), b"")
    return not scope["path"].startswith("/api/") and b"text/html" in accept


def _key_of(scope: Scope, body: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name.lower() == HEADER:
            return _valid(value.decode("latin-1").strip())
    content_type = next((v for k, v in scope.get("headers", []) if k.lower() == b"content-type"), b"")
    if content_type.startswith(b"application/x-www-form-urlencoded") and FORM_FIELD.encode() in body:
        try:
            fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            return None  # the route itself names the problem
        if fields.get(FORM_FIELD):
            return _valid(fields[FORM_FIELD])
    return None


class Idempotency:
    """Pure ASGI, inside the gatekeeper (which has read the session by then)."""

    def __init__(self, app: ASGIApp, *, services) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = scope.get("state", {}).get("session") if scope["type"] == "http" else None
        if session is None or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        key = _key_of(scope, body)
        replay = _replaying(body, more, receive)
        if key is None:
            await self.app(scope, replay, send)
            return
        principal = session.principal.email.lower()
        request_key = request_keys.derive(principal, key)
        # A page and JSON are two answers to keep (board.js asks for JSON, then posts the same
        # form as a page when that fails); the action under both is one (the same request key).
        if _wants_page(scope):
            key = f"{key}\tpage"  # a tab: never in a client's key
        store = (await self.services.database()).idempotency
        fingerprint = _fingerprint(scope, body)
        loop = asyncio.get_running_loop()
        give_up = loop.time() + WAIT_FOR_FIRST
        while True:
            claim = await store.claim(principal, key, fingerprint, PROCESS, lease(self.services.action_answer_within))
            if claim.other_request:
                raise KeyReused()
            if claim.answer is not None:
                await _send_stored(send, claim.answer)
                return
            if claim.mine:
                break
            if loop.time() + 0.2 > give_up:
                raise StillRunning(claim.lease_left)
            await asyncio.sleep(0.2)
        status, headers, answer_body = await self._run(scope, replay, store, principal, key, request_key)
        if status < 500:
            named = {k.lower(): v.decode("latin-1") for k, v in headers}
            answer = StoredAnswer(status, named.get(b"content-type"), named.get(b"location"), answer_body)
            await store.answer(principal, key, PROCESS, answer)  # stored before it is sent: a client
        else:  # that got an answer always finds it again; a 5xx is no answer to keep
            await store.release(principal, key, PROCESS)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": answer_body})

    async def _run(self, scope: Scope, receive: Receive, store, principal: str, key: str, request_key: str):
        """Run the request under its key and keep its whole answer; when the app raises (or the
        request is cancelled) the key is released for the retry and the error goes on."""
        status, headers, chunks = 500, [], []

        async def keep(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status, headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            with request_keys.serving(request_key):
                await self.app(scope, receive, keep)
        except BaseException:
            with contextlib.suppress(Exception):  # the request's own error is the one to answer
                await asyncio.shield(store.release(principal, key, PROCESS))
            raise
        return status, headers, b"".join(chunks)


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    """The whole body (the edge has bounded its size), and any message that came after it."""
    parts = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts), [message]
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts), []


def _replaying(body: bytes, more: list[Message], receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if more:
            return more.pop(0)
        return await receive()

    return replay


async def _send_stored(send: Send, answer: StoredAnswer) -> None:
    headers = [(b"content-length", str(len(answer.body)).encode())]
    if answer.media_type:
        headers.append((b"content-type", answer.media_type.encode("latin-1")))
    if answer.location:
        headers.append((b"location", answer.location.encode("latin-1")))
    headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
