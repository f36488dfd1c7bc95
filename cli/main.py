"""`vakt` — the command line of Vaktfordeling: parse, call a use case (app/), render.

Exit codes: 0 success, 1 failure (a service unreachable, a check that failed), 2 bad input or a
refusal (nothing run, nothing written). Every error is one line on stderr, never a traceback
(set VAKT_DEBUG=1 to see one for an unexpected error).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from app.errors import VaktError
from cli.text import safe, visible

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Vaktfordeling: shift allocation for a legevakt.")
err = Console(stderr=True)
out = Console()

T = TypeVar("T")
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


def _fail(message: str, code: int, prefix: str = "error") -> None:
    # Plain text, one line: error lines are grepped and pasted into tickets.
    sys.stderr.write(f"vakt: {prefix}: {visible(message)}\n")
    _finish(code)


def _call(work: Callable[[Any], Awaitable[T]], *, say: Callable[[str], None] | None = None) -> T:
    """The one door from the CLI into the application: bootstrap, run `work(services)`, and map
    every error to one line and an exit code."""
    from app.bootstrap import bootstrap
    from app.errors import Refused

    async def go() -> T:
        async with bootstrap(say=say) as services:
            return await work(services)

    try:
        return asyncio.run(go())
    except Refused as e:
        _fail(e.message, e.exit_code, "refused")
    except VaktError as e:
        _fail(e.message, e.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as e:  # noqa: BLE001 - a bug: one line for the operator, the trace on request
        if os.environ.get("VAKT_DEBUG"):
            raise
        logging.getLogger("vakt").debug("unexpected error", exc_info=True)
        _fail(f"internal error ({type(e).__name__}); run again with VAKT_DEBUG=1 for details", 1)
    raise AssertionError("unreachable")


def _say(as_json: bool) -> Callable[[str], None] | None:
    return None if as_json else (lambda m: err.print(safe(m), soft_wrap=True))


def _json(document: Any) -> None:
    # Plain write: rich would wrap long lines and insert markup into a JSON document.
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=1, default=str) + "\n")


# --------------------------------------------------------------------------- simulate, demo


def _progress(enabled: bool):
    if not enabled:
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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
    from app.documents import read_scenario
    from app.demo.simulation import run_simulation
    from cli.render import print_summary

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

    outcome, settings = _call(work, say=_say(as_json))
    if as_json:
        _json(outcome.document)
        _finish(0)
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
    years: Annotated[
        int, typer.Option("--years", min=0, max=5, help="Run N years of scheduled rounds instead: fairness across periods")
    ] = 0,
) -> None:
    """Run the bundled sample district (Mosseregionen-sized, fictional) end to end; with --years,
    consecutive half-years from the schedule's starter, with carry-over on and off (R-LOAD-1)."""
    from app.demo.samples import SAMPLE_PATH

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
    from app.demo.multiyear import multi_year
    from cli.render_multiyear import render_multi_year

    if not as_json:
        out.print(
            f"[bold]Fairness across periods[/bold] (R-LOAD-1): the sample district, {2 * years} half-years from the "
            "scheduled round starter, once with carry-over and once without; doctors join and leave and new "
            "exemptions arrive between the rounds.\n"
        )
    report = _call(lambda services: multi_year(services, years=years, progress=_say(as_json)), say=_say(as_json))
    if as_json:
        _json(report.model_dump(mode="json"))
    else:
        render_multi_year(out, report)
    _finish(0)


# ------------------------------------------------------------------------ read the record


