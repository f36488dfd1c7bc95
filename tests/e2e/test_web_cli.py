"""`vakt account` and `vakt serve` as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time

import httpx2 as httpx

from tests.e2e.test_cli import ROOT, vakt
from tests.helpers.mail import free_port


def test_accounts_are_added_listed_masked_and_bad_input_is_named(database_url):
    added = vakt("account", "add", "--email", "Kari.Nordmann@Klinikk.example.no", "--role", "operator",
                 "--name", "Kari [bold]Nordmann[/]", "--district", "demo", "--district", "north", "--by", "Ola",
                 database_url=database_url)
    assert added.returncode == 0, added.stderr
    assert "Added operator account acct-" in added.stdout
    assert "for Kari [bold]Nordmann[/], serving demo, north." in added.stdout  # shown literally
    listed = vakt("account", "list", database_url=database_url)
    assert listed.returncode == 0 and "operator" in listed.stdout and "kari.nordmann@" not in listed.stdout
    assert "demo,north" in listed.stdout
    for args, message in (
        (("--email", "a@b.no", "--role", "king", "--name", "X"), "--role: must be one of operator, admin"),
        (("--email", "not-an-address", "--role", "admin", "--name", "X"), "--email: not a valid e-mail address"),
        (("--email", "a@b.no", "--role", "admin", "--name", "X\x1b[31m"), "--name: contains control characters"),
        (("--email", "a@b.no", "--role", "admin", "--name", "X"), "--district: name the districts the account serves"),
        (("--email", "a@b.no", "--role", "admin", "--name", "X", "--district", "no such"), "--district: not a district id"),
    ):
        bad = vakt("account", "add", *args, database_url=database_url)
        assert bad.returncode == 2 and message in bad.stderr, bad.stderr
    ended = vakt("account", "sign-out", "--email", "heidi@example.no", "--by", "Ola", database_url=database_url)
    assert ended.returncode == 0 and "ended" in ended.stdout and "heidi@" not in ended.stdout
    bad = vakt("account", "sign-out", "--email", "heidi", database_url=database_url)
    assert bad.returncode == 2 and "--email: not a valid e-mail address" in bad.stderr
    disabled = vakt("account", "disable", "--email", "kari.nordmann@klinikk.example.no", database_url=database_url)
    assert disabled.returncode == 0 and "sessions are ended" in disabled.stdout
    again = vakt("account", "disable", "--email", "kari.nordmann@klinikk.example.no", database_url=database_url)
    assert again.returncode == 2 and "no such enabled account" in again.stderr


def test_vakt_serve_answers_health_and_refuses_without_a_session(database_url, tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "VAKT_DATA_DIR": str(tmp_path), "TEMPORAL_ADDRESS": "127.0.0.1:1"}
    env.pop("VAKT_SESSION_SECRET", None)
    env.pop("VAKT_PUBLIC_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = server.stdout.readline()
        assert first.startswith(f"web service http://127.0.0.1:{port}"), first + server.stderr.read()
        key = tmp_path / "keys" / "session.key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600 and key.read_text().strip() not in first
        assert "(***)" in first
        for _ in range(100):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health")
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        assert health.json() == {"status": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/api/me").status_code == 401
        assert httpx.get(f"http://127.0.0.1:{port}/docs").status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def test_vakt_serve_traces_each_request_by_its_route_and_names_a_wrong_exporter(database_url, tmp_path):
    """OTEL_TRACES_EXPORTER (infra/tracing.py): `console` writes one span per request, named by
    its route template, never its path, flushed when the service stops; an exporter the service
    lacks stops it, named (exit 2)."""
    env = {**os.environ, "DATABASE_URL": database_url, "VAKT_DATA_DIR": str(tmp_path), "TEMPORAL_ADDRESS": "127.0.0.1:1"}
    bad = subprocess.run([sys.executable, "-m", "cli.main", "serve", "--port", str(free_port())], cwd=ROOT,
                         env={**env, "OTEL_TRACES_EXPORTER": "zipkin"}, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2, bad.stderr
    assert "OTEL_TRACES_EXPORTER: 'zipkin' is not one of otlp, console, none" in bad.stderr
    assert "Traceback" not in bad.stderr

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", str(port)], cwd=ROOT,
                              env={**env, "OTEL_TRACES_EXPORTER": "console", "OTEL_SERVICE_NAME": "vakt-web-test"},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().startswith("tracing console exporter, service vakt-web-test")
        for _ in range(200):
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        assert httpx.get(f"http://127.0.0.1:{port}/api/periods/secret-period-17/board").status_code == 401
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    spans = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    by_name = {span["name"]: span for span in spans}
    assert by_name["GET /health"]["attributes"]["http.response.status_code"] == 200, sorted(by_name)
    # Refused before routing (no session): no route to name it by, and the path stays out.
    refused = by_name["GET"]
    assert refused["attributes"] == {"http.request.method": "GET", "http.response.status_code": 401}
    assert refused["kind"] == "SpanKind.SERVER" and refused["resource"]["attributes"]["service.name"] == "vakt-web-test"
    assert "secret-period-17" not in out  # the path is never recorded
