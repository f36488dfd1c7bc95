"""`vakt status` for people: the list of rounds and one round's diagnosis (rich tables).
Doctor ids only, no personal data; every text from the database is shown literally."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from app.reads.status_models import SOURCES, PeriodDiagnosis, StatusList
from app.reads.status_temporal import first_line
from cli.text import safe, visible
from domain.clock import local_time


def _verdict_style(verdict: str) -> str:
    if verdict.startswith("stuck"):
        return "bold red"
    if verdict.startswith("unknown"):
        return "yellow"
    if verdict in ("healthy", "published"):
        return "green"
    return ""


def _styled(text: str, style: str) -> str:
    return f"[{style}]{safe(text)}[/{style}]" if style else safe(text)


def render_status(console: Console, report: StatusList | PeriodDiagnosis) -> None:
    """The list of rounds or one round's diagnosis, for operators. Doctor ids only, no PII."""
    if isinstance(report, StatusList):
        _render_list(console, report)
    else:
        _render_period(console, report)


def _render_list(console: Console, report: StatusList) -> None:
    if report.note:
        console.print(_styled(report.note, "yellow"), soft_wrap=True)
    if not report.rounds:
        console.print("No allocation rounds found.")
        return
    source = "live queries (Temporal)" if report.source == "temporal" else "the PostgreSQL projection"
    table = Table(title=f"Allocation rounds — from {source}", title_justify="left")
    table.add_column("period", no_wrap=True)
    table.add_column("district", no_wrap=True)
    table.add_column("phase", no_wrap=True)
    table.add_column("next deadline (Europe/Oslo)", no_wrap=True)
    table.add_column("coverage", justify="right", no_wrap=True)
    table.add_column("open", justify="right")
    table.add_column("verdict")
    for r in report.rounds:
        table.add_row(
            safe(r.period + (" (simulated)" if r.simulated else "")),
            safe(r.district or "?"),
            safe(r.phase or "?"),
            local_time(r.next_deadline) if r.next_deadline else "—",
            f"{r.covered}/{r.total}",
            str(r.open),
            _styled(r.verdict_short, _verdict_style(r.verdict_short)),
        )
    console.print(table)
    stuck = [r.period for r in report.rounds if r.stuck]
    if stuck:
        console.print(
            f"{len(stuck)} stuck: " + ", ".join(f"vakt status {p}" for p in stuck) + " says why.",
            highlight=False,
            soft_wrap=True,
        )


def _line(console: Console, label: str, value: str) -> None:
    console.print(f"{label:<24}{visible(value)}", highlight=False, soft_wrap=True, markup=False)


def _render_period(console: Console, d: PeriodDiagnosis) -> None:
    kind = "simulated" if d.simulated else "live"
    console.rule(
        _styled(f"Period {d.period} (district {d.district or '?'}, {kind}) — phase {d.phase or '?'}", "bold")
    )
    if d.note:
        console.print(_styled(d.note, "yellow"), soft_wrap=True)
    console.print(f"Verdict: {_styled(d.verdict, _verdict_style(d.verdict))}", soft_wrap=True, highlight=False)
    if d.reason:
        _line(console, "  why", d.reason)
    if d.status:
        _line(console, "Workflow", f"{d.status}, run {d.run_id}, started {local_time(d.started_at)}"
              + (f", closed {local_time(d.closed_at)}" if d.closed_at else ""))
    elif d.temporal_reachable:
        _line(console, "Workflow", f"none in namespace {d.namespace}")
    else:
        _line(console, "Workflow", "unknown (Temporal not reachable)")
    if d.temporal_reachable and d.worker_polling is not None:
        _line(console, "Task queue", f"{d.task_queue} — worker polling: {'yes' if d.worker_polling else 'NO'}")
    if d.next_deadline:
        _line(console, "Next deadline", f"{local_time(d.next_deadline)} Europe/Oslo ({d.next_step})")
    elif d.next_step:
        _line(console, "Next step", d.next_step)
    versions = f"stored {d.stored_version if d.stored_version is not None else '—'}"
    if d.workflow_version is not None:
        versions = f"workflow {d.workflow_version}, " + versions
    if d.last_event_at:
        versions += f" (last stored event {local_time(d.last_event_at, seconds=True)})"
    _line(console, "Events", versions)
    if d.quota is not None:
        _line(console, "Quota (R-LOAD-2)", f"{d.quota} per fully participating GP")

    if d.coverage:
        c = d.coverage
        table = Table()
        table.add_column("shifts by source")
        table.add_column("count", justify="right")
        for source in SOURCES:
            table.add_row(source, str(c.by_source.get(source, 0)))
        table.add_row("open", str(c.open))
        table.add_row("[bold]total[/bold]", f"[bold]{c.total}[/bold]")
        console.print(table)
        _line(console, "Coverage", f"{c.covered}/{c.total} covered, {c.open} open, {c.uncovered} uncovered, "
              f"{c.unsafe} unsafe (R-QUAL-3)")
    if d.lottery_pool is not None:
        pool = d.lottery_pool
        text = f"{len(pool.doctors)} doctors {pool.note}" if pool.shift else pool.note
        _line(console, "Lottery pool", text)

    if d.pending_activities:
        table = Table(title="Pending activities", title_justify="left")
        for col in ("activity", "state", "attempt", "last failure"):
            table.add_column(col)
        for a in d.pending_activities:
            table.add_row(safe(a.activity_type), safe(a.state), str(a.attempt), safe(a.last_failure or "—"))
        console.print(table)
    elif d.status == "RUNNING":
        _line(console, "Pending activities", "none")
    if d.workflow_task_attempt and d.workflow_task_attempt > 1:
        _line(console, "Workflow task", f"pending, attempt {d.workflow_task_attempt}")
    if d.status:
        failures = f"{d.workflow_task_failures}"
        if d.last_workflow_task_failure:
            f = d.last_workflow_task_failure
            failures += (
                f" (last: event {f.event_id} at {local_time(f.time, seconds=True)}, {f.cause}: {first_line(f.message)})"
            )
        _line(console, "Workflow task failures", failures)
        if d.last_good_workflow_task_event_id is not None:
            _line(console, "Last good task", f"event {d.last_good_workflow_task_event_id} (reset point)")
    if d.query_error and d.status == "RUNNING":
        _line(console, "Queries", f"not answered: {d.query_error}")
