"""`vakt district …` as a user runs it: a subprocess against a fresh PostgreSQL deployed by
`vakt migrate`. The sample district's CSV (74 doctors), a CSV with three bad rows, a re-import
that changes one e-mail, a policy change, and bad input for every command."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from tests.e2e.test_cli import ROOT, SAMPLE, vakt
from tests.e2e.cli_batch import run_table
from tests.helpers.support import bad_input_problems

SAMPLE_CSV = ROOT / "app" / "data" / "sample-mosse-registry.csv"
LONG_ID = "d" * 10_000
TABLES = ("districts", "district_doctors", "district_changes")


def _rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(SAMPLE_CSV.read_text(encoding="utf-8"))))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


async def _query(url: str, sql: str, *args):
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def _counts(url: str) -> dict[str, int]:
    return {t: (await _query(url, f"SELECT count(*) AS n FROM {t}"))[0]["n"] for t in TABLES}


def _one_line(run: subprocess.CompletedProcess) -> str:
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vakt: "), run.stderr[-500:]
    assert "Traceback" not in run.stderr and run.stdout == ""
    return lines[0]


async def test_import_of_the_sample_csv_stores_every_doctor(database_url):
    """Must show: 74 doctors from a CSV, all stored; contact data masked unless asked for."""
    run = vakt("district", "import", str(SAMPLE_CSV), "--district", "mosse", "--operator", "Kari Nordmann",
               database_url=database_url)
    assert run.returncode == 0, run.stderr
    assert "District mosse created: 74 doctors in the file — 74 added" in run.stdout
    rows = await _query(database_url, "SELECT doctor_id, role, email FROM district_doctors WHERE district_id = 'mosse'")
    assert len(rows) == 74
    assert {r["doctor_id"] for r in rows} == {row["id"] for row in _rows()}
    assert {r["email"] for r in rows} == {row["email"] for row in _rows()}
    actors = await _query(database_url, "SELECT DISTINCT actor FROM district_changes")
    assert [a["actor"] for a in actors] == ["admin:Kari Nordmann"]

    listed = vakt("district", "doctors", "mosse", "--json", database_url=database_url)
    assert listed.returncode == 0, listed.stderr
    doctors = json.loads(listed.stdout)
    assert len(doctors) == 74 and {d["role"] for d in doctors} == {"gp", "substitute", "staff"}
    assert "@moss-legesenter" not in listed.stdout and "+4747242269" not in listed.stdout  # masked
    moss03 = next(d for d in doctors if d["id"] == "moss03")
    assert moss03["exemptions"] == ["R-EX-1"] and "age_over_60" not in listed.stdout  # by rule only
    table = vakt("district", "doctors", "mosse", "--contacts", database_url=database_url)
    assert table.returncode == 0 and "heidi.larsen@moss-legesenter.example.no" in table.stdout
    shown = vakt("district", "show", "mosse", "--json", database_url=database_url)
    view = json.loads(shown.stdout)
    assert view["doctors"] == 74 and view["next_round"]["period"].startswith("mosse-")


async def test_a_csv_with_three_bad_rows_exits_2_names_them_and_stores_nothing(database_url, tmp_path):
    """Must show: exit 2, the three rows and their columns on one line, nothing stored, no bad value shown."""
    good = vakt("district", "import", str(SAMPLE_CSV), "--district", "mosse", database_url=database_url)
    assert good.returncode == 0, good.stderr
    rows = _rows()
    rows[2]["mobile"] = "55512345"  # row 4
    rows[7]["email"] = "per.hansen-at-example.no"  # row 9
    rows[18]["exemptions"] = "health 2027-01-04..2027-06-30 granted"  # row 20: R-EX-2 without a decision
    bad = _write(tmp_path / "three-bad-rows.csv", rows)
    before = await _counts(database_url)
    for district in ("mosse", "ny"):  # a re-import, and a new district
        run = vakt("district", "import", str(bad), "--district", district, database_url=database_url)
        assert run.returncode == 2
        line = _one_line(run)
        assert (
            "3 bad rows, nothing was stored: "
            "row 4 column mobile: not a Norwegian mobile number; "
            "row 9 column email: not a valid e-mail address; "
            "row 20 column exemptions: entry 1: R-EX-2: a granted exemption records who decided it and when"
        ) in line
        assert "55512345" not in run.stderr and "per.hansen" not in run.stderr
    assert await _counts(database_url) == before


async def test_a_reimport_that_changes_one_email_records_one_change(database_url, tmp_path):
    """Must show: who made the change, when, and what (the field, its old and new value)."""
    first = vakt("district", "import", str(SAMPLE_CSV), "--district", "mosse", "--operator", "Kari Nordmann",
                 database_url=database_url)
    assert first.returncode == 0, first.stderr
    rows = _rows()
    old = rows[0]["email"]
    rows[0]["email"] = "heidi.larsen@ny-adresse.example.no"
    changed = _write(tmp_path / "changed.csv", rows)
    started = datetime.now(UTC)
    run = vakt("district", "import", str(changed), "--district", "mosse", "--operator", "Ola Nordmann",
               database_url=database_url)
    assert run.returncode == 0, run.stderr
    assert "0 added, 1 changed, 73 unchanged; 0 no longer in the file" in run.stdout
    history = await _query(
        database_url, "SELECT doctor_id, action, actor, changed_at, changes FROM district_changes WHERE changed_at >= $1",
        started,
    )
    assert len(history) == 1
    change = history[0]
    assert (change["doctor_id"], change["action"], change["actor"]) == (rows[0]["id"], "changed", "admin:Ola Nordmann")
    assert started <= change["changed_at"] <= datetime.now(UTC)
    assert json.loads(change["changes"]) == {"email": {"old": old, "new": "heidi.larsen@ny-adresse.example.no"}}


async def test_a_scenario_imports_and_set_policy_is_validated_and_recorded(database_url):
    run = vakt("district", "import", str(SAMPLE), "--district", "mosse", "--name", "Moss [bold]og omegn[/bold]",
               "--operator", "Kari", database_url=database_url)
    assert run.returncode == 0, run.stderr
    assert "74 added" in run.stdout
    policy = vakt("district", "set-policy", "mosse", "--set", "rounds.meeting_weeks_before=6", "--set", "carry.enabled=false",
                  "--operator", "Kari", database_url=database_url)
    assert policy.returncode == 0, policy.stderr
    assert "rounds.meeting_weeks_before: 5 → 6" in policy.stdout and "carry.enabled: true → false" in policy.stdout
    shown = vakt("district", "show", "mosse", database_url=database_url, )
    assert shown.returncode == 0, shown.stderr
    assert "Moss [bold]og omegn[/bold]" in shown.stdout  # markup shown literally
    view = json.loads(vakt("district", "show", "mosse", "--json", database_url=database_url).stdout)
    assert view["policy"]["rounds"]["meeting_weeks_before"] == 6 and view["policy"]["carry"]["enabled"] is False
    recorded = await _query(database_url, "SELECT actor, changes FROM district_changes WHERE doctor_id IS NULL ORDER BY change_id")
    assert recorded[-1]["actor"] == "admin:Kari"
    assert json.loads(recorded[-1]["changes"]) == {
        "policy.carry.enabled": {"old": True, "new": False},
        "policy.rounds.meeting_weeks_before": {"old": 5, "new": 6},
    }


def _bad_files(tmp: Path) -> dict[str, Path]:
    files = {"dir": tmp / "a-directory"}
    files["dir"].mkdir()
    (tmp / "binary.csv").write_bytes(bytes(range(256)) * 40)
    files["binary"] = tmp / "binary.csv"
    files["huge"] = tmp / "huge.csv"
    with files["huge"].open("wb") as f:  # sparse: 33 MB without writing them
        f.truncate(33 * 1024 * 1024)
    files["headless"] = tmp / "headless.csv"
    files["headless"].write_text(SAMPLE_CSV.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    scenario = json.loads(SAMPLE.read_text())
    bad = copy.deepcopy(scenario)
    bad["doctors"][3]["mobile"] = "12345"
    files["scenario"] = tmp / "bad-scenario.json"
    files["scenario"].write_text(json.dumps(bad))
    files["truncated"] = tmp / "truncated.json"
    files["truncated"].write_text(json.dumps(scenario)[:-300])
    return files


def cases(files: dict[str, Path]) -> list[tuple[list[str], str]]:
    f = {k: str(v) for k, v in files.items()}
    csv_ = str(SAMPLE_CSV)
    return [
        (["district", "show", "nope"], "no district 'nope'"),
        (["district", "doctors", "nope"], "no district 'nope'"),
        (["district", "set-policy", "nope", "--set", "carry.enabled=false"], "no district 'nope'"),
        (["district", "sync-rounds", "nope"], "no district 'nope'"),
        (["district", "sync-rounds", LONG_ID], "DISTRICT: longer than 64 characters"),
        (["district", "show", LONG_ID], "DISTRICT: longer than 64 characters"),
        (["district", "doctors", LONG_ID], "DISTRICT: longer than 64 characters"),
        (["district", "set-policy", LONG_ID, "--set", "carry.enabled=false"], "DISTRICT: longer than 64 characters"),
        (["district", "import", csv_, "--district", LONG_ID], "--district: longer than 64 characters"),
        (["district", "show", "mo\x1b[2Jsse"], "DISTRICT: not a district id"),
        (["district", "import", f["dir"], "--district", "ny"], "is a directory, not a registry file"),
        (["district", "import", f["binary"], "--district", "ny"], "not a text file (byte 128 is not UTF-8)"),
        (["district", "import", f["huge"], "--district", "ny"], "a registry CSV may be at most 33,554,432 bytes"),
        (["district", "import", str(files["dir"] / "absent.csv"), "--district", "ny"], "no such file"),
        (["district", "import", f["headless"], "--district", "ny"], "not a registry CSV, nothing was stored: header: column 1"),
        (["district", "import", f["scenario"], "--district", "ny"], "doctors[3].mobile: not a Norwegian mobile number"),
        (["district", "import", f["truncated"], "--district", "ny"], "not valid JSON"),
        (["district", "import", csv_, "--district", "ny", "--name", "Moss \x1b[2J"], "--name: contains control characters"),
        (["district", "import", csv_, "--district", "ny", "--operator", "\x1b[31mKari"], "--operator: contains control characters"),
        (["district", "import", csv_], "Missing option '--district'"),
        (["district", "set-policy", "mosse", "--set", "rounds.meeting_weeks_before=60"],
         "rounds.meeting_weeks_before: Input should be less than or equal to 26"),
        (["district", "set-policy", "mosse", "--set", "rounds.sekret=1"], "setting 1: no policy setting of that name"),
        (["district", "set-policy", "mosse", "--set", "carry.enabled=\x1b[2J"], "contains control characters"),
        (["district", "set-policy", "mosse"], "Missing option '--set'"),
        (["district", "doctors", "mosse", "--as-of", "yesterday"], "Invalid value for '--as-of'"),
    ]


async def test_bad_input_to_every_district_command_gets_one_line_exit_2_and_writes_nothing(database_url, tmp_path):
    good = vakt("district", "import", str(SAMPLE_CSV), "--district", "mosse", database_url=database_url)
    assert good.returncode == 0, good.stderr
    env = {**os.environ, "DATABASE_URL": database_url, "COLUMNS": "200"}
    table = cases(_bad_files(tmp_path))
    before = await _counts(database_url)

    runs = run_table(table, env)
    assert await _counts(database_url) == before
    problems = bad_input_problems(table, runs)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("command", ["show", "doctors"])
def test_text_with_markup_from_the_registry_is_shown_literally(database_url, tmp_path, command):
    rows = _rows()
    rows[0]["name"] = "Heidi [red]Larsen[/red] \\[x]"
    path = _write(tmp_path / "markup.csv", rows)
    run = vakt("district", "import", str(path), "--district", "mosse", "--name", "[bold]Mosse[/bold]", database_url=database_url)
    assert run.returncode == 0, run.stderr
    args = ["district", command, "mosse"] + (["--contacts"] if command == "doctors" else [])
    shown = vakt(*args, database_url=database_url)
    assert shown.returncode == 0, shown.stderr
    expected = "Heidi [red]Larsen[/red] \\[x]" if command == "doctors" else "[bold]Mosse[/bold]"
    assert expected in shown.stdout
