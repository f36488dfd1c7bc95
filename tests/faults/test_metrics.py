"""Prometheus metrics (infra/metrics.py) of a real `vakt serve` and a real worker process: after a
round's actions a scrape of each metrics address shows the application's `vakt_` series and the
Temporal SDK's `temporal_` series, and no label names a doctor or an address."""

from __future__ import annotations

import os
import signal

import httpx2 as httpx

from bench.http_burst import sign_in_all
from tests.faults.test_outages import ROOMY, SECRET, Stack, _offering, _serve, _up
from tests.helpers.mail import free_port, smtp_server  # noqa: F401 - the fixture
from tests.helpers.support import services_for
from tests.web.stack import email_of

EXAMPLE_PEOPLE = ("gp05", "gp06", "sub02")


def _series(text: str, name: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(name)]


async def test_metrics_show_vakt_and_temporal_series_without_doctors(fault_env, workers, tmp_path, smtp_server):  # noqa: F811
    worker_metrics = f"127.0.0.1:{free_port()}"
    await workers.ready("wm", VAKT_METRICS_ADDRESS=worker_metrics)
    services = services_for(fault_env.database_url, tmp_path, fault_env.client, TEMPORAL_TASK_QUEUE=workers.task_queue,
                            VAKT_DEV_SMTP_PORT=str(smtp_server.port), VAKT_SESSION_SECRET=SECRET, **ROOMY)
    stack = Stack(services, "", smtp_server.maildir)
    port, web_metrics = free_port(), f"127.0.0.1:{free_port()}"
    base_url = f"http://127.0.0.1:{port}"
    env = fault_env.env(workers.task_queue, VAKT_DEV_SMTP_PORT=str(smtp_server.port), VAKT_PUBLIC_URL=base_url,
                        VAKT_SESSION_SECRET=SECRET, VAKT_METRICS_ADDRESS=web_metrics, **ROOMY)
    env["VAKT_DATA_DIR"] = str(tmp_path / "serve-data")
    log = tmp_path / "serve.log"
    server = _serve(env, port, log)
    try:
        period = await _offering(stack)
        await _up(base_url, server, log)
        sessions = await sign_in_all(base_url, smtp_server.maildir, {d: email_of(d) for d in EXAMPLE_PEOPLE})
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            for doctor, shift in zip(EXAMPLE_PEOPLE, ("2027-01-05/evening", "2027-01-05/evening", "2027-01-09/day")):
                answer = await http.post(f"/api/periods/{period}/actions", json={"verb": "claim", "shift": shift},
                                         headers=sessions[doctor].headers)
                assert answer.status_code in (200, 409), answer.text
            web = (await http.get(f"http://{web_metrics}/metrics")).text
            worker = (await http.get(f"http://{worker_metrics}/metrics")).text
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(20)
        await stack.services.aclose()

    assert _series(web, 'vakt_actions_total{outcome="accepted",verb="offering_claim"}'), web[:2000]
    assert _series(web, 'vakt_actions_total{outcome="refused",verb="offering_claim"}')
    assert _series(web, "vakt_refusals_total{rule=")
    assert _series(web, 'vakt_http_request_seconds_count{method="POST",route="/api/periods/{period}/actions",status="2xx"}')
    assert _series(web, 'vakt_sign_ins_total{method="link",outcome="signed-in"} 3.0')
    assert _series(web, "vakt_front_door_batch_size_count") and _series(web, "vakt_front_door_wait_seconds_count")
    assert _series(web, "temporal_"), "no SDK series from the web service"
    assert _series(worker, "vakt_append_seconds_count") and _series(worker, "vakt_appended_events_total")
    assert _series(worker, "temporal_workflow_task") or _series(worker, "temporal_worker"), worker[-2000:]
    people = [*EXAMPLE_PEOPLE, *(email_of(d) for d in EXAMPLE_PEOPLE), period]
    leaked = [p for p in people if p in web or p in worker]
    assert not leaked, leaked
