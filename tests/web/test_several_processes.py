"""Several processes, as production runs them (docs/deploy.md): two `vakt serve` behind a proxy
that hands each connection to the next one, and two `vakt worker`. A round's claims arrive
through the proxy; one worker is killed with `kill -9` halfway. The round still completes with
exactly the events of the same round run undisturbed, and a sign-out answered by one web process
holds in the other (within `RECHECK` seconds: app/identity/session_cutoffs.py)."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx

from app.identity.accounts import add_account
from app.identity.sessions import RECHECK
from app.periods.live import start_period
from app.registry.districts import import_scenario
from domain.model import Phase
from tests.faults.harness import normalized, read_events
from tests.helpers.mail import free_port
from tests.helpers.support import TEST_KEYS_ENV, services_for
from tests.integration.rounds import EXAMPLE, example_config
from tests.web.stack import OPERATOR, SECRET, Stack, close_until, email_of, wait_phase

ROOT = Path(__file__).resolve().parents[2]
SEED = 20270104
# Ten doctors, two shifts each, claimed one after another in the offering (some are refused by
# the rules, the same way in both runs).
CLAIMS = [(f"gp{d:02d}", f"2027-01-{day:02d}/{kind}")
          for d, (day, kind) in zip(itertools.cycle(range(1, 11)),
                                    itertools.product(range(4, 14), ("evening", "night")))]


class RoundRobin:
    """A small TCP proxy: each new connection goes to the next web process."""

    def __init__(self, ports: list[int]) -> None:
        self.ports, self.turn, self.server, self.port = ports, itertools.cycle(ports), None, free_port()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", next(self.turn))
        except OSError:
            writer.close()
            return

        async def copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                dst.close()

        await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))

    async def close(self) -> None:
        self.server.close()
        await self.server.wait_closed()


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    ready: str
    proc: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self

    async def wait_ready(self, timeout: float = 60) -> None:
        give_up = time.monotonic() + timeout
        while self.ready not in (self.log.read_text(errors="replace") if self.log.exists() else ""):
            assert self.proc.poll() is None, f"{self.name} exited:\n{self.log.read_text()[-2000:]}"
            assert time.monotonic() < give_up, f"{self.name} not ready:\n{self.log.read_text()[-2000:]}"
            await asyncio.sleep(0.1)

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


class ProxiedStack(Stack):
    def client(self) -> httpx.AsyncClient:
        """No kept-alive connection: every request is a new connection, so they alternate."""
        client = httpx.AsyncClient(base_url=self.base_url, timeout=60.0, follow_redirects=False,
                                   limits=httpx.Limits(max_keepalive_connections=0))
        self.clients.append(client)
        return client


async def _round(stack: Stack, services, district: str, workers: list[Process] | None) -> list:
    """The example round in a district of its own (a district has one round for given dates)."""
    period = f"{district}-{uuid.uuid4().hex[:6]}"
    await import_scenario(services, district, EXAMPLE, actor="admin:test")
    config = example_config(period, meeting_in=timedelta(seconds=3))
    config = config.model_copy(update={"lottery_seed": SEED, "district": config.district.model_copy(update={"id": district})})
    await start_period(services, config, started_by="operator:test")
    await wait_phase(stack, period, lambda s: s.opened, timeout=60)
    await close_until(stack, period, Phase.OFFERING)
    doctors = {d: await stack.sign_in(email_of(d)) for d in sorted({d for d, _ in CLAIMS})}
    for i, (doctor, shift) in enumerate(CLAIMS):
        if workers and i == len(CLAIMS) // 2:
            workers[0].kill()  # kill -9, mid-round: the other worker takes over
        client = doctors[doctor]
        answer = await client.post(f"/periods/{period}/act", data={
            "verb": "claim", "shift": shift, "csrf": client.headers["X-CSRF-Token"]})
        assert answer.status_code == 303, answer.text[-500:]
    kari = await stack.sign_in(OPERATOR[0])
    asked = await kari.post(f"/operator/periods/{period}/close", data={
        "csrf": kari.headers["X-CSRF-Token"], "reason": "alle har valgt", "confirmed": "yes"})
    assert asked.status_code == 303, asked.text[-500:]
    await wait_phase(stack, period, lambda s: s.phase is Phase.PUBLISHED, timeout=120)
    return await read_events(services.settings.database_url, period)


def _same_district(events: list) -> list:
    """The two runs differ by construction in their district's id only (in PeriodOpened)."""
    for kind, data in events:
        if kind == "PeriodOpened":
            data["config"]["district"]["id"] = "<district>"
    return events


