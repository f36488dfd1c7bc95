"""The burst through HTTP: doctors signed in the way a person signs in — a link asked
for, read from the local mailbox, confirmed — then claiming at once through the web service's
`POST /api/periods/{p}/actions`. Shared by bench/bench_http_burst.py and the HTTP burst test.

Each doctor's session is a cookie and a CSRF token; `connections` keep-alive connections send
every doctor's requests, each with that doctor's own cookie, so the server sees `connections`
requests in flight from many signed-in doctors. The burst's requests go through the lean client
of bench/raw_http.py: httpx's own parsing took a good part of one of the machine's two cores,
which the service then lacked (sign-in, a few requests, keeps httpx).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import httpx2 as httpx

from app.bootstrap import Services
from app.registry.districts import import_scenario
from app.demo.samples import SAMPLE_PATH
from bench.burst import BurstResult
from bench.raw_http import Connection
from domain.model import PeriodConfig
from infra.mailbox import read_maildir

LINK = re.compile(r"https?://\S+/sign-in/link\?token=(\S+)")
COOKIE = "vakt_session"


@dataclass(frozen=True)
class SignedIn:
    doctor: str
    cookie: str
    csrf: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE}={self.cookie}", "X-CSRF-Token": self.csrf}


def addresses(run: str, doctors: list[str]) -> dict[str, str]:
    """An address of this run for each doctor: a new run is never held back by an earlier one's
    sign-in rate limit (5 links per address in 15 minutes)."""
    return {d: f"{d}.{run}@bench.example.no" for d in doctors}


async def register_district(services: Services, config: PeriodConfig, emails: dict[str, str], work: Path) -> None:
    """The sample district's doctors on the registry roll of `config`'s district, with this run's
    addresses: sign-in finds them there, as it finds any doctor."""
    scenario = json.loads(SAMPLE_PATH.read_text())
    for doctor in scenario["doctors"]:
        if doctor["id"] in emails:
            doctor["email"] = emails[doctor["id"]]
    path = work / f"{config.district.id}.json"
    path.write_text(json.dumps(scenario))
    await import_scenario(services, config.district.id, path, name="Benchmark", actor="admin:bench")


async def _link_tokens(maildir: Path, emails: set[str], *, timeout: float) -> dict[str, str]:
    """The sign-in token mailed to each address, read from the local mailbox as they arrive."""
    found: dict[str, str] = {}
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while len(found) < len(emails):
        for message in await asyncio.to_thread(read_maildir, maildir):
            to = {parseaddr(t)[1].lower() for t in message.to} & emails
            link = LINK.search(message.text)
            if to and link:
                found.setdefault(to.pop(), link.group(1))
        if len(found) < len(emails):
            if loop.time() > give_up:
                raise RuntimeError(
                    f"{len(emails) - len(found)} sign-in links did not reach the local mailbox within "
                    f"{timeout:.0f} s (is `vakt dev` running, with its SMTP server?)"
                )
            await asyncio.sleep(0.2)
    return found


async def sign_in_all(
    base_url: str, maildir: Path, emails: dict[str, str], *, at_once: int = 8, timeout: float = 60.0
) -> dict[str, SignedIn]:
    """Every doctor signed in: ask for each link, read them from the Maildir the web service's
    SMTP server delivers to, confirm each."""
    limit = asyncio.Semaphore(at_once)
    async with httpx.AsyncClient(base_url=base_url, timeout=30.0, follow_redirects=False) as http:

        async def ask(doctor: str, email: str) -> None:
            async with limit:
                asked = await http.post("/api/sign-in", json={"email": email})
            if asked.status_code != 202:
                raise RuntimeError(f"sign-in for {doctor}: HTTP {asked.status_code}")

        await asyncio.gather(*(ask(d, e) for d, e in emails.items()))
        tokens = await _link_tokens(maildir, set(emails.values()), timeout=timeout)

        async def confirm(doctor: str, email: str) -> SignedIn:
            async with limit:
                confirmed = await http.post("/sign-in/link", data={"token": tokens[email]})
                cookie = confirmed.cookies.get(COOKIE)
                if confirmed.status_code != 303 or not cookie:
                    raise RuntimeError(f"sign-in for {doctor}: the link was refused (HTTP {confirmed.status_code})")
                me = await http.get("/api/me", headers={"Cookie": f"{COOKIE}={cookie}"})
            if me.status_code != 200:
                raise RuntimeError(f"sign-in for {doctor}: /api/me answered HTTP {me.status_code}")
            return SignedIn(doctor, cookie, me.json()["csrf"])

        signed = await asyncio.gather(*(confirm(d, e) for d, e in emails.items()))
    return {s.doctor: s for s in signed}


@dataclass
class HttpBurst(BurstResult):
    statuses: dict[int, int] | None = None  # HTTP status -> count
    unexpected: list[str] | None = None  # the first few answers that were neither 200 nor 409
    slowest: list[tuple[float, float]] | None = None  # (sent after the start, answered after), s: the 10 slowest


async def http_burst(
    base_url: str, period: str, sessions: dict[str, SignedIn], actions: list[tuple[str, str]], *, connections: int,
    accepted_at: dict[str, float] | None = None,
) -> HttpBurst:
    """`connections` requests in flight, each doctor's claim sent with that doctor's session.
    Every answer must be definite: 200 accepted or 409 refused with its rule. `accepted_at`,
    when given, gets each accepted shift's answer time (`time.perf_counter()`)."""
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for item in actions:
        queue.put_nowait(item)
    latencies: list[float] = []
    timeline: list[tuple[float, float]] = []
    statuses: dict[int, int] = {}
    unexpected: list[str] = []
    accepted = refused = 0
    where = urlsplit(base_url)
    pool = [Connection(where.hostname or "127.0.0.1", where.port or 80) for _ in range(connections)]
    await asyncio.gather(*(c.connect() for c in pool))  # as a browser holds its connection open

    async def caller(connection: Connection) -> None:
        nonlocal accepted, refused
        while not queue.empty():
            doctor, shift = queue.get_nowait()
            started = time.perf_counter()
            status, fields, raw = await connection.post_json(
                f"/api/periods/{period}/actions", sessions[doctor].headers, {"verb": "claim", "shift": shift})
            latencies.append(time.perf_counter() - started)
            timeline.append((started - began, latencies[-1]))
            statuses[status] = statuses.get(status, 0) + 1
            body = json.loads(raw) if fields.get("content-type", "").startswith("application/json") else {}
            if status == 200 and body.get("accepted") is True and body.get("version"):
                accepted += 1
                if accepted_at is not None:
                    accepted_at[shift] = time.perf_counter()
            elif status == 409 and body.get("rule"):  # a Refusal (web.deps)
                refused += 1
            elif len(unexpected) < 5:
                unexpected.append(f"{doctor} {shift}: HTTP {status} {raw[:200]!r}")

    try:
        began = time.perf_counter()
        await asyncio.gather(*(caller(c) for c in pool))
        seconds = time.perf_counter() - began
    finally:
        await asyncio.gather(*(c.close() for c in pool))
    slowest = sorted(timeline, key=lambda t: -t[1])[:10]
    return HttpBurst(len(latencies), accepted, refused, seconds, latencies, statuses, unexpected,
                     [(round(s, 3), round(s + t, 3)) for s, t in slowest])
