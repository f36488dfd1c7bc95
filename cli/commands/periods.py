"""`vakt start | act | close | extend | cancel | restart`: live periods and operators' actions,
each recorded with who did it and why."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from app.documents import read_scenario
from app.errors import Refused
from app.periods.live import act as submit
from app.periods.live import cancel_round, close_phase, extend_deadline, operator_actor, start_period
from app.periods.restart import restart_round
from cli.runner import OperatorOpt, ReasonOpt, call, finish, os_user, out, print_json
from cli.text import safe
from domain import actors
from domain.scenario import to_period_config

app = typer.Typer()


@app.command()
def start(
    scenario: Annotated[Path, typer.Argument(help="Period definition (scenario format; scripted actions are ignored)")],
    operator: Annotated[str, typer.Option("--operator", help="Your name, recorded as who started it")] = "",
) -> None:
    """Start a live period: its workflow runs the meeting, offering and lottery on their deadlines."""

    async def work(services):
        config = to_period_config(read_scenario(scenario))
        started_by = operator_actor(operator) if operator else actors.actor("operator", os_user())
        return await start_period(services, config, started_by=started_by)

    period = call(work)
    out.print(f"Started period {safe(period)}. Follow it with: vakt status {safe(period)}", soft_wrap=True)
    finish(0)


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

    async def work(services):
        actor = operator_actor(operator or os_user())
        outcome = await submit(services, period, kind, doctor, shift, actor=actor)
        if not outcome.accepted:
            raise Refused(outcome.rule or "?", outcome.message or "")
        return outcome

    outcome = call(work)
    out.print(
        f"Recorded: {safe(outcome.doctor)} holds {safe(outcome.shift)} ({outcome.source.value}), version {outcome.version}.",
        soft_wrap=True,
    )
    finish(0)


@app.command()
def close(period: Annotated[str, typer.Argument(help="Period id")], operator: OperatorOpt, reason: ReasonOpt) -> None:
    """Close the current phase now instead of at its deadline (recorded, R-PROC-1)."""
    result = call(lambda services: close_phase(services, period, operator=operator, reason=reason))
    out.print(f"Closed {result.closed.value}; the period is now in phase {result.now.value}.")
    finish(0)


@app.command()
def extend(
    period: Annotated[str, typer.Argument(help="Period id")],
    until: Annotated[datetime, typer.Option("--until", help="New deadline, Europe/Oslo wall-clock", formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"])],
    operator: OperatorOpt,
    reason: ReasonOpt,
) -> None:
    """Move the current step's deadline later (recorded with your name and reason)."""
    result = call(lambda services: extend_deadline(services, period, until=until, operator=operator, reason=reason))
    out.print(f"Deadline moved: phase {result.phase.value}, next deadline {result.next_deadline:%Y-%m-%d %H:%M}.")
    finish(0)


@app.command()
def cancel(period: Annotated[str, typer.Argument(help="Period id")], operator: OperatorOpt, reason: ReasonOpt) -> None:
    """Cancel a round: nothing more is accepted and no roster is published (recorded)."""
    call(lambda services: cancel_round(services, period, operator=operator, reason=reason))
    out.print(f"Period {safe(period)} cancelled.")
    finish(0)


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
    plan, done = call(
        lambda services: restart_round(services, period, apply_plan=apply, operator=operator, reason=reason)
    )
    if as_json:
        print_json({**plan.model_dump(mode="json"), "applied": done})
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
    finish(0)
