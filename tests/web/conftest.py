"""Fixtures for the web service's tests (tests/web/stack.py)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from worker import create_worker, live_activities
from tests.helpers.mail import free_port, smtp_server  # noqa: F401 - the fixture
from tests.helpers.support import services_for
from tests.web.stack import SECRET, Stack, serve

# The web tests sign many people in from one address (the burst: 70 doctors); the throttle's own
# limits are tested apart (tests/web/test_throttle.py).
ROOMY = {"VAKT_SIGN_IN_LIMIT_CLIENT": "100000/1m", "VAKT_SIGN_IN_LIMIT_GLOBAL": "100000/1m",
         "VAKT_SIGN_IN_ATTEMPT_LIMIT_CLIENT": "100000/1m"}


@pytest.fixture
async def web_db(app_database_url, tmp_path, smtp_server):  # noqa: F811
    """The service without Temporal: enough for identity, access and the calendar feed."""
    port = free_port()
    services = services_for(
        app_database_url, tmp_path, None, VAKT_DEV_SMTP_PORT=str(smtp_server.port),
        VAKT_PUBLIC_URL=f"http://127.0.0.1:{port}", VAKT_SESSION_SECRET=SECRET, TEMPORAL_ADDRESS="127.0.0.1:1",
        **ROOMY,
    )
    server, task = await serve(services, port)
    stack = Stack(services, f"http://127.0.0.1:{port}", smtp_server.maildir)
    try:
        yield stack
    finally:
        for client in stack.clients:
            await client.aclose()
        server.should_exit = True
        await task
        await services.aclose()


@pytest.fixture
async def web(app_database_url, tmp_path, smtp_server, dev_server):  # noqa: F811
    """The whole service: a worker on a Temporal dev server beside it."""
    port = free_port()
    task_queue = f"web-{uuid.uuid4().hex[:6]}"
    services = services_for(
        app_database_url, tmp_path, dev_server.client, TEMPORAL_TASK_QUEUE=task_queue,
        VAKT_DEV_SMTP_PORT=str(smtp_server.port), VAKT_PUBLIC_URL=f"http://127.0.0.1:{port}",
        VAKT_SESSION_SECRET=SECRET, **ROOMY,
    )
    db = await services.database()
    worker = create_worker(dev_server.client, db.store, task_queue, extra_activities=await live_activities(services))
    server, task = await serve(services, port)
    stack = Stack(services, f"http://127.0.0.1:{port}", smtp_server.maildir)
    try:
        async with worker:
            yield stack
            if stack.period:
                try:
                    await dev_server.client.get_workflow_handle(stack.period).terminate(reason="test over")
                except Exception:  # noqa: BLE001 - already finished
                    pass
    finally:
        for client in stack.clients:
            await client.aclose()
        server.should_exit = True
        await task
        await services.aclose()


@pytest.fixture(scope="session")
async def browser():
    """One chromium for the session: each test signs in through browser contexts of its own,
    which share no cookies or storage, so a fresh browser per test proves nothing more."""
    from tests.web.test_browser import CHROMIUM, FLAGS

    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is not installed (apt-get install -y chromium; .ci/run does it)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()
