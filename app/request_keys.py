"""The client's key for the request being served (`Idempotency-Key`), as the use cases see it.

The web service sets it for a request sent with a key (web/idempotency.py); a use case that
sends something to a workflow derives its request id or update id from it, so a retry of the
same request — after a lost answer, a 503, a web process that died — is recognised by the
workflow and answered with the first outcome instead of being decided again. Without a key
every request is new.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_current: ContextVar[str | None] = ContextVar("request_key", default=None)


def derive(principal: str, key: str) -> str:
    """32 hex characters: per person (two people may choose the same key), never the key itself."""
    return hashlib.sha256(f"{principal}\x00{key}".encode()).hexdigest()[:32]


@contextmanager
def serving(request_key: str | None) -> Iterator[None]:
    token = _current.set(request_key)
    try:
        yield
    finally:
        _current.reset(token)


def request_id() -> str:
    """The action's request id: the request's key, or a new one."""
    return _current.get() or uuid.uuid4().hex


def update_id() -> str | None:
    """The workflow update's id for an operator's step or a swap (None: a new one)."""
    key = _current.get()
    return f"vakt-key-{key}" if key else None
