"""The web service's answers while a dependency is down (web/readiness.py, web/idempotency.py,
app/periods/updates.py), on real servers: the fault tests' PostgreSQL stopped with pg_ctl, every
worker process killed, the `vakt serve` process killed mid-burst.

Each time: readiness says so, an action answers 503 with `Retry-After` within 30 s, and a retry
with the same `Idempotency-Key` once things are back gets the action's one answer — never a
second application, never a 409 for a claim that had won.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx2 as httpx
import pytest

from domain.model import Phase
from tests.faults.processes import ROOT
from tests.helpers.mail import free_port, smtp_server  # noqa: F401 - the fixture
from tests.helpers.support import services_for
from tests.integration.rounds import EXAMPLE, example_config
from tests.web.stack import SECRET, Stack, close_until, email_of, serve

ROOMY = {"VAKT_SIGN_IN_LIMIT_CLIENT": "100000/1m", "VAKT_SIGN_IN_LIMIT_GLOBAL": "100000/1m",
         "VAKT_SIGN_IN_ATTEMPT_LIMIT_CLIENT": "100000/1m"}
ANSWER_WITHIN = 30.0
# The front door's wait for a queued action (VAKT_ACTION_ANSWER_WITHIN, 25 s in production):
# shorter here, so the no-worker 503 comes sooner; the behaviour it proves is the same.
ACTION_WAIT = 6.0
EVENING, DAY = "2027-01-05/evening", "2027-01-09/day"


@pytest.fixture
async def web_on_faults(fault_env, workers, tmp_path, smtp_server):  # noqa: F811
    """The web service in this process, on the fault tests' servers, with one worker process."""
    port = free_port()
    services = services_for(
        fault_env.database_url, tmp_path, fault_env.client, TEMPORAL_TASK_QUEUE=workers.task_queue,
        VAKT_DEV_SMTP_PORT=str(smtp_server.port), VAKT_PUBLIC_URL=f"http://127.0.0.1:{port}",
        VAKT_SESSION_SECRET=SECRET, VAKT_ACTION_ANSWER_WITHIN=str(ACTION_WAIT), **ROOMY,
    )
    await workers.ready("w1")
    server, task = await serve(services, port)
    stack = Stack(services, f"http://127.0.0.1:{port}", smtp_server.maildir)
    try:
        yield stack
    finally:
        if not fault_env.postgres.running:
            fault_env.postgres.start()  # the session's other tests need it
        for client in stack.clients:
            await client.aclose()
        if stack.period:
            try:
                await fault_env.client.get_workflow_handle(stack.period).terminate(reason="test over")
            except Exception:  # noqa: BLE001 - already finished
                pass
        server.should_exit = True
        await task
        await services.aclose()


async def _offering(stack: Stack) -> str:
    """A live period of the example district in its offering. The fault tests share one
    database, so each round gets a district of its own (one round per district and dates)."""
    from app.periods.live import start_period
    from app.registry.districts import import_scenario

    district, period = f"out{uuid.uuid4().hex[:6]}", f"outage-{uuid.uuid4().hex[:6]}"
    await import_scenario(stack.services, district, EXAMPLE, actor="admin:test")
    config = example_config(period, meeting_in=timedelta(seconds=3))
    config = config.model_copy(update={"district": config.district.model_copy(update={"id": district})})
    await start_period(stack.services, config, started_by="operator:test")
    stack.period = period
    await close_until(stack, period, Phase.OFFERING)
    return period


