"""Sign-in throttling in this process: sliding windows per client address and for the whole
process, beside the per-address limit kept in the database (app/identity/sign_in.py).

- requests for a mailed link: per client and globally (mail flooding: one client cannot make
  the service mail every doctor all day);
- uses of a link and starts of an OpenID Connect sign-in: per client.
Over a limit: TooManyRequests with the seconds until the oldest counted request leaves the
window (the answer's Retry-After). Each web process keeps its own windows, so N processes allow
up to N times the limits; the per-address limit in the database holds across all of them.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Sequence

from app.errors import TooManyRequests

Limits = Sequence[tuple[int, float]]  # (count, window in seconds)
MAX_KEYS = 50_000  # clients remembered at once; the idle ones are dropped first


class SlidingWindow:
    """`admit(key)` counts one request for the key when every limit allows it."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = tuple(limits)
        self.longest = max((w for _, w in self.limits), default=0.0)
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}

    def admit(self, key: str) -> None:
        now = self.clock()
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= now - self.longest:
            seen.popleft()
        waits = []
        for count, window in self.limits:
            inside = [t for t in seen if t > now - window]
            if len(inside) >= count:
                waits.append(inside[len(inside) - count] + window - now)
        if waits:
            raise TooManyRequests(math.ceil(max(waits)))
        seen.append(now)
        if len(self._seen) > MAX_KEYS:
            self._prune(now)

    def _prune(self, now: float) -> None:
        for key in [k for k, v in self._seen.items() if not v or v[-1] <= now - self.longest]:
            del self._seen[key]


class SignInThrottle:
    def __init__(self, links_per_client: Limits, links_global: Limits, attempts_per_client: Limits,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.links_per_client = SlidingWindow(links_per_client, clock)
        self.links_global = SlidingWindow(links_global, clock)
        self.attempts_per_client = SlidingWindow(attempts_per_client, clock)

    def link_request(self, client: str) -> None:
        """Before mailing a link: the client's limit, then the process's."""
        self.links_per_client.admit(client)
        self.links_global.admit("*")

    def attempt(self, client: str) -> None:
        """Before using a link or starting an OpenID Connect sign-in."""
        self.attempts_per_client.admit(client)
