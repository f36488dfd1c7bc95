"""`vakt vacancy` refuses bad input with one line naming the field and exit 2, before anything
reaches the database or a workflow (R-VAC-1/R-VAC-3 use cases, app/periods/vacancies.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers.support import bad_input_problems

VAKT = Path(sys.executable).with_name("vakt")
TABLE = [
    (["vacancy", "declare", "bad/id", "2027-01-05/night", "--reason", "syk"], "period: not an id"),
    (["vacancy", "declare", "p1", "nonsense", "--reason", "syk"], "shift:"),
    (["vacancy", "declare", "p1", "2027-01-05/night", "--reason", " "], "reason: missing"),
    (["vacancy", "declare", "p1", "2027-01-05/night"], "Missing option '--reason'"),
    (["vacancy", "assign", "p1", "not a vacancy!", "gp01", "--reason", "ringt"], "vacancy: not a vacancy id"),
    (["vacancy", "assign", "p1", "abc", "gp01", "--reason", "x" * 201], "reason: longer than 200 characters"),
    (["vacancy", "assign", "p1", "abc", "gp01", "--reason", "syk \x1b[2J"], "reason: contains control characters"),
]


def test_bad_input_to_vakt_vacancy_gets_one_line_and_exit_2(tmp_path):
    env = {**os.environ, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "VAKT_DATA_DIR": str(tmp_path),
           "COLUMNS": "200"}
    runs = [subprocess.run([str(VAKT), *args], capture_output=True, text=True, env=env, timeout=60) for args, _ in TABLE]
    problems = bad_input_problems(TABLE, runs)
    assert not problems, "\n".join(problems)
