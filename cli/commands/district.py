"""`vakt district import | show | doctors | set-policy | sync-rounds`: the district registry on the command line.

Parse, call a use case (app/registry/districts.py) through the CLI's one door (`cli.runner.call`), render. Every
free text is printed literally (cli.text); contact data only with `doctors --contacts`, masked
otherwise. Errors are one line on stderr, exit code 2 for bad input.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from app.periods.amend import sync_running_periods
from app.registry.districts import admin_actor
from app.registry.districts import doctors as list_doctors
from app.registry.districts import import_file
from app.registry.districts import set_policy as change_policy
from app.registry.districts import show_district
from app.registry.roll_import import schedule_rounds
from cli.runner import call, finish, os_user, print_json
from cli.text import plain, safe
from domain.clock import local_time

app = typer.Typer(
    help="The district registry: its doctors (with contact data, exemptions, absences), its policy and its history.",
    no_args_is_help=True,
)
# A terminal gets its own width; a pipe or file gets whole rows, not an 80-column squeeze.
out = Console(width=None if sys.stdout.isatty() else 200)

DistrictArg = Annotated[str, typer.Argument(help="District id, e.g. mosse")]
OperatorOpt = Annotated[str, typer.Option("--operator", help="Your name, recorded in the registry's history")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout, nothing else")]


def _actor(operator: str) -> str:
    return admin_actor(operator or os_user())


@app.command("import")
def import_district(
    file: Annotated[Path, typer.Argument(help="A registry CSV (docs/registry-csv.md) or a scenario JSON")],
    district: Annotated[str, typer.Option("--district", help="The district's id in the registry")],
    name: Annotated[str | None, typer.Option("--name", help="The district's name (a new district: default its id)")] = None,
    operator: OperatorOpt = "",
) -> None:
    """Import a district's whole roll: new doctors are added, changed ones updated, missing ones
    marked as left; every change is recorded with your name. One bad row and nothing is stored."""


    async def work(services):
        outcome = await import_file(services, district, file, name=name, actor=_actor(operator))
        return outcome, await schedule_rounds(services, outcome.district_id)

    result, schedule = call(work)
    verb = "created" if result.created else "updated"
    out.print(
        f"District {safe(result.district_id)} {verb}: {result.doctors} doctors in the file — {result.added} added, "
        f"{result.changed} changed, {result.unchanged} unchanged; {result.left} no longer in the file, marked as left.",
        highlight=False,
        soft_wrap=True,
    )
    if schedule == "unavailable":
        out.print("Schedule of rounds: not synced now (Temporal not reachable); run `vakt schedule sync` later.",
                  highlight=False, soft_wrap=True)
    else:
        out.print(f"Schedule of rounds {schedule}.", highlight=False, soft_wrap=True)
    out.print(f"See it with: vakt district show {safe(result.district_id)}", highlight=False, soft_wrap=True)
    finish(0)


def _value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _flat(document: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows = []
    for key, value in document.items():
        if isinstance(value, dict):
            rows += _flat(value, f"{prefix}{key}.")
        else:
            rows.append((prefix + key, value))
    return rows


@app.command("show")
def show(district: DistrictArg, as_json: JsonOpt = False) -> None:
    """A district: its name, how many doctors are on its roll, its next round and its policy."""

    view = call(lambda services: show_district(services, district))
    if as_json:
        print_json(view.model_dump(mode="json"))
        finish(0)
    roles = ", ".join(f"{n} {role}" for role, n in sorted(view.on_roll.items())) or "nobody"
    r = view.next_round
    lines = [
        f"District {safe(view.id)} — {safe(view.name)} ({safe(view.timezone)})",
        f"Doctors       {view.doctors} on record; on the roll today: {roles}; {view.joining} joining later; "
        f"{view.left} left; exempt today: {view.exempt_today}",
        f"Next round    {safe(r.period)} {r.start}–{r.end}: invitation {local_time(r.invitation_at)}, wishes due "
        f"{local_time(r.wishes_due)}, meeting {local_time(r.meeting_at)}, offering closes {local_time(r.offering_closes)} "
        "(R-PROC-5)",
        f"Changed       {local_time(view.updated_at)} (created {local_time(view.created_at)})",
        "Shift template",
        *(f"  {safe(line)}" for line in view.shift_template),
    ]
    for line in lines:
        out.print(line, highlight=False, soft_wrap=True)
    table = Table(title="Policy (change with vakt district set-policy)", title_justify="left")
    table.add_column("setting")
    table.add_column("value")
    for key, value in _flat(view.policy):
        table.add_row(plain(key), plain(_value(value)))
    out.print(table)
    finish(0)


@app.command("doctors")
def doctors(
    district: DistrictArg,
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Only doctors on the roll that day (YYYY-MM-DD)"),
    ] = None,
    contacts: Annotated[bool, typer.Option("--contacts", help="Show names and contact data (masked otherwise)")] = False,
    as_json: JsonOpt = False,
) -> None:
    """One row per doctor: role, qualified from (R-QUAL-1), exemptions in force by rule only,
    status. Contact data is masked unless you ask with --contacts."""

    day = as_of.date() if as_of else None
    rows = call(lambda services: list_doctors(services, district, as_of=day, contacts=contacts))
    if as_json:
        print_json([row.model_dump(mode="json") for row in rows])
        finish(0)
    title = f"Doctors of {district}" + (f" on the roll on {day.isoformat()}" if day else "")
    table = Table(title=plain(title), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ["id", "role", "qualified from", "exempt", "status"]:
        table.add_column(column, no_wrap=True)
    for column in ["name", "e-mail", "mobile"] if contacts else ["e-mail (masked)", "mobile (masked)"]:
        table.add_column(column)
    for row in rows:
        status = row.status
        if row.absent:
            status += ", absent"
        if row.stands_in_for:
            status += f", stands in for {row.stands_in_for}"
        cells = [
            row.id, row.role, row.qualified_from.isoformat() if row.qualified_from else "not yet",
            ", ".join(row.exemptions) or "—", status,
        ]
        cells += [row.contact[k] for k in (("name", "email", "mobile") if contacts else ("email", "mobile"))]
        table.add_row(*(plain(c) for c in cells))
    out.print(table)
    out.print(f"{len(rows)} doctors.", highlight=False)
    finish(0)


@app.command("set-policy")
def set_policy(
    district: DistrictArg,
    settings: Annotated[
        list[str],
        typer.Option("--set", help="NAME=VALUE, repeatable: rounds.meeting_weeks_before=6, carry.enabled=false …"),
    ],
    operator: OperatorOpt = "",
) -> None:
    """Change settings of the district's policy (validated as a whole; recorded with your name)."""


    async def work(services):
        return await change_policy(services, district, settings, _actor(operator))

    update = call(work)
    if not update.changes:
        out.print(f"Nothing changed: district {safe(district)} already has those settings.", highlight=False)
        finish(0)
    out.print(f"Policy of district {safe(district)} changed (recorded in its history):", highlight=False)
    for key, change in update.changes.items():
        out.print(
            f"  {safe(key)}: {safe(_value(change['old']))} → {safe(_value(change['new']))}",
            highlight=False, soft_wrap=True,
        )
    finish(0)


@app.command("sync-rounds")
def sync_rounds(district: DistrictArg, operator: OperatorOpt = "") -> None:
    """Bring every running round of the district whose meeting has not opened up to the
    registry: after a re-import, or when a decision did not reach a round. Recorded with your name."""

    results = call(lambda services: sync_running_periods(services, district, actor=_actor(operator)))
    if not results:
        out.print(f"Every running round of district {safe(district)} before its meeting is up to date.",
                  highlight=False)
        finish(0)
    for result in results:
        out.print(f"  {safe(result.period)} {safe(result.doctor or '')}: {safe(result.outcome)}", highlight=False)
    finish(0 if all(r.outcome == "amended" for r in results) else 1)
