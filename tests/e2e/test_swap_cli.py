"""`vakt swap` (R-SWAP-2) with bad input, as typed: one line on stderr naming the field, exit
code 2, nothing started — checked before any server is asked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

VAKT = str(Path(sys.executable).parent / "vakt")


def vakt(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TEMPORAL_ADDRESS": "127.0.0.1:1", "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    return subprocess.run([VAKT, "swap", *args], capture_output=True, text=True, timeout=60, env=env)


def test_r_swap_2_cli_bad_input_exits_2_naming_the_field():
    cases = {
        ("reject", "demo-2027-h1", "abc-123", "--reason", " ", "--operator", "Kari"): "reason",
        ("approve", "demo-2027-h1", "not a swap id!", "--operator", "Kari"): "swap",
        ("carry-out", "demo-2027-h1", "2027-01-09/day", "gp 05", "sub02", "--reason", "syk", "--operator", "Kari"): "giver",
        ("carry-out", "demo-2027-h1", "yesterday", "gp05", "sub02", "--reason", "syk", "--operator", "Kari"): "shift",
    }
    for args, field in cases.items():
        done = vakt(*args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and field in lines[0] and "Traceback" not in done.stderr, (args, done.stderr)
