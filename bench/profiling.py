"""Watching a server process during one part of a benchmark only (the sign-ins and the no-op
bar before the burst are left out): the CPU time it spent, and optionally a py-spy profile
(`pip install py-spy`) of where."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path


def cpu_seconds(pid: int) -> float:
    """User and system CPU of the process so far (Linux /proc), its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def watched(pid: int | None, profile: str | None = None, *, rate: int = 97) -> Iterator[dict]:
    """Yields a dict that gets `cpu_seconds` of `pid` over the block. With `profile` (a file),
    py-spy samples the process without pausing it (`--nonblocking`) and writes collapsed stacks
    (`-f raw`) there."""
    seen: dict = {}
    if pid is None:
        yield seen
        return
    spy = None
    if profile:
        exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        spy = subprocess.Popen(
            [exe, "record", "--nonblocking", "-r", str(rate), "-f", "raw", "-o", profile, "--pid", str(pid)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(1.0)  # attached before the first request
    before = cpu_seconds(pid)
    try:
        yield seen
    finally:
        seen["cpu_seconds"] = round(cpu_seconds(pid) - before, 3)
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            spy.wait(timeout=60)
