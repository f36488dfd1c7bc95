"""`vakt` — the command line of Vaktfordeling.

    vakt demo                          run the bundled sample district end to end
    vakt simulate SCENARIO.json [--json]
    vakt roster PERIOD [--json]        the published roster, from PostgreSQL only
    vakt verify PERIOD [--json]        recompute the lottery from the stored events
    vakt explain PERIOD DOCTOR         why a doctor holds what they hold
    vakt worker                        run a worker (same as `python worker.py`)

Exit codes: 0 success, 1 failure, 2 bad input (nothing run, nothing written).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from infra.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Vaktfordeling: shift allocation for a legevakt.")
err = Console(stderr=True)
out = Console()

EXIT_BAD_INPUT = 2

STAGES = {
    "staff_assignments": "Entering staff shifts (R-PROC-2)",
    "advance_wishes": "Entering advance wishes (R-MEET-2)",
    "meeting_picks": "Meeting: GPs pick shifts (phase A)",
    "claims": "Offering board: claims (phase B)",
    "lottery": "Lottery and publication (phase C)",
}


def _finish(code: int) -> None:
    """Exit past interpreter teardown: temporalio's runtime threads can abort CPython's
    finalisation (sdk-python#300), turning a clean exit into SIGABRT."""
    from infra.process import exit_now

    exit_now(code)


def _bad_input(message: str) -> None:
    # Plain text, unwrapped: error lines are grepped and pasted into tickets.
    sys.stderr.write(f"vakt: error: {message}\n")
    _finish(EXIT_BAD_INPUT)


def _load_scenario(path: Path):
    from domain.scenario import ScenarioError, parse_scenario

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _bad_input(f"{path}: no such file")
    except json.JSONDecodeError as e:
        _bad_input(f"{path}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})")
    try:
        return parse_scenario(document)
    except ScenarioError as e:
        lines = "\n".join(f"  {p}" for p in e.problems)
        _bad_input(f"{path}: invalid scenario, nothing was run:\n{lines}")


def _progress(enabled: bool):
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


def _simulate(path: Path, as_json: bool, demo: bool = False) -> None:
    scenario = _load_scenario(path)
    from cli.render import print_summary
    from cli.simulate import LivePeriodError, run_simulation

    settings = Settings.from_env()
    show_progress = not as_json or err.is_terminal
    progress, report = _progress(show_progress)

    async def go():
        from worker import resolve_database_url

        url = await resolve_database_url(settings, say=(lambda _m: None) if as_json else err.print)
        if progress:
            progress.start()
        try:
            return await run_simulation(scenario, url, progress=report)
        finally:
            if progress:
                progress.stop()

    try:
        outcome = asyncio.run(go())
    except LivePeriodError as e:
        _bad_input(str(e))
    if as_json:
        sys.stdout.write(json.dumps(outcome.document, ensure_ascii=False, indent=1) + "\n")
        _finish(0)
    print_summary(out, outcome.document, seconds=outcome.seconds)
    period = outcome.document["period"]
    out.print(
        "\nWhere to look further:\n"
        f"  vakt roster {period}            the published roster, read from PostgreSQL\n"
        f"  vakt roster {period} --json     the same as JSON\n"
        f"  vakt simulate {path} --json   the full result document (draw pools, loads, rejections)\n"
        f"  vakt verify {period}            recompute every lottery draw from the stored events\n"
        f"  vakt explain {period} DOCTOR    why a doctor holds each shift, and their lottery pool status\n"
        f"  database: {settings.redacted_database_url()} (tables events, roster_entries, period_status)",
        highlight=False,
        soft_wrap=True,
    )
    _finish(0)


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
) -> None:
    """Run the bundled sample district (Mosseregionen-sized, fictional) end to end."""
    from app.samples import SAMPLE_PATH

    if not as_json:
        out.print(
            "[bold]Vaktfordeling demo[/bold]: a fictional Mosseregionen-sized district — 60 GPs in Moss, Råde, "
            "Vestby and Våler, 10 substitutes, 4 staff doctors — and a half-year of shifts, run through "
            "meeting → offering → lottery on a real Temporal workflow, with every event stored in PostgreSQL.\n"
        )
    _simulate(SAMPLE_PATH, as_json, demo=True)


def _read_stored(period: str, also=None):
    """Open the database (no Temporal), read the period's events, optionally more; exit 2 if
    the period is unknown, 1 if PostgreSQL is not reachable."""
    from cli.read_side import DatabaseUnavailable, open_read_store, report_unavailable
    from domain.events import parse_event

    settings = Settings.from_env()

    async def go():
        pool, store = await open_read_store(settings, say=None)
        try:
            stored = await store.read_stream(period)
            extra = await also(pool) if also and stored else None
            return [parse_event(e.data) for e in stored], extra
        finally:
            await pool.close()

    try:
        events, extra = asyncio.run(go())
    except DatabaseUnavailable as e:
        _finish(report_unavailable(e))
    if not events:
        _bad_input(f"no period {period!r} in the database ({settings.redacted_database_url()})")
    return events, extra


