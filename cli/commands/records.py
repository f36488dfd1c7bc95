"""`vakt verify | explain | roster | events | status`: reading a period's record."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from app.reads.events import event_log
from app.reads.stored import explain as explain_doctor
from app.reads.stored import roster as roster_of
from app.reads.stored import verify as verify_period
from app.reads.status import round_status
from cli.render import print_summary
from cli.render_events import render_events
from cli.render_status import render_status
from cli.runner import call, finish, out, print_json, say
from cli.text import safe, visible

app = typer.Typer()


@app.command()
def verify(
    period: Annotated[str, typer.Argument(help="Period id")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Check the log's hash chain and recompute every lottery draw from the stored events
    (R-LOT-4); exit 1 and name the first difference when anything was altered."""
    report = call(lambda services: verify_period(services, period), say=say(as_json))
    if as_json:
        print_json(report.model_dump(mode="json"))
        finish(0 if report.ok else 1)
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
            f"{safe(report.period)} recomputed from the stored events with seed {lottery.seed} "
            f"(lottery algorithm {lottery.algorithm}) match.",
            soft_wrap=True,
        )
    else:
        detail = lottery.mismatch.describe() if lottery.mismatch else lottery.note
        out.print(f"[red]MISMATCH[/red] in {safe(report.period)}: {safe(detail)}", soft_wrap=True)
    seed = report.seed
    if seed is not None and seed.source != "system":  # R-LOT-5: the seed's origin
        verdict = "[green]OK[/green]" if seed.ok else "[red]SEED NOT VERIFIED[/red]"
        out.print(f"{verdict}: seed from {seed.source}: {safe(seed.detail)}.", soft_wrap=True)
    finish(0 if report.ok else 1)


@app.command()
def explain(
    period: Annotated[str, typer.Argument(help="Period id")],
    doctor: Annotated[str, typer.Argument(help="Doctor id")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the explanation as JSON")] = False,
) -> None:
    """Why a doctor holds each shift, and why they were or were not in the lottery pool."""
    explanation = call(lambda services: explain_doctor(services, period, doctor), say=say(as_json))
    if as_json:
        sys.stdout.write(explanation.model_dump_json(indent=1) + "\n")
    else:
        sys.stdout.write(visible(explanation.text()))
    finish(0)


@app.command()
def roster(
    period: Annotated[str, typer.Argument(help="Period id, e.g. mosse-2027-h1")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the roster document as JSON")] = False,
) -> None:
    """The roster of a period, read from PostgreSQL only (no worker or Temporal needed)."""
    document = call(lambda services: roster_of(services, period), say=say(as_json))
    if as_json:
        print_json(document)
        finish(0)
    if document["phase"] != "published":
        out.print(f"[yellow]Period {safe(period)} is not published yet (phase {document['phase']}).[/yellow]")
    print_summary(out, document)
    finish(0)


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
    page = call(
        lambda services: event_log(
            services, period, types=types, doctor=doctor, after_version=after_version, limit=limit
        ),
        say=say(as_json),
    )
    if as_json:
        print_json(page)
    else:
        render_events(out, page)
    finish(0)


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
    report = call(lambda services: round_status(services, period, district=district, phase=phase), say=say(as_json))
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=1) + "\n")
    else:
        render_status(out, report)
    finish(0)
