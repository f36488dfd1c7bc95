"""Signed sessions: the signed-in person, a CSRF token and an expiry, in one cookie value.

`base64url(JSON) "." base64url(HMAC-SHA256(secret, "session:" + JSON))`. Nothing is stored on
the server, so a burst of signed-in requests costs no database round trip for identity (a
session is ended early by a cutoff on its address: app/identity/session_cutoffs.py); the cookie is HttpOnly, SameSite=Lax and Secure when the public URL is https (web/session.py).
The same secret signs sign-in links and derives calendar-feed tokens, each under its own
purpose prefix, so one can never stand in for another.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import random
import secrets
import time
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError

from domain.identity import Principal

SESSION_LIFETIME = timedelta(hours=12)
MAX_COOKIE = 3800  # below browsers' 4 KB per cookie


class Session(BaseModel):
    principal: Principal
    csrf: str
    expires: int  # Unix seconds
    issued: float = 0.0  # Unix seconds, to the microsecond: compared with a sign-out's cutoff


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: str, purpose: str, message: str) -> str:
    mac = hmac.new(secret.encode(), f"{purpose}:{message}".encode(), hashlib.sha256).digest()
    return _b64(mac)


def same_secret(sent: str, expected: str) -> bool:
    """Constant-time comparison as bytes: any text sent (non-ASCII included) is just unequal."""
    return hmac.compare_digest(sent.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def digest(token: str) -> str:
    """What is stored of a token: its SHA-256 (hex)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_session(principal: Principal, now: datetime, lifetime: timedelta = SESSION_LIFETIME) -> Session:
    return Session(
        principal=principal, csrf=secrets.token_urlsafe(24), expires=int((now + lifetime).timestamp()),
        issued=now.timestamp(),
    )


def encode_session(session: Session, secret: str) -> str:
    body = session.model_dump_json()
    value = f"{_b64(body.encode())}.{sign(secret, 'session', body)}"
    if len(value) > MAX_COOKIE:  # a doctor on very many rolls: keep the first ones
        trimmed = session.principal.model_copy(update={"doctors": session.principal.doctors[:20]})
        return encode_session(session.model_copy(update={"principal": trimmed}), secret)
    return value


def decode_session(value: str | None, secret: str, now: datetime) -> Session | None:
    """The session in a cookie value, or None when absent, forged, damaged or expired."""
    if not value or len(value) > MAX_COOKIE or value.count(".") != 1:
        return None
    payload, mac = value.split(".")
    try:
        body = _unb64(payload).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not same_secret(mac, sign(secret, "session", body)):
        return None
    try:
        session = Session.model_validate(json.loads(body))
    except (ValueError, ValidationError):
        return None
    return session if session.expires > now.timestamp() else None


def signed_token(secret: str, purpose: str) -> tuple[str, str]:
    """A fresh random token with its signature appended: (token for the link, stored digest)."""
    raw = secrets.token_urlsafe(24)
    token = f"{raw}.{sign(secret, purpose, raw)[:22]}"
    return token, digest(token)


def check_signed_token(secret: str, purpose: str, token: str) -> str | None:
    """The digest to look up, or None when the token was not made with this secret."""
    if not isinstance(token, str) or len(token) > 200 or token.count(".") != 1:
        return None
    raw, mac = token.split(".")
    if not same_secret(mac, sign(secret, purpose, raw)[:22]):
        return None
    return digest(token)


# Each address's session cutoff, remembered per process (app/identity/session_cutoffs.py reads
# and sets it). Services holds one; a cutoff is read again within RECHECK seconds.
RECHECK = 5.0  # seconds: the longest a sign-out in another process goes unnoticed
# Each remembered entry lives a random part of its time to live, between (1 - JITTER) and all of
# it: doctors who signed in together do not all read again at the same moment. The bound holds.
JITTER = 0.4


def _share() -> float:
    """The part of the time to live this entry gets."""
    return 1.0 - JITTER * random.random()


class SessionCutoffs:
    """Per process: address -> (when read, monotonic; its share of RECHECK; cutoff as Unix
    seconds or None)."""

    def __init__(self) -> None:
        self._read: dict[str, tuple[float, float, float | None]] = {}
        self.reading = SingleFlight()

    def remember(self, email: str, cutoff: datetime | None) -> None:
        self._read[email.lower()] = (time.monotonic(), _share(), cutoff.timestamp() if cutoff else None)

    def known(self, email: str) -> tuple[bool, float | None]:
        read = self._read.get(email.lower())
        if read is None or time.monotonic() - read[0] > RECHECK * read[1]:
            return False, None
        return True, read[2]


class SingleFlight:
    """One lookup per key at a time: requests that miss the same entry at once share the first
    one's read instead of each asking PostgreSQL (70 doctors' first claims in a burst)."""

    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Future] = {}

    async def run(self, key: Hashable, lookup: Callable[[], Awaitable[Any]]) -> Any:
        while (running := self._running.get(key)) is not None:
            try:
                return await asyncio.shield(running)
            except asyncio.CancelledError:
                if not running.cancelled():
                    raise  # this request was cancelled
                # the first reader's request was cancelled: this one reads for itself
        future = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            result = await lookup()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as e:
            future.set_exception(e)
            future.exception()  # retrieved here; each waiter raises it too
            raise
        finally:
            del self._running[key]
        future.set_result(result)
        return result


# A session's person as derived again from the accounts table and the registry
# (app/identity/current.py), remembered per process for at most PRINCIPAL_TTL seconds: a role
# change, a removed district or a doctor taken off a roll ends the old role within that time. The
# access decisions (app/identity/access.py) are pure functions of this person and the period's
# district, so they are cached with it and end with it.
PRINCIPAL_TTL = 5.0  # seconds
_MAX_REMEMBERED = 10_000


class PrincipalCache:
    """Per process: (address, how signed in, what a provider granted) -> (when derived, its share
    of the time to live, Principal or None). `clock` is monotonic seconds, injectable for tests."""

    def __init__(self, ttl: float = PRINCIPAL_TTL, clock=time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._seen: dict[tuple, tuple[float, float, Principal | None]] = {}
        self.deriving = SingleFlight()

    def get(self, key: tuple) -> tuple[bool, Principal | None]:
        seen = self._seen.get(key)
        if seen is None or self.clock() - seen[0] > self.ttl * seen[1]:
            return False, None
        return True, seen[2]

    def put(self, key: tuple, principal: Principal | None) -> None:
        if len(self._seen) >= _MAX_REMEMBERED:
            now = self.clock()
            self._seen = {k: v for k, v in self._seen.items() if now - v[0] <= self.ttl * v[1]}
        self._seen[key] = (self.clock(), _share(), principal)

    def forget(self, email: str) -> None:
        """Derive this address's person again on its next request (a change made in this process)."""
        email = email.lower()
        for key in [k for k in self._seen if k[0] == email]:
            del self._seen[key]

    def forget_all(self) -> None:
        """Derive everyone again (a roll or a district's operators changed in this process)."""
        self._seen.clear()
