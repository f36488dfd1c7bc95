"""`vakt schedule …`: the districts' round schedules (R-PROC-5) — parse, call app.periods.schedules,
render."""

from __future__ import annotations

from typing import Annotated

import typer

from app.periods.schedules import (
    ScheduleView,
    list_schedules,
    pause_schedule,
    resume_schedule,
    show_schedule,
    sync_schedules,
    trigger_schedule,
)
from cli.runner import call, finish, out
from cli.text import safe
from domain.clock import local_time

app = typer.Typer(help="The districts' round schedules (R-PROC-5): see, pause, resume, trigger.", no_args_is_help=True)


def _render(view: ScheduleView) -> None:
    state = "[yellow]paused[/yellow]" if view.paused else "[green]active[/green]"
    out.print(f"[bold]{safe(view.district)}[/bold] — schedule {safe(view.schedule_id)}, {state}", highlight=False)
    if view.note:
        out.print(f"  note: {safe(view.note)}", highlight=False, soft_wrap=True)
    runs = ", ".join(local_time(t) for t in view.next_runs) or "none"
    out.print(f"  next runs (Europe/Oslo): {runs}", highlight=False)
    for started, workflow_id in view.recent:
        out.print(f"  ran {local_time(started)}: {safe(workflow_id)}", highlight=False)


@app.command("list")
def list_() -> None:
    """Every district's schedule with its next runs."""

    views = call(list_schedules)
    if not views:
        out.print("No district schedules yet: import a district (`vakt district import`), then `vakt schedule sync`.")
    for view in views:
        _render(view)
    finish(0)


@app.command("show")
def show(district: Annotated[str, typer.Argument(help="District id")]) -> None:
    """One district's schedule: state, next runs, recent runs."""

    _render(call(lambda services: show_schedule(services, district)))
    finish(0)


@app.command("pause")
def pause(
    district: Annotated[str, typer.Argument(help="District id")],
    operator: Annotated[str, typer.Option("--operator", help="Your name, recorded in the schedule's note")],
    reason: Annotated[str, typer.Option("--reason", help="Why")],
) -> None:
    """Pause a district's schedule: no round starts until it is resumed."""

    _render(call(lambda services: pause_schedule(services, district, operator=operator, reason=reason)))
    finish(0)


@app.command("resume")
def resume(
    district: Annotated[str, typer.Argument(help="District id")],
    operator: Annotated[str, typer.Option("--operator", help="Your name, recorded in the schedule's note")],
) -> None:
    """Resume a paused schedule."""

    _render(call(lambda services: resume_schedule(services, district, operator=operator)))
    finish(0)


@app.command("trigger")
def trigger(district: Annotated[str, typer.Argument(help="District id")]) -> None:
    """Run the schedule's action now: start the district's next round if it is not started yet."""

    result = call(lambda services: trigger_schedule(services, district))
    if result.period_id:
        out.print(f"Started round {safe(result.period_id)} of district {safe(district)}.", highlight=False)
    else:
        out.print(f"No round started for district {safe(district)}: {safe(result.outcome)}.", highlight=False)
    finish(0)


@app.command("sync")
def sync(district: Annotated[str | None, typer.Argument(help="District id (default: every district)")] = None) -> None:
    """Create or update the schedules from the registry's round policies (the worker does it at start)."""

    done = call(lambda services: sync_schedules(services, district))
    for district_id, outcome in done:
        out.print(f"schedule of {safe(district_id)}: {outcome}", highlight=False)
    if not done:
        out.print("No districts in the registry.")
    finish(0)
