"""`vakt schedule …`: the districts' round schedules (R-PROC-5) — parse, call app.schedules,
render."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.text import safe
from domain.clock import local_time

schedule_app = typer.Typer(help="The districts' round schedules (R-PROC-5): see, pause, resume, trigger.", no_args_is_help=True)


def _main():
    from cli import main

    return main


def _render(view) -> None:
    main = _main()
    state = "[yellow]paused[/yellow]" if view.paused else "[green]active[/green]"
    main.out.print(f"[bold]{safe(view.district)}[/bold] — schedule {safe(view.schedule_id)}, {state}", highlight=False)
    if view.note:
        main.out.print(f"  note: {safe(view.note)}", highlight=False, soft_wrap=True)
    runs = ", ".join(local_time(t) for t in view.next_runs) or "none"
    main.out.print(f"  next runs (Europe/Oslo): {runs}", highlight=False)
    for started, workflow_id in view.recent:
        main.out.print(f"  ran {local_time(started)}: {safe(workflow_id)}", highlight=False)


@schedule_app.command("list")
def list_() -> None:
    """Every district's schedule with its next runs."""
    from app.schedules import list_schedules

    main = _main()
    views = main._call(list_schedules)
    if not views:
        main.out.print("No district schedules yet: import a district (`vakt district import`), then `vakt schedule sync`.")
    for view in views:
        _render(view)
    main._finish(0)


@schedule_app.command("show")
def show(district: Annotated[str, typer.Argument(help="District id")]) -> None:
    """One district's schedule: state, next runs, recent runs."""
    from app.schedules import show_schedule

    main = _main()
    _render(main._call(lambda services: show_schedule(services, district)))
    main._finish(0)


@schedule_app.command("pause")
def pause(
    district: Annotated[str, typer.Argument(help="District id")],
    operator: Annotated[str, typer.Option("--operator", help="Your name, recorded in the schedule's note")],
    reason: Annotated[str, typer.Option("--reason", help="Why")],
) -> None:
    """Pause a district's schedule: no round starts until it is resumed."""
    from app.schedules import pause_schedule

    main = _main()
    _render(main._call(lambda services: pause_schedule(services, district, operator=operator, reason=reason)))
    main._finish(0)


@schedule_app.command("resume")
def resume(
    district: Annotated[str, typer.Argument(help="District id")],
    operator: Annotated[str, typer.Option("--operator", help="Your name, recorded in the schedule's note")],
) -> None:
    """Resume a paused schedule."""
    from app.schedules import resume_schedule

    main = _main()
    _render(main._call(lambda services: resume_schedule(services, district, operator=operator)))
    main._finish(0)


@schedule_app.command("trigger")
def trigger(district: Annotated[str, typer.Argument(help="District id")]) -> None:
    """Run the schedule's action now: start the district's next round if it is not started yet."""
    from app.schedules import trigger_schedule

    main = _main()
    result = main._call(lambda services: trigger_schedule(services, district))
    if result.period_id:
        main.out.print(f"Started round {safe(result.period_id)} of district {safe(district)}.", highlight=False)
    else:
        main.out.print(f"No round started for district {safe(district)}: {safe(result.outcome)}.", highlight=False)
    main._finish(0)


@schedule_app.command("sync")
def sync(district: Annotated[str | None, typer.Argument(help="District id (default: every district)")] = None) -> None:
    """Create or update the schedules from the registry's round policies (the worker does it at start)."""
    from app.schedules import sync_schedules

    main = _main()
    done = main._call(lambda services: sync_schedules(services, district))
    for district_id, outcome in done:
        main.out.print(f"schedule of {safe(district_id)}: {outcome}", highlight=False)
    if not done:
        main.out.print("No districts in the registry.")
    main._finish(0)
