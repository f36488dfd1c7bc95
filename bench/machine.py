"""The machine a benchmark ran on, for its report: cores, CPU model, Python."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores, {model}, Python {platform.python_version()} ({platform.machine()}); "
            f"CPU probe {cpu_probe():.2f} s")


def cpu_probe() -> float:
    """Seconds one core takes for a fixed piece of pure Python (the sum of 10**7 squares): the
    same machine type is not always equally fast (a shared host), and single-process figures
    such as the read benchmark's follow this number. Best of three."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        sum(i * i for i in range(10**7))
        best = min(best, time.perf_counter() - started)
    return best
