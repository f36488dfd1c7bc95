"""`vakt simulate` and `vakt demo`: a scenario, the bundled sample district, or N years of
scheduled rounds, run on the time-skipping test server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.documents import read_scenario
from app.demo.samples import SAMPLE_PATH
from cli.render import print_summary
from cli.runner import call, err, finish, out, print_json, say
from cli.text import safe

app = typer.Typer()

STAGES = {
    "staff_assignments": "Entering staff shifts (R-PROC-2)",
    "advance_wishes": "Entering advance wishes (R-MEET-2)",
    "meeting_picks": "Meeting: GPs pick shifts (phase A)",
    "claims": "Offering board: claims (phase B)",
    "lottery": "Lottery and publication (phase C)",
}

Report = Callable[[str, int, int], None]


def _progress(enabled: bool) -> tuple[Progress | None, Report | None]:
    if not enabled:
        return None, None
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
        transient=False,
    )
    tasks: dict[str, int] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(STAGES.get(stage, stage), total=max(total, 1))
        progress.update(tasks[stage], completed=done)

    return progress, report


def _simulate(path: Path, as_json: bool) -> None:
    # Lazy: the simulation brings the time-skipping test server and embedded PostgreSQL,
    # needed only by `simulate` and `demo` (CLI start-up time).
    from app.demo.simulation import run_simulation

    progress, report = _progress(not as_json or err.is_terminal)

    async def work(services):
        scenario = read_scenario(path)  # every bad input is reported before anything starts
        await services.simulation_database()
        if progress:
            progress.start()
        try:
            return await run_simulation(services, scenario, progress=report), services.settings
        finally:
            if progress:
                progress.stop()

    outcome, settings = call(work, say=say(as_json))
    if as_json:
        print_json(outcome.document)
        finish(0)
    print_summary(out, outcome.document, seconds=outcome.seconds)
    period = safe(outcome.document["period"])
    out.print(
        "\nWhere to look further:\n"
        f"  vakt roster {period}            the published roster, read from PostgreSQL\n"
        f"  vakt roster {period} --json     the same as JSON\n"
        f"  vakt simulate {safe(path)} --json   the full result document (draw pools, loads, rejections)\n"
        f"  vakt verify {period}            recompute every lottery draw and check the log's hash chain\n"
        f"  vakt explain {period} DOCTOR    why a doctor holds each shift, and their lottery pool status\n"
        f"  database: {safe(settings.redacted_database_url())} (schema simulation: events, roster_entries, period_status)\n"
        "Next: `vakt dev` runs a live round of the sample district with the web service; it prints the address and a sample doctor to sign in as.",
        highlight=False,
        soft_wrap=True,
    )
    finish(0)


@app.command()
def simulate(
    scenario: Annotated[Path, typer.Argument(help="Scenario JSON (docs/scenario-format.md)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result document on stdout, nothing else")] = False,
) -> None:
    """Run a scenario through the real workflow on the time-skipping test server."""
    _simulate(scenario, as_json)


@app.command()
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result document instead of the summary")] = False,
    years: Annotated[
        int, typer.Option("--years", min=0, max=5, help="Run N years of scheduled rounds instead: fairness across periods")
    ] = 0,
) -> None:
    """Run the bundled sample district (Mosseregionen-sized, fictional) end to end; with --years,
    consecutive half-years from the schedule's starter, with carry-over on and off (R-LOAD-1)."""
    if years:
        _multi_year(years, as_json)

    if not as_json:
        out.print(
            "[bold]Vaktfordeling demo[/bold]: a fictional Mosseregionen-sized district — 60 GPs in Moss, Råde, "
            "Vestby and Våler, 10 substitutes, 4 staff doctors — and a half-year of shifts, run through "
            "meeting → offering → lottery on a real Temporal workflow, with every event stored in PostgreSQL.\n"
        )
    _simulate(SAMPLE_PATH, as_json)


def _multi_year(years: int, as_json: bool) -> None:
    # Lazy: the multi-year demo brings the time-skipping test server and embedded PostgreSQL,
    # needed only by `demo --years` (CLI start-up time); its renderer imports it.
    from app.demo.multiyear import multi_year
    from cli.render_multiyear import render_multi_year

    if not as_json:
        out.print(
            f"[bold]Fairness across periods[/bold] (R-LOAD-1): the sample district, {2 * years} half-years from the "
            "scheduled round starter, once with carry-over and once without; doctors join and leave and new "
            "exemptions arrive between the rounds.\n"
        )
    report = call(lambda services: multi_year(services, years=years, progress=say(as_json)), say=say(as_json))
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        render_multi_year(out, report)
    finish(0)