@app.command()
def verify(
    period: Annotated[str, typer.Argument(help="Period id")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Recompute every lottery draw from the stored events alone (R-LOT-4); exit 1 on a mismatch."""
    from domain.audit import verify_lottery

    events, _ = _read_stored(period)
    report = verify_lottery(events)
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=1) + "\n")
    elif report.ok:
        out.print(
            f"[green]OK[/green]: all {report.draws} draws and {report.uncovered} uncovered shifts of {period} "
            f"recomputed from the stored events with seed {report.seed} match.",
            soft_wrap=True,
        )
    else:
        detail = report.mismatch.describe() if report.mismatch else report.note
        out.print(f"[red]MISMATCH[/red] in {period}: {detail}", soft_wrap=True)
    _finish(0 if report.ok else 1)


@app.command()
def explain(
    period: Annotated[str, typer.Argument(help="Period id")],
    doctor: Annotated[str, typer.Argument(help="Doctor id")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the explanation as JSON")] = False,
) -> None:
    """Why a doctor holds each shift, and why they were or were not in the lottery pool."""
    from activities.rejections import RejectionLog
    from domain.explain import RejectedAction, explain_doctor

    events, rejected = _read_stored(period, also=lambda pool: RejectionLog(pool).for_doctor(period, doctor))
    try:
        explanation = explain_doctor(events, doctor, [RejectedAction(**r) for r in rejected or []])
    except LookupError as e:
        _bad_input(str(e))
    if as_json:
        sys.stdout.write(explanation.model_dump_json(indent=1) + "\n")
    else:
        sys.stdout.write(explanation.text())
    _finish(0)


@app.command()
def roster(
    period: Annotated[str, typer.Argument(help="Period id, e.g. mosse-2027-h1")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the roster document as JSON")] = False,
) -> None:
    """The roster of a period, read from PostgreSQL only (no worker or Temporal needed)."""
    from cli.render import print_summary
    from domain.calendar import PeriodCalendar
    from domain.roster import roster_document
    from domain.state import fold, lottery_draws

    events, _ = _read_stored(period)
    state = fold(events)
    document = roster_document(state, PeriodCalendar.from_config(state.require_config()), lottery_draws(events))
    if as_json:
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    else:
        if document["phase"] != "published":
            out.print(f"[yellow]Period {period} is not published yet (phase {document['phase']}).[/yellow]")
        print_summary(out, document)
    _finish(0)


# ---------------------------------------------------------------- live periods and operators


def _on_cluster(work):
    """Run `work(client, store, settings)` against Temporal and the database; map failures to exits."""
    from cli.live import Refused, StartRefused
    from cli.read_side import DatabaseUnavailable, open_read_store, report_unavailable
    from infra.temporal_client import TemporalUnavailable, connect_temporal

    settings = Settings.from_env()

    async def go():
        client = await connect_temporal(settings)
        pool, store = await open_read_store(settings, say=None)
        try:
            return await work(client, store, settings)
        finally:
            await pool.close()

    try:
        return asyncio.run(go())
    except TemporalUnavailable as e:
        sys.stderr.write(f"vakt: error: {e}\n")
        _finish(1)
    except DatabaseUnavailable as e:
        _finish(report_unavailable(e))
    except Refused as e:
        sys.stderr.write(f"vakt: refused: {e.rule}: {e.message}\n")
        _finish(1)
    except StartRefused as e:
        _bad_input(str(e))


OperatorOpt = Annotated[str, typer.Option("--operator", help="Your name, recorded with the action")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why, recorded with the action")]


@app.command()
def start(scenario: Annotated[Path, typer.Argument(help="Period definition (scenario format; scripted actions are ignored)")]) -> None:
    """Start a live period: its workflow runs the meeting, offering and lottery on their deadlines."""
    from cli.live import start_live_period

    parsed = _load_scenario(scenario)
    period = _on_cluster(lambda client, store, settings: start_live_period(client, store, settings, parsed))
    out.print(f"Started period {period}. Follow it with: vakt status {period}", soft_wrap=True)
    _finish(0)


@app.command()
def act(
    period: Annotated[str, typer.Argument(help="Period id")],
    kind: Annotated[str, typer.Argument(help="staff | wish | pick | claim")],
    doctor: Annotated[str, typer.Argument(help="Doctor id")],
    shift: Annotated[str, typer.Argument(help="Shift id, DATE/NAME")],
) -> None:
    """Submit a doctor's action: a staff entry, advance wish, meeting pick or offering claim."""
    from cli.live import ACTIONS, submit_action

    if kind not in ACTIONS:
        _bad_input(f"kind must be one of {', '.join(ACTIONS)}, not {kind!r}")
    result = _on_cluster(lambda client, store, settings: submit_action(client, store, period, kind, doctor, shift))
    out.print(f"Recorded: {result.doctor} holds {result.shift} ({result.source.value}), version {result.version}.")
    _finish(0)


@app.command()
def close(period: Annotated[str, typer.Argument(help="Period id")], operator: OperatorOpt, reason: ReasonOpt) -> None:
    """Close the current phase now instead of at its deadline (recorded, R-PROC-1)."""
    from cli.live import close_phase

    result = _on_cluster(lambda client, store, settings: close_phase(client, period, operator, reason))
    out.print(f"Closed {result.closed.value}; the period is now in phase {result.now.value}.")
    _finish(0)


@app.command()
def extend(
    period: Annotated[str, typer.Argument(help="Period id")],
    until: Annotated[datetime, typer.Option("--until", help="New deadline, Europe/Oslo wall-clock", formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"])],
    operator: OperatorOpt,
    reason: ReasonOpt,
) -> None:
    """Move the current step's deadline later (recorded with your name and reason)."""
    from cli.live import extend_deadline

    result = _on_cluster(lambda client, store, settings: extend_deadline(client, period, until, operator, reason))
    out.print(f"Deadline moved: phase {result.phase.value}, next deadline {result.next_deadline:%Y-%m-%d %H:%M}.")
    _finish(0)


@app.command()
def cancel(period: Annotated[str, typer.Argument(help="Period id")], operator: OperatorOpt, reason: ReasonOpt) -> None:
    """Cancel a round: nothing more is accepted and no roster is published (recorded)."""
    from cli.live import cancel_round

    _on_cluster(lambda client, store, settings: cancel_round(client, period, operator, reason))
    out.print(f"Period {period} cancelled.")
    _finish(0)


@app.command()
def restart(
    period: Annotated[str, typer.Argument(help="Period id")],
    apply: Annotated[bool, typer.Option("--apply", help="Carry out the plan (default: only explain it)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan (and outcome) as JSON")] = False,
) -> None:
    """Diagnose a stuck round and show the plan; with --apply, reset it or rebuild it from stored events."""
    from cli.restart import apply_restart, plan_restart
    from cli.status import diagnose

    async def work(client, store, settings):
        plan = await plan_restart(await diagnose(client, store, settings, period), store, client)
        done = await apply_restart(plan, client, store, settings) if apply else None
        return plan, done

    plan, done = _on_cluster(work)
    if as_json:
        sys.stdout.write(json.dumps({**plan.model_dump(mode="json"), "applied": done}, indent=1) + "\n")
    else:
        out.print(f"Period {period}: {plan.verdict}", soft_wrap=True)
        out.print(plan.explanation, soft_wrap=True)
        if done:
            out.print(f"Applied: {done}", soft_wrap=True)
        elif plan.action != "none":
            out.print(f"Dry run: nothing changed. Run `vakt restart {period} --apply` to do it.", soft_wrap=True)
    _finish(0)


@app.command()
def dev() -> None:
    """Local stack for trying the engine by hand: Temporal dev server + Web UI, PostgreSQL, worker."""
    import worker as worker_module

    worker_module.main()
    _finish(0)


@app.command()
def status(
    period: Annotated[str | None, typer.Argument(help="Period id; leave out to list every round")] = None,
    district: Annotated[str | None, typer.Option("--district", help="Only rounds of this district")] = None,
    phase: Annotated[
        str | None, typer.Option("--phase", help="Only rounds in this phase (meeting, offering, lottery, published, cancelled)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON")] = False,
) -> None:
    """Where every allocation round stands, or one round in detail and why it is stuck.
    Falls back to the PostgreSQL projection when no worker is running, and says so."""
    from cli.events import BadInput
    from cli.status import run_status

    try:
        code = run_status(
            Settings.from_env(), period, district=district, phase=phase, as_json=as_json, console=out,
            say=lambda m: err.print(m),
        )
    except BadInput as e:
        _bad_input(str(e))
    _finish(code)


@app.command()
def events(
    period: Annotated[str, typer.Argument(help="Period id")],
    types: Annotated[
        list[str] | None, typer.Option("--type", help="Only events of this type (repeatable), e.g. LotteryDrawn")
    ] = None,
    doctor: Annotated[
        str | None, typer.Option("--doctor", help="Only events naming this doctor (took, drawn, or in a draw's pool)")
    ] = None,
    after_version: Annotated[int, typer.Option("--after-version", min=0, help="Start after this version")] = 0,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="Events per page")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print the page as JSON")] = False,
) -> None:
    """The period's stored event log, from PostgreSQL (no worker or Temporal needed), one page at a time."""
    from cli.events import BadInput, run_events

    try:
        code = run_events(
            Settings.from_env(), period, types=types, doctor=doctor, after_version=after_version, limit=limit,
            as_json=as_json, console=out, say=lambda m: err.print(m),
        )
    except BadInput as e:
        _bad_input(str(e))
    _finish(code)


@app.command()
def worker() -> None:
    """Run a worker: TEMPORAL_ADDRESS/DATABASE_URL when set, else the embedded defaults."""
    import worker as worker_module

    worker_module.main()
    _finish(0)


def main() -> None:
    from infra.process import install_temporal_runtime

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    install_temporal_runtime()
    try:
        app(standalone_mode=False)
    except typer.Exit as e:
        _finish(e.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        _finish(130)
    except Exception as e:
        # Usage errors (typer's vendored click) know how to show themselves and exit with 2.
        if hasattr(e, "show") and hasattr(e, "exit_code"):
            e.show()
            _finish(e.exit_code)
        raise
    _finish(0)


if __name__ == "__main__":
    main()