@app.command()
def verify(
    period: Annotated[str, typer.Argument(help="Period id")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Check the log's hash chain and recompute every lottery draw from the stored events
    (R-LOT-4); exit 1 and name the first difference when anything was altered."""
    from app.reads.stored import verify as verify_period

    report = _call(lambda services: verify_period(services, period), say=_say(as_json))
    if as_json:
        _json(report.model_dump(mode="json"))
        _finish(0 if report.ok else 1)
    chain, lottery = report.chain, report.lottery
    if not chain.ok:
        out.print(f"[red]TAMPERED[/red]: {safe(chain.describe())}", soft_wrap=True)
    else:
        out.print(f"[green]OK[/green]: {safe(chain.describe())}.", soft_wrap=True)
    if lottery.seed is None:
        out.print(f"No lottery has been held in {safe(report.period)} yet.", soft_wrap=True)
    elif lottery.ok:
        out.print(
            f"[green]OK[/green]: all {lottery.draws} draws and {lottery.uncovered} uncovered shifts of "
            f"{safe(report.period)} recomputed from the stored events with seed {lottery.seed} match.",
            soft_wrap=True,
        )
    else:
        detail = lottery.mismatch.describe() if lottery.mismatch else lottery.note
        out.print(f"[red]MISMATCH[/red] in {safe(report.period)}: {safe(detail)}", soft_wrap=True)
    _finish(0 if report.ok else 1)


@app.command()
def explain(
    period: Annotated[str, typer.Argument(help="Period id")],
    doctor: Annotated[str, typer.Argument(help="Doctor id")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the explanation as JSON")] = False,
) -> None:
    """Why a doctor holds each shift, and why they were or were not in the lottery pool."""
    from app.reads.stored import explain as explain_doctor

    explanation = _call(lambda services: explain_doctor(services, period, doctor), say=_say(as_json))
    if as_json:
        sys.stdout.write(explanation.model_dump_json(indent=1) + "\n")
    else:
        sys.stdout.write(visible(explanation.text()))
    _finish(0)


@app.command()
def roster(
    period: Annotated[str, typer.Argument(help="Period id, e.g. mosse-2027-h1")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the roster document as JSON")] = False,
) -> None:
    """The roster of a period, read from PostgreSQL only (no worker or Temporal needed)."""
    from app.reads.stored import roster as roster_of
    from cli.render import print_summary

    document = _call(lambda services: roster_of(services, period), say=_say(as_json))
    if as_json:
        _json(document)
        _finish(0)
    if document["phase"] != "published":
        out.print(f"[yellow]Period {safe(period)} is not published yet (phase {document['phase']}).[/yellow]")
    print_summary(out, document)
    _finish(0)


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
    from app.reads.events import event_log
    from cli.render_events import render_events

    page = _call(
        lambda services: event_log(
            services, period, types=types, doctor=doctor, after_version=after_version, limit=limit
        ),
        say=_say(as_json),
    )
    if as_json:
        _json(page)
    else:
        render_events(out, page)
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
    from app.reads.status import round_status
    from cli.render_status import render_status

    report = _call(lambda services: round_status(services, period, district=district, phase=phase), say=_say(as_json))
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=1) + "\n")
    else:
        render_status(out, report)
    _finish(0)


# ---------------------------------------------------------------- live periods and operators

OperatorOpt = Annotated[str, typer.Option("--operator", help="Your name, recorded with the action")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why, recorded with the action")]


@app.command()
def start(
    scenario: Annotated[Path, typer.Argument(help="Period definition (scenario format; scripted actions are ignored)")],
    operator: Annotated[str, typer.Option("--operator", help="Your name, recorded as who started it")] = "",
) -> None:
    """Start a live period: its workflow runs the meeting, offering and lottery on their deadlines."""
    from app.documents import read_scenario
    from app.periods.live import operator_actor, start_period
    from domain import actors
    from domain.scenario import to_period_config

    async def work(services):
        config = to_period_config(read_scenario(scenario))
        started_by = operator_actor(operator) if operator else actors.actor("operator", _os_user())
        return await start_period(services, config, started_by=started_by)

    period = _call(work)
    out.print(f"Started period {safe(period)}. Follow it with: vakt status {safe(period)}", soft_wrap=True)
    _finish(0)


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in a container: still an actor on record
        return "unknown"


@app.command()
def act(
    period: Annotated[str, typer.Argument(help="Period id")],
    kind: Annotated[str, typer.Argument(help="staff | wish | pick | claim")],
    doctor: Annotated[str, typer.Argument(help="Doctor id")],
    shift: Annotated[str, typer.Argument(help="Shift id, DATE/NAME")],
    operator: Annotated[str, typer.Option("--operator", help="Your name, recorded as who entered it")] = "",
) -> None:
    """Enter a doctor's action for them: a staff entry, advance wish, meeting pick or offering claim.
    Recorded with you as the actor; doctors act for themselves on the web service."""
    from app.errors import Refused
    from app.periods.live import act as submit, operator_actor

    async def work(services):
        actor = operator_actor(operator or _os_user())
        outcome = await submit(services, period, kind, doctor, shift, actor=actor)
        if not outcome.accepted:
            raise Refused(outcome.rule or "?", outcome.message or "")
        return outcome

    outcome = _call(work)
    out.print(
        f"Recorded: {safe(outcome.doctor)} holds {safe(outcome.shift)} ({outcome.source.value}), version {outcome.version}.",
        soft_wrap=True,
    )
    _finish(0)


@app.command()
def close(period: Annotated[str, typer.Argument(help="Period id")], operator: OperatorOpt, reason: ReasonOpt) -> None:
    """Close the current phase now instead of at its deadline (recorded, R-PROC-1)."""
    from app.periods.live import close_phase

    result = _call(lambda services: close_phase(services, period, operator=operator, reason=reason))
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
    from app.periods.live import extend_deadline

    result = _call(lambda services: extend_deadline(services, period, until=until, operator=operator, reason=reason))
    out.print(f"Deadline moved: phase {result.phase.value}, next deadline {result.next_deadline:%Y-%m-%d %H:%M}.")
    _finish(0)


@app.command()
def cancel(period: Annotated[str, typer.Argument(help="Period id")], operator: OperatorOpt, reason: ReasonOpt) -> None:
    """Cancel a round: nothing more is accepted and no roster is published (recorded)."""
    from app.periods.live import cancel_round

    _call(lambda services: cancel_round(services, period, operator=operator, reason=reason))
    out.print(f"Period {safe(period)} cancelled.")
    _finish(0)


@app.command()
def restart(
    period: Annotated[str, typer.Argument(help="Period id")],
    apply: Annotated[bool, typer.Option("--apply", help="Carry out the plan (default: only explain it)")] = False,
    operator: Annotated[str | None, typer.Option("--operator", help="Your name (required with --apply)")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (required with --apply)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan (and outcome) as JSON")] = False,
) -> None:
    """Diagnose a stuck round and show the plan; with --apply, reset it or rebuild it from stored
    events, recorded with your name and reason."""
    from app.periods.restart import restart_round

    plan, done = _call(
        lambda services: restart_round(services, period, apply_plan=apply, operator=operator, reason=reason)
    )
    if as_json:
        _json({**plan.model_dump(mode="json"), "applied": done})
    else:
        out.print(f"Period {safe(plan.period)}: {safe(plan.verdict)}", soft_wrap=True)
        out.print(safe(plan.explanation), soft_wrap=True)
        if done:
            out.print(f"Applied: {safe(done)}", soft_wrap=True)
        elif plan.action != "none":
            out.print(
                f"Dry run: nothing changed. Run `vakt restart {safe(plan.period)} --apply --operator NAME "
                "--reason TEXT` to do it.",
                soft_wrap=True,
            )
    _finish(0)


# ------------------------------------------------------------------------- run and deploy


@app.command()
def migrate() -> None:
    """Apply pending database migrations with the migration role (a deployment step)."""
    from app.database import migrate_database

    async def work(services):
        urls = await services.database_urls()
        return urls, await migrate_database(urls)

    urls, applied = _call(work, say=_say(False))
    for schema, versions in applied.items():
        text = ", ".join(f"{v:03d}" for v in versions) if versions else "up to date"
        out.print(f"schema {schema}: {text}", highlight=False)
    out.print(f"database {safe(urls.redacted())} is migrated.", highlight=False)
    _finish(0)


from cli.schedule_cmd import schedule_app  # noqa: E402 - sub-apps register after the commands above

app.add_typer(schedule_app, name="schedule")

keys_app = typer.Typer(help="Payload encryption keys (Temporal payloads are AES-GCM encrypted).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
from cli.district_cmd import district_app  # noqa: E402 - the registry commands, beside `keys`
from cli.mail_cmd import mail as mail_command  # noqa: E402

app.add_typer(district_app, name="district")
app.command(name="mail")(mail_command)  # `vakt mail`: the local development mailbox
app.add_typer(__import__("cli.web_cmd", fromlist=["web_app"]).web_app)  # `vakt serve`, `vakt account`


@keys_app.command("show")
def keys_show() -> None:
    """Where the payload keys come from and their ids (never the keys themselves)."""
    ring = _call(_keyring)
    out.print(f"payload keys from {safe(ring.source)}: {', '.join(k.id for k in ring.keys)} (newest first; "
              f"new payloads use {ring.newest.id})", highlight=False, soft_wrap=True)
    _finish(0)


async def _keyring(services):
    return services.keyring


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Add a new newest key to the key file; older keys still decrypt older histories."""
    from app.keys import rotate_payload_key

    key_id = _call(lambda services: rotate_payload_key(services))
    out.print(f"New payload key {key_id} is now used for new payloads; restart the workers to pick it up.")
    _finish(0)


@app.command()
def dev() -> None:
    """Local stack for trying the engine by hand: Temporal dev server + Web UI + codec endpoint,
    PostgreSQL, a local mailbox, worker."""
    import worker as worker_module

    worker_module.main(dev=True)
    _finish(0)


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
        # Usage errors (typer's click): one line like every other error, exit 2 (`--help` helps).
        if hasattr(e, "format_message") and hasattr(e, "exit_code"):
            message = " ".join(e.format_message().split())
            _fail((message[:300] + "…" if len(message) > 300 else message) + " (see --help)", e.exit_code)
        if os.environ.get("VAKT_DEBUG"):
            raise
        _fail(f"internal error ({type(e).__name__}); run again with VAKT_DEBUG=1 for details", 1)
    _finish(0)


if __name__ == "__main__":
    main()