async def test_two_web_processes_and_two_workers_one_killed(app_database_url, tmp_path, smtp_server, dev_server):
    task_queue = f"procs-{uuid.uuid4().hex[:6]}"
    target = dev_server.client.service_client.config.target_host
    web_ports = [free_port(), free_port()]
    proxy = RoundRobin(web_ports)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "DATABASE_URL", "VAKT_", "SMTP_"))}
    env = {**base, "TEMPORAL_ADDRESS": target, "TEMPORAL_NAMESPACE": "default", "TEMPORAL_TASK_QUEUE": task_queue,
           "DATABASE_URL": app_database_url, "VAKT_PAYLOAD_KEYS": TEST_KEYS_ENV, "VAKT_DATA_DIR": str(tmp_path / "data"),
           "VAKT_SESSION_SECRET": SECRET, "VAKT_DEV_SMTP_PORT": str(smtp_server.port),
           "VAKT_PUBLIC_URL": f"http://127.0.0.1:{proxy.port}", "PYTHONUNBUFFERED": "1",
           "VAKT_SIGN_IN_LIMIT_CLIENT": "100000/1m", "VAKT_SIGN_IN_LIMIT_GLOBAL": "100000/1m",
           "VAKT_SIGN_IN_ATTEMPT_LIMIT_CLIENT": "100000/1m"}
    vakt = str(Path(sys.executable).parent / "vakt")
    webs = [Process(f"web{i}", [vakt, "serve", "--port", str(p)], env, tmp_path / f"web{i}.log", "web service http")
            for i, p in enumerate(web_ports, 1)]
    workers = [Process(f"worker{i}", [sys.executable, "worker.py"], env, tmp_path / f"worker{i}.log",
                       "Worker running on task queue") for i in (1, 2)]
    services = services_for(app_database_url, tmp_path, dev_server.client, TEMPORAL_TASK_QUEUE=task_queue,
                            VAKT_DEV_SMTP_PORT=str(smtp_server.port), VAKT_SESSION_SECRET=SECRET)
    await add_account(services, OPERATOR[0], "operator", OPERATOR[1], actor="admin:test", districts=["calm", "kill"])
    stack = ProxiedStack(services, f"http://127.0.0.1:{proxy.port}", smtp_server.maildir)
    try:
        for p in webs + workers:
            p.start()
        for p in webs + workers:
            await p.wait_ready()
        for web in webs:  # each serves on uvloop (infra/event_loop.py), as it says when it starts
            assert "; uvloop loop)" in web.log.read_text(), web.log.read_text()[-500:]
        await proxy.start()

        undisturbed = await _round(stack, services, "calm", None)
        disturbed = await _round(stack, services, "kill", workers)
        assert workers[0].proc.returncode == -signal.SIGKILL
        versions = [e.version for e in disturbed]
        assert versions == list(range(1, len(disturbed) + 1)) and len({e.event_id for e in disturbed}) == len(disturbed)
        mine, theirs = _same_district(normalized(disturbed)), _same_district(normalized(undisturbed))
        assert len(mine) == len(theirs), (len(mine), len(theirs))
        for i, (a, b) in enumerate(zip(mine, theirs, strict=True), 1):
            assert a == b, f"event v{i} differs from the undisturbed run:\n  {a}\n  {b}"
        assert sum(e.type == "ShiftTaken" for e in disturbed) >= len(CLAIMS) // 2  # the claims were there

        # A sign-out answered by one web process holds in the other at once.
        doctor = await stack.sign_in(email_of("gp04"))
        cookies = doctor.cookies
        first, second = (httpx.AsyncClient(base_url=f"http://127.0.0.1:{p}", cookies=cookies) for p in web_ports)
        async with first, second:
            assert 'action="/sign-in"' not in (await second.get("/", headers={"accept": "text/html"})).text
            out = await first.post("/sign-out", data={"csrf": doctor.headers["X-CSRF-Token"]})
            assert out.status_code == 303
            # The other process reads the cutoff again within RECHECK seconds (a burst of one
            # person's requests costs one read): then it asks for a sign-in there too.
            give_up = time.monotonic() + RECHECK + 2
            while 'action="/sign-in"' not in (await second.get("/", headers={"accept": "text/html"})).text:
                assert time.monotonic() < give_up, "the other web process still honours the signed-out session"
                await asyncio.sleep(0.25)
    finally:
        for client in stack.clients:
            await client.aclose()
        if proxy.server:
            await proxy.close()
        for p in webs + workers:
            p.stop()
