"""The web service under test: a real uvicorn server on a free port, over a fresh PostgreSQL
database (the application's role), a Temporal dev server with a worker, and the development
SMTP server whose Maildir holds the sign-in links. Helpers sign people in the way a person does:
ask for a link, read it from the mailbox, confirm it."""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx2 as httpx
import uvicorn

from app.bootstrap import Services
from domain.model import Phase
from infra.mailbox import read_maildir
from tests.integration.rounds import EXAMPLE, example_config

SECRET = "test-session-secret-" + "x" * 32
OPERATOR = ("kari.nordmann@klinikk.example.no", "Kari Nordmann")
LINK = re.compile(r"(https?://\S+/sign-in/link\?token=\S+)")


def email_of(doctor: str) -> str:
    return f"{doctor}@legekontor.example.no"


@dataclass
class Stack:
    services: Services
    base_url: str
    maildir: Path
    period: str | None = None
    clients: list = field(default_factory=list)
    handed_out: set = field(default_factory=set)  # links already given to a test: each works once

    async def link_for(self, email: str, *, timeout: float = 10.0) -> str:
        """The newest sign-in link mailed to the address and not handed out before (waits for
        it to arrive: a second sign-in of the same person must not get the first, spent link)."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + timeout
        while loop.time() < give_up:
            for message in read_maildir(self.maildir):
                if email in message.to and "Sign in" in message.subject:
                    link = LINK.search(message.text).group(1)
                    if link not in self.handed_out:
                        self.handed_out.add(link)
                        return link
                    break  # the newest is spent: wait for the one on its way
            await asyncio.sleep(0.05)
        raise AssertionError("no sign-in link arrived")

    def client(self) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=self.base_url, timeout=30.0, follow_redirects=False)
        self.clients.append(client)
        return client

    async def sign_in(self, email: str) -> httpx.AsyncClient:
        """A client signed in through the e-mailed link, with its CSRF header set."""
        for message in read_maildir(self.maildir):  # only a link sent now counts
            if email in message.to:
                (self.maildir / "new" / message.key).unlink(missing_ok=True)
                (self.maildir / "cur" / message.key).unlink(missing_ok=True)
        client = self.client()
        answer = await client.post("/api/sign-in", json={"email": email})
        assert answer.status_code == 202, answer.text
        link = await self.link_for(email)
        token = httpx.URL(link).params["token"]
        signed = await client.post("/sign-in/link", data={"token": token})
        assert signed.status_code == 303, signed.text
        me = await client.get("/api/me")
        assert me.status_code == 200, me.text
        client.headers["X-CSRF-Token"] = me.json()["csrf"]
        return client


async def account_id(stack: Stack, email: str) -> str:
    """The stable id an operator's or admin's steps are recorded with (operator:<id>)."""
    return (await (await stack.services.database()).accounts.account(email)).account_id


async def serve(services: Services, port: int):
    from web.server import Server  # ends the live streams at shutdown
    from web.service import create_app

    server = Server(uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off", proxy_headers=False, http="httptools"))
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.02)
    return server, task


async def start_example_period(stack: Stack, *, meeting_in: timedelta = timedelta(seconds=3)) -> str:
    """The example district in the registry, an operator account, and a live period of it."""
    from app.identity.accounts import add_account
    from app.periods.live import start_period
    from app.registry.districts import import_scenario

    services = stack.services
    await import_scenario(services, "demo", EXAMPLE, actor="admin:test")
    await add_account(services, OPERATOR[0], "operator", OPERATOR[1], actor="admin:test", districts=["demo"])
    period = f"web-{uuid.uuid4().hex[:6]}"
    config = example_config(period, meeting_in=meeting_in)
    await start_period(services, config, started_by="operator:test")
    await wait_phase(stack, period, lambda s: s.opened)
    stack.period = period
    return period


async def wait_phase(stack: Stack, period: str, done, timeout: float = 30.0):
    from app.reads.doctor_views import period_state

    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while True:
        db = await stack.services.database()
        if await db.store.stream_kind(period) is not None:
            state = await period_state(stack.services, period)
            if done(state):
                return state
        if loop.time() > give_up:
            raise AssertionError("the period did not reach the expected state")
        await asyncio.sleep(0.1)


async def close_until(stack: Stack, period: str, phase: Phase) -> None:
    """Operator closes (as Kari, through app.periods.live) until the period is in `phase`."""
    from app.periods.live import close_phase

    while True:
        state = await wait_phase(stack, period, lambda s: s.opened)
        if state.phase is phase and (phase is not Phase.MEETING or state.meeting_open):
            return
        if state.phase is Phase.PUBLISHED:
            raise AssertionError("already published")
        if state.phase is Phase.MEETING and not state.meeting_open:  # opens at its deadline only
            await wait_phase(stack, period, lambda s: s.meeting_open or s.phase is not Phase.MEETING)
            continue
        if state.phase is Phase.LOTTERY:
            await wait_phase(stack, period, lambda s: s.phase is Phase.PUBLISHED)
            continue
        await close_phase(stack.services, period, operator=OPERATOR[1], reason="test steps on")
        version = state.version
        await wait_phase(stack, period, lambda s: s.version > version)