async def _claim(client: httpx.AsyncClient, period: str, shift: str, key: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    answer = await client.post(f"/api/periods/{period}/actions", json={"verb": "claim", "shift": shift},
                               headers={"Idempotency-Key": key})
    return answer, time.monotonic() - started


async def _taken(stack: Stack, period: str, at_least: int = 0) -> list[tuple[str, str]]:
    """Every (doctor, shift) a ShiftTaken event recorded, in order, once the stored log has
    reached version `at_least` (an action is answered before its events are appended)."""
    db = await stack.services.database()
    give_up = time.monotonic() + 30
    while await db.store.stored_version(period) < at_least and time.monotonic() < give_up:
        await asyncio.sleep(0.1)
    return [(e.data["doctor"], e.data["shift"]) for e in await db.store.read_stream(period, types=["ShiftTaken"])]


async def _until_ready(client: httpx.AsyncClient, timeout: float = 30.0) -> httpx.Response:
    give_up = time.monotonic() + timeout
    while True:
        answer = await client.get("/ready")
        if answer.status_code == 200 or time.monotonic() > give_up:
            return answer
        await asyncio.sleep(0.2)


async def test_postgresql_stopped_answers_503_and_the_retry_gets_the_first_answer(fault_env, web_on_faults):
    stack = web_on_faults
    period = await _offering(stack)
    gp05 = await stack.sign_in(email_of("gp05"))
    assert (await gp05.get("/ready")).json() == {"status": "ready", "postgresql": "ok", "temporal": "ok"}

    fault_env.postgres.stop()
    ready = await gp05.get("/ready")
    assert ready.status_code == 503 and ready.headers["retry-after"].isdigit(), ready.text
    assert ready.json()["temporal"] == "ok" and "PostgreSQL" in ready.json()["postgresql"]
    down, took = await _claim(gp05, period, EVENING, "pg-down-1")
    assert down.status_code == 503 and took < ANSWER_WITHIN and down.headers["retry-after"].isdigit(), down.text
    assert "PostgreSQL" in down.json()["error"]
    page = await gp05.get(f"/periods/{period}", headers={"Accept": "text/html"})
    assert page.status_code == 503 and "midlertidig utilgjengelig" in page.text  # in the page's language

    fault_env.postgres.start()
    assert (await _until_ready(gp05)).status_code == 200
    first, _ = await _claim(gp05, period, EVENING, "pg-down-1")
    assert first.status_code == 200 and first.json()["accepted"], first.text
    again, _ = await _claim(gp05, period, EVENING, "pg-down-1")
    assert (again.status_code, again.content) == (200, first.content)
    assert (await _taken(stack, period, first.json()["version"])).count(("gp05", EVENING)) == 1


async def test_every_worker_stopped_answers_503_and_the_retry_gets_the_first_answer(fault_env, workers, web_on_faults):
    stack = web_on_faults
    period = await _offering(stack)
    gp05 = await stack.sign_in(email_of("gp05"))

    workers.kill_all()
    down, took = await _claim(gp05, period, DAY, "no-worker-1")
    assert down.status_code == 503 and took < ANSWER_WITHIN and down.headers["retry-after"].isdigit(), down.text
    assert "same key" in down.json()["error"]
    assert took < ACTION_WAIT + 5, took  # the configured wait, not the 20 s update patience
    print(f"\nno worker: 503 after {took:.1f} s: {down.json()['error']}")

    await workers.ready("w2")
    give_up = time.monotonic() + 60
    while True:  # what a client does with Retry-After
        first, _ = await _claim(gp05, period, DAY, "no-worker-1")
        if first.status_code != 503 or time.monotonic() > give_up:
            break
        await asyncio.sleep(float(first.headers.get("retry-after", "1")))
    assert first.status_code == 200 and first.json()["accepted"], first.text  # not 409 "already held by" gp05
    again, _ = await _claim(gp05, period, DAY, "no-worker-1")
    assert (again.status_code, again.content) == (200, first.content)
    assert (await _taken(stack, period, first.json()["version"])).count(("gp05", DAY)) == 1


# ------------------------------------------------------------------ `vakt serve` killed mid-burst


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


async def _up(base_url: str, proc: subprocess.Popen, log: Path, timeout: float = 30.0) -> None:
    give_up = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=base_url, timeout=5.0) as http:
        while True:
            try:
                if (await http.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > give_up:
                raise AssertionError(f"vakt serve did not come up:\n{log.read_text(errors='replace')[-2000:]}")
            await asyncio.sleep(0.1)


async def test_vakt_serve_killed_mid_burst_every_retried_claim_gets_its_first_answer(
    fault_env, web_on_faults, workers, tmp_path
):
    from bench.burst import claimants, claims
    from bench.http_burst import sign_in_all

    stack = web_on_faults
    period = await _offering(stack)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = fault_env.env(workers.task_queue, VAKT_DEV_SMTP_PORT=str(stack.services.env["VAKT_DEV_SMTP_PORT"]),
                        VAKT_PUBLIC_URL=base_url, VAKT_SESSION_SECRET=SECRET,
                        # The killed process's keys are then leased for 16 s, not 35 (web/idempotency.py).
                        VAKT_ACTION_ANSWER_WITHIN=str(ACTION_WAIT), **ROOMY)
    env["VAKT_DATA_DIR"] = str(tmp_path / "serve-data")
    log = tmp_path / "serve.log"
    server = _serve(env, port, log)
    try:
        await _up(base_url, server, log)
        config = example_config(period, meeting_in=timedelta(0))  # the same doctors and shifts
        taken_before = len(await _taken(stack, period))
        doctors = claimants(config, doctors=30)
        sessions = await sign_in_all(base_url, stack.maildir, {d: email_of(d) for d in doctors})
        actions = claims(config, count=120, doctors=len(doctors), seed=5)
        keys = [f"burst-{i}" for i in range(len(actions))]
        first: dict[str, tuple[int, bytes]] = {}

        async def send(http: httpx.AsyncClient, i: int) -> None:
            doctor, shift = actions[i]
            try:
                answer = await http.post(f"/api/periods/{period}/actions", json={"verb": "claim", "shift": shift},
                                         headers={**sessions[doctor].headers, "Idempotency-Key": keys[i]})
            except httpx.TransportError:
                return  # the server died under it: no answer
            first[keys[i]] = (answer.status_code, answer.content)

        limits = httpx.Limits(max_connections=20)
        async with httpx.AsyncClient(base_url=base_url, timeout=30.0, limits=limits) as http:
            burst = [asyncio.create_task(send(http, i)) for i in range(len(actions))]
            while len(first) < len(actions) // 3:
                await asyncio.sleep(0.005)
            os.killpg(server.pid, signal.SIGKILL)  # kill -9 mid-burst
            server.wait(10)
            await asyncio.gather(*burst)
        answered_before = dict(first)
        assert 0 < len(answered_before) < len(actions), len(answered_before)

        server = _serve(env, port, log)
        await _up(base_url, server, log)
        final: dict[str, tuple[int, bytes]] = {}
        async with httpx.AsyncClient(base_url=base_url, timeout=60.0, limits=limits) as http:

            async def retry(i: int) -> None:
                doctor, shift = actions[i]
                give_up = time.monotonic() + 90  # a request the killed process ran is taken over after its lease
                while True:
                    answer = await http.post(f"/api/periods/{period}/actions", json={"verb": "claim", "shift": shift},
                                             headers={**sessions[doctor].headers, "Idempotency-Key": keys[i]})
                    if answer.status_code != 503 or time.monotonic() > give_up:
                        final[keys[i]] = (answer.status_code, answer.content)
                        return
                    await asyncio.sleep(float(answer.headers.get("retry-after", "1")))

            await asyncio.gather(*(retry(i) for i in range(len(actions))))
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)

    assert all(final[k] == answer for k, answer in answered_before.items() if answer[0] != 503)
    assert {status for status, _ in final.values()} <= {200, 409}, {s for s, _ in final.values()}
    accepted = {actions[i] for i, k in enumerate(keys) if final[k][0] == 200}
    versions = [json.loads(body)["version"] for status, body in final.values() if status == 200]
    taken = await _taken(stack, period, max(versions, default=0))
    claimed = taken[taken_before:]
    # Every claim that won was answered 200 (none 409 "already held by" its own doctor), once.
    assert accepted == set(claimed) and len(claimed) == len(set(claimed)), (accepted ^ set(claimed))
    shifts = [shift for _, shift in taken]
    assert len(shifts) == len(set(shifts))  # no shift has two holders
    print(f"\nkilled after {len(answered_before)} of {len(actions)} answers; "
          f"{len(accepted)} accepted, {len(actions) - len(accepted)} refused after the retries")
