"""The worker starts with the application's role alone: it never connects as the tables' owner
(who could disable the append-only triggers), and a database behind the code stops it with
"run `vakt migrate`" instead of migrating it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[2]
# The owner's URL points nowhere: a worker that tried to migrate would fail to connect.
UNREACHABLE_OWNER = "postgresql://vakt_owner:secret@127.0.0.1:9/vakt"


def _start_worker(app_url: str, dev_server, data_dir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": app_url,
        "VAKT_MIGRATION_DATABASE_URL": UNREACHABLE_OWNER,
        "TEMPORAL_ADDRESS": dev_server.client.service_client.config.target_host,
        "TEMPORAL_TASK_QUEUE": f"role-{uuid.uuid4().hex[:8]}",
        "VAKT_DATA_DIR": str(data_dir),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", "worker"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


async def _read_until(process: subprocess.Popen, text: str, timeout: float = 60) -> str:
    """What the worker printed until `text` (or until it exited)."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    loop = asyncio.get_running_loop()
    while time.monotonic() < deadline:
        line = await loop.run_in_executor(None, process.stdout.readline)
        if not line:
            break
        seen.append(line)
        if text in line:
            break
    return "".join(seen)


async def test_worker_starts_with_the_application_role_alone(app_database_url, dev_server, tmp_path):
    process = _start_worker(app_database_url, dev_server, tmp_path)
    try:
        printed = await _read_until(process, "Worker running")
        assert "Worker running" in printed, printed
        assert "Migrations applied" not in printed
    finally:
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=30)
    assert process.returncode == 0, rest
    assert "Traceback" not in printed + rest


async def test_worker_refuses_a_database_behind_the_code(app_database_url, pg_database_url, dev_server, tmp_path):
    owner = await asyncpg.connect(pg_database_url)
    try:  # as if this release brought a migration that has not been deployed yet
        await owner.execute("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)")
    finally:
        await owner.close()
    process = _start_worker(app_database_url, dev_server, tmp_path)
    printed, _ = process.communicate(timeout=90)
    assert process.returncode != 0
    assert "vakt migrate" in printed
    assert "Worker running" not in printed and "Traceback" not in printed
