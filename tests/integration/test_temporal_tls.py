"""Temporal over TLS and mutual TLS, set the SDK's way (infra/temporal_client.py): the dev server
behind a TLS-terminating proxy (tests/helpers/tls_proxy.py, certificates made here; ALPN h2),
a worker process that runs a round through it, and every wrong setting named in its error."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.api.workflowservice.v1 import RegisterNamespaceRequest
from google.protobuf.duration_pb2 import Duration

from infra.settings import Settings
from infra.temporal_client import TemporalUnavailable, connect_temporal, temporal_target
from tests.helpers.support import CONVERTER, TEST_KEYS_ENV
from tests.helpers.tls_proxy import Certificates, TlsProxy, make_certificates

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def certs(tmp_path: Path) -> Certificates:
    return make_certificates(tmp_path / "certs")


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    """Only what the test sets: never the machine's own TEMPORAL_* or TOML file."""
    return {"VAKT_DATA_DIR": str(tmp_path / "data"), "TEMPORAL_CONFIG_FILE": str(tmp_path / "none.toml"), **values}


async def _connect(tmp_path: Path, **values: str):
    env = _env(tmp_path, **values)
    return await connect_temporal(Settings.from_env(env), CONVERTER, env=env, timeout=10)


async def _refused(tmp_path: Path, **values: str) -> str:
    with pytest.raises(TemporalUnavailable) as caught:
        await _connect(tmp_path, **values)
    return str(caught.value)


async def test_tls_and_mtls_connect_and_every_wrong_setting_is_named(dev_server, certs, tmp_path):
    plain = dev_server.client.service_client.config.target_host
    ca, other = str(certs.ca), str(certs.other_ca)
    mine = {"TEMPORAL_TLS_CLIENT_CERT_PATH": str(certs.client_cert), "TEMPORAL_TLS_CLIENT_KEY_PATH": str(certs.client_key)}
    async with TlsProxy(certs, plain) as tls, TlsProxy(certs, plain, require_client_cert=True) as mtls:
        client = await _connect(tmp_path, TEMPORAL_ADDRESS=tls.address, TEMPORAL_TLS_SERVER_CA_CERT_PATH=ca)
        assert await client.count_workflows() is not None
        client = await _connect(tmp_path, TEMPORAL_ADDRESS=mtls.address, TEMPORAL_TLS_SERVER_CA_CERT_PATH=ca, **mine)
        assert await client.count_workflows() is not None
        # An API key turns TLS on (the dev server does not check it); it is never shown.
        env = _env(tmp_path, TEMPORAL_ADDRESS=tls.address, TEMPORAL_TLS_SERVER_CA_CERT_PATH=ca,
                   TEMPORAL_API_KEY="key-secret-123")
        target = temporal_target(Settings.from_env(env), env)
        assert "with an API key" in target.describe() and "key-secret" not in target.describe() + repr(target)
        await connect_temporal(Settings.from_env(env), CONVERTER, env=env)

        said = {
            "wrong CA": await _refused(tmp_path, TEMPORAL_ADDRESS=tls.address, TEMPORAL_TLS_SERVER_CA_CERT_PATH=other),
            "no client cert": await _refused(tmp_path, TEMPORAL_ADDRESS=mtls.address,
                                             TEMPORAL_TLS_SERVER_CA_CERT_PATH=ca),
            "plain to TLS": await _refused(tmp_path, TEMPORAL_ADDRESS=tls.address),
            "TLS to plain": await _refused(tmp_path, TEMPORAL_ADDRESS=plain, TEMPORAL_TLS="true"),
            "namespace": await _refused(tmp_path, TEMPORAL_ADDRESS=plain, TEMPORAL_NAMESPACE="no-such-namespace"),
            "unreachable": await _refused(tmp_path, TEMPORAL_ADDRESS="127.0.0.1:1"),
            "profile": await _refused(tmp_path, TEMPORAL_PROFILE="nope"),
            "key alone": await _refused(tmp_path, TEMPORAL_ADDRESS=mtls.address, TEMPORAL_TLS_SERVER_CA_CERT_PATH=ca,
                                        TEMPORAL_TLS_CLIENT_KEY_PATH=str(certs.client_key)),
            "no file": await _refused(tmp_path, TEMPORAL_ADDRESS=tls.address,
                                      TEMPORAL_TLS_SERVER_CA_CERT_PATH=str(tmp_path / "missing.pem")),
            "API key": await _refused(tmp_path, TEMPORAL_ADDRESS=tls.address, TEMPORAL_API_KEY="key-secret\n"),
        }
    expected = {
        "wrong CA": "not signed by a CA this client trusts (TEMPORAL_TLS_SERVER_CA_CERT_PATH)",
        "no client cert": "may require a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH",
        "plain to TLS": "may require TLS (TEMPORAL_TLS=true",
        "TLS to plain": "the server does not speak TLS",
        "namespace": "namespace 'no-such-namespace' does not exist (TEMPORAL_NAMESPACE)",
        "unreachable": "not reachable (connection refused)",
        "profile": "Profile 'nope' not found",
        "key alone": "a client certificate needs its key, and a key its certificate",
        "no file": f"TEMPORAL_TLS_SERVER_CA_CERT_PATH (or the profile's tls setting): no readable file at {tmp_path}",
        "API key": "TEMPORAL_API_KEY: contains spaces, line breaks",
    }
    wrong = {case: said[case] for case, words in expected.items() if words not in said[case]}
    assert not wrong, wrong
    assert not [case for case, text in said.items() if "key-secret" in text or "internal error" in text]


