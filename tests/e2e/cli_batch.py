"""Many `vakt` commands in one process, each with its own stdout, stderr and exit code, as a
subprocess per command would give them.

The bad-input tables run dozens of commands; a process each pays the interpreter and the imports
(about a second of CPU) dozens of times. Here the entry point (`cli.main.main`) runs once per
command with its streams captured and its exit turned back into a code; a few commands of each
table still run as a real `vakt` process (tests/e2e/test_bad_input.py).

Usage: `python -m tests.e2e.cli_batch < commands.json` (a list of argument lists) prints a list
of {"returncode", "stdout", "stderr"}.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from types import SimpleNamespace


class _CurrentStderr(io.TextIOBase):
    """Logging's stream: whatever sys.stderr is now (a handler keeps the stream it was given)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)


class _Exit(BaseException):
    def __init__(self, code: int) -> None:
        self.code = code


def _exit(code: int = 0):
    raise _Exit(code)


def run(commands: list[list[str]]) -> list[dict]:
    import cli.main
    import cli.runner

    cli.runner.exit_now = _exit  # the real one ends the process at once (infra/process.py)
    logging.basicConfig(level=logging.WARNING, stream=_CurrentStderr(), format="%(levelname)s %(name)s: %(message)s")
    results = []
    for args in commands:
        out, err = io.StringIO(), io.StringIO()
        sys.argv = ["vakt", *args]
        code = 0
        with redirect_stdout(out), redirect_stderr(err):
            try:
                cli.main.main()
            except _Exit as e:
                code = e.code
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
        results.append({"returncode": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
    return results


def run_table(table: list[tuple], env: dict[str, str], *, real_every: int = 8) -> list:
    """Each (arguments, …) case's answer: every `real_every`-th from its own `vakt` process, the
    rest from one process running them all (`run` above)."""
    root = Path(__file__).resolve().parents[2]

    def alone(args: list[str]) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=root, env=env, capture_output=True,
                              text=True, timeout=120)

    real = {i for i in range(len(table)) if i % real_every == 0}
    batch = [case[0] for i, case in enumerate(table) if i not in real]
    done = subprocess.run([sys.executable, "-m", "tests.e2e.cli_batch"], cwd=root, env=env, input=json.dumps(batch),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    answers = iter(SimpleNamespace(**a) for a in json.loads(done.stdout))
    return [alone(case[0]) if i in real else next(answers) for i, case in enumerate(table)]


if __name__ == "__main__":
    json.dump(run(json.load(sys.stdin)), sys.stdout)
