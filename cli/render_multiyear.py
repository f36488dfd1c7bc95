"""`vakt demo --years N` for people: each round's spread with and without carry-over, and the
doctors whose balances moved most."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from app.demo.multiyear import MultiYearReport
from cli.text import safe


def render_multi_year(console: Console, report: MultiYearReport) -> None:
    table = Table(title="Spread of cumulative deviation from quota (max − min, points) after each round")
    table.add_column("round")
    table.add_column("doctors", justify="right")
    table.add_column("with carry-over", justify="right")
    table.add_column("without", justify="right")
    for on, off in zip(report.with_carry.rounds, report.without_carry.rounds, strict=True):
        table.add_row(safe(on.period.split("-", 2)[-1]), str(on.doctors), f"{on.spread:g}", f"{off.spread:g}")
    console.print(table)
    last_on, last_off = report.with_carry.rounds[-1], report.without_carry.rounds[-1]
    worst = sorted(last_off.cumulative, key=lambda d: -abs(last_off.cumulative[d]))[:8]
    detail = Table(title="Doctors furthest from level without carry-over: balance per round (with | without)")
    detail.add_column("doctor")
    for r in report.with_carry.rounds:
        detail.add_column(safe(r.period.split("-", 2)[-1]), justify="right")
    detail.add_column("cumulative", justify="right")
    for doctor in worst:
        cells = [
            f"{on.balances.get(doctor, 0):+g} | {off.balances.get(doctor, 0):+g}"
            for on, off in zip(report.with_carry.rounds, report.without_carry.rounds, strict=True)
        ]
        detail.add_row(safe(doctor), *cells, f"{last_on.cumulative.get(doctor, 0):+g} | {last_off.cumulative.get(doctor, 0):+g}")
    console.print(detail)
    on, off = report.final_spreads
    verdict = "smaller" if on < off else "not smaller"
    console.print(
        f"After {len(report.with_carry.rounds)} rounds the spread is [bold]{on:g}[/bold] points with carry-over and "
        f"[bold]{off:g}[/bold] without: {verdict} with carry-over. The lottery's deficit includes what a doctor "
        "carried (R-LOT-3), so those who took more earlier are drawn later.",
        soft_wrap=True,
    )
