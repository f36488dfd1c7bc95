"""Session-wide real servers for the fault tests, a worker factory that never leaks a process,
and the undisturbed run every disturbed round is compared with."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from temporalio.client import Client

from adapters.postgres.schema import create_pool, migrate
from tests.faults.crash_worker import CRASH_ENV
from tests.helpers.support import TEST_KEYS_ENV
from tests.faults.processes import Postgres, TemporalDevServer, WorkerProcess
from tests.faults.harness import Round, Schedule, StoredRound


@dataclass
class FaultEnv:
    temporal: TemporalDevServer
    postgres: Postgres
    client: Client
    workdir: Path

    @property
    def database_url(self) -> str:
        assert self.postgres.url is not None
        return self.postgres.url

    def env(self, task_queue: str, **extra: str) -> dict[str, str]:
        """Environment of a worker or a `vakt` command talking to these servers."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "DATABASE_URL", "VAKT_"))}
        env.update(
            TEMPORAL_ADDRESS=self.temporal.address,
            TEMPORAL_NAMESPACE="default",
            DATABASE_URL=self.database_url,
            TEMPORAL_TASK_QUEUE=task_queue,
            VAKT_DATA_DIR=str(self.workdir / "vakt-data"),  # never the user's data dir
            VAKT_PAYLOAD_KEYS=TEST_KEYS_ENV,  # the same key as the tests' client
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env


@pytest.fixture(scope="session")
async def fault_env(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FaultEnv]:
    workdir = tmp_path_factory.mktemp("faults")
    # Short path (the socket lives in pgdata), and outside pytest's basetemp, which another
    # pytest session on the machine may prune while this server runs.
    pg_dir = Path(tempfile.mkdtemp(prefix="vakt-fpg-"))
    postgres = Postgres(pg_dir)
    temporal = TemporalDevServer(workdir / "temporal")
    try:
        postgres.start_first()
        await _deploy_schema(postgres.url)
        client = await temporal.start()
        yield FaultEnv(temporal, postgres, client, workdir)
    finally:
        await temporal.stop()
        postgres.close()
        shutil.rmtree(pg_dir, ignore_errors=True)


async def _deploy_schema(url: str) -> None:
    """What `vakt migrate` does at deployment: workers only connect, they never migrate."""
    pool = await create_pool(url, min_size=1, max_size=1)
    try:
        await migrate(pool)
    finally:
        await pool.close()


class Workers:
    """Starts worker subprocesses for one test and kills every one of them at teardown."""

    def __init__(self, fault_env: FaultEnv, task_queue: str, log_dir: Path) -> None:
        self.fault_env = fault_env
        self.task_queue = task_queue
        self.log_dir = log_dir
        self.started: list[WorkerProcess] = []

    def spawn(self, name: str, *, bad: bool = False, **extra_env: str) -> WorkerProcess:
        if bad:
            argv = [sys.executable, "-m", "tests.faults.bad_worker"]
        elif CRASH_ENV in extra_env:  # only the crash worker installs the crash-after-commit hook
            argv = [sys.executable, "-m", "tests.faults.crash_worker"]
        else:
            argv = None
        w = WorkerProcess(name, self.log_dir, self.fault_env.env(self.task_queue, **extra_env), argv)
        self.started.append(w.start())
        return w

    async def ready(self, name: str, *, bad: bool = False, **extra_env: str) -> WorkerProcess:
        w = self.spawn(name, bad=bad, **extra_env)
        await w.wait_ready()
        return w

    def logs(self, lines: int = 25) -> str:
        return "\n".join(w.tail(lines) for w in self.started[-3:])

    def kill_all(self) -> None:
        for w in self.started:
            try:
                w.kill()
            except Exception:  # noqa: BLE001 - keep killing the others
                pass


@contextmanager
def _workers(fault_env: FaultEnv, tmp_path: Path, label: str) -> Iterator[Workers]:
    workers = Workers(fault_env, f"faults-{label}-{uuid.uuid4().hex[:8]}", tmp_path)
    try:
        yield workers
    finally:
        workers.kill_all()


@pytest.fixture
def workers(fault_env: FaultEnv, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Workers]:
    with _workers(fault_env, tmp_path, request.node.name.removeprefix("test_")[:20]) as w:
        yield w


def new_round(fault_env: FaultEnv, workers: Workers, label: str, schedule: Schedule) -> Round:
    return Round(
        client=fault_env.client,
        period_id=f"faults-{label}-{uuid.uuid4().hex[:6]}",
        task_queue=workers.task_queue,
        schedule=schedule,
        logs=workers.logs,
    )


@pytest.fixture(scope="session")
async def baseline(fault_env: FaultEnv, tmp_path_factory: pytest.TempPathFactory) -> StoredRound:
    """The undisturbed run of the example scenario, once per session, under its own period id."""
    with _workers(fault_env, tmp_path_factory.mktemp("baseline"), "baseline") as workers:
        await workers.ready("w1")
        rnd = new_round(fault_env, workers, "baseline", Schedule())
        started = time.monotonic()
        result = await rnd.play_undisturbed()
        stored = await StoredRound.load(fault_env.database_url, rnd)
        stored.check_intact()
        assert result.phase.value == "published" and result.version == len(stored.events)
        print(f"\nundisturbed run {rnd.period_id}: {len(stored.events)} events, "
              f"{len(stored.rejected)} refused, {time.monotonic() - started:.1f}s, marks {rnd.marks}")
        return stored