async def test_a_toml_profile_sets_address_namespace_and_mtls(dev_server, certs, tmp_path):
    plain = dev_server.client.service_client.config.target_host
    async with TlsProxy(certs, plain, require_client_cert=True) as mtls:
        toml = tmp_path / "temporal.toml"
        toml.write_text(f"""
[profile.default]
address = "127.0.0.1:1"

[profile.clinic]
address = "{mtls.address}"
namespace = "default"
[profile.clinic.tls]
server_ca_cert_path = "{certs.ca}"
client_cert_path = "{certs.client_cert}"
client_key_path = "{certs.client_key}"
""")
        env = {"VAKT_DATA_DIR": str(tmp_path / "data"), "TEMPORAL_CONFIG_FILE": str(toml), "TEMPORAL_PROFILE": "clinic"}
        settings = Settings.from_env(env)
        assert settings.temporal_address == mtls.address and settings.temporal_namespace == "default"
        client = await connect_temporal(settings, CONVERTER, env=env)
        assert await client.count_workflows() is not None
        env["TEMPORAL_ADDRESS"] = "127.0.0.1:1"  # the environment overrides the file
        with pytest.raises(TemporalUnavailable, match="connection refused"):
            await connect_temporal(Settings.from_env(env), CONVERTER, env=env)


def _vakt(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


async def test_search_attributes_missing_are_named_and_created_by_a_command(dev_server, tmp_path):
    namespace = f"bare-{uuid.uuid4().hex[:6]}"
    await dev_server.client.workflow_service.register_namespace(RegisterNamespaceRequest(
        namespace=namespace, workflow_execution_retention_period=Duration(seconds=86400)))
    env = {**os.environ, **_env(tmp_path, TEMPORAL_ADDRESS=dev_server.client.service_client.config.target_host,
                                TEMPORAL_NAMESPACE=namespace)}
    give_up = time.monotonic() + 30
    while "does not exist" in (checked := await asyncio.to_thread(_vakt, env, "temporal", "check")).stderr:
        assert time.monotonic() < give_up, checked.stderr  # a new namespace takes a moment to be known
        await asyncio.sleep(0.5)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert f"Temporal namespace '{namespace}' lacks the search attributes VaktPeriod (missing)" in checked.stderr
    assert "tcld namespace search-attributes add" in checked.stderr and "vakt temporal setup" in checked.stderr
    made = await asyncio.to_thread(_vakt, env, "temporal", "setup")
    assert made.returncode == 0 and "VaktPeriod (Keyword): created" in made.stdout, made.stdout + made.stderr
    again = await asyncio.to_thread(_vakt, env, "temporal", "check")
    assert again.returncode == 0 and "VaktPhase (Keyword): present" in again.stdout, again.stdout + again.stderr


async def test_a_worker_runs_a_round_over_mutual_tls(dev_server, certs, pg_pool, pg_database_url, tmp_path):
    from adapters.postgres.event_store import EventStore
    from app.periods.live import start_period
    from tests.helpers.support import services_for
    from tests.integration.rounds import example_config

    plain = dev_server.client.service_client.config.target_host
    queue = f"tls-{uuid.uuid4().hex[:6]}"
    async with TlsProxy(certs, plain, require_client_cert=True) as mtls:
        tls_env = {"TEMPORAL_ADDRESS": mtls.address, "TEMPORAL_TLS_SERVER_CA_CERT_PATH": str(certs.ca),
                   "TEMPORAL_TLS_CLIENT_CERT_PATH": str(certs.client_cert),
                   "TEMPORAL_TLS_CLIENT_KEY_PATH": str(certs.client_key)}
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "VAKT_", "DATABASE_URL"))},
               **_env(tmp_path, **tls_env), "DATABASE_URL": pg_database_url, "TEMPORAL_TASK_QUEUE": queue,
               "VAKT_PAYLOAD_KEYS": TEST_KEYS_ENV, "PYTHONUNBUFFERED": "1"}
        log = tmp_path / "worker.log"
        with log.open("wb") as out:
            worker = subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=env, stdout=out,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        try:
            give_up = time.monotonic() + 45
            while "Worker running on task queue" not in log.read_text(errors="replace"):
                assert worker.poll() is None and time.monotonic() < give_up, log.read_text(errors="replace")
                await asyncio.sleep(0.1)
            assert f"Temporal {mtls.address} (namespace default, TLS with a client certificate)" in log.read_text()

            services = services_for(pg_database_url, tmp_path / "data", TEMPORAL_TASK_QUEUE=queue,
                                    TEMPORAL_CONFIG_FILE=str(tmp_path / "none.toml"), **tls_env)
            try:
                period = f"tls-{uuid.uuid4().hex[:6]}"
                await start_period(services, example_config(period, meeting_in=timedelta(hours=1)),
                                   started_by="operator:test")
                store = EventStore(pg_pool)
                give_up = time.monotonic() + 30
                while not await store.read_stream(period, types=["PeriodOpened"]):
                    assert time.monotonic() < give_up, log.read_text(errors="replace")[-3000:]
                    await asyncio.sleep(0.2)
                client = await services.temporal()
                await client.get_workflow_handle(period).terminate(reason="test over")
            finally:
                await services.aclose()
        finally:
            worker.kill()
            worker.wait(10)
