"""Readable output for operators (rich tables); JSON output is produced elsewhere, untouched."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from cli.text import safe

SOURCE_LABELS = {
    "staff": "staff doctors, entered first (R-PROC-2)",
    "advance_wish": "advance wishes, valid absence (R-MEET-2)",
    "meeting": "picked at the meeting (phase A)",
    "offering": "claimed on the offering board (phase B)",
    "lottery": "drawn in the lottery (phase C)",
    "swap": "taken over in a swap after publication (R-SWAP-1)",
    "vacancy": "taken over or assigned from a vacancy (R-VAC-2/3)",
}


def print_summary(console: Console, doc: dict, *, seconds: float | None = None, doctors_shown: int = 12) -> None:
    total = len(doc["assignments"]) + len(doc["uncovered"])
    title = safe(f"Period {doc['period']}" + (" (simulated)" if doc.get("simulated") else ""))
    console.rule(f"[bold]{title}[/bold] — phase: {doc['phase']}")

    coverage = Table(title="Coverage by phase", show_footer=True)
    coverage.add_column("how the shift was filled", footer="total")
    coverage.add_column("shifts", justify="right", footer=str(total))
    coverage.add_column("cumulative", justify="right")
    counts = Counter(a["source"] for a in doc["assignments"])
    running = 0
    for source, label in SOURCE_LABELS.items():
        running += counts.get(source, 0)
        coverage.add_row(label, str(counts.get(source, 0)), f"{running}/{total} ({100 * running / max(total, 1):.0f} %)")
    coverage.add_row("[red]left uncovered (R-PROC-4)[/red]", str(len(doc["uncovered"])), "")
    console.print(coverage)
    vacancies = doc.get("vacancies", [])
    if vacancies:  # R-VAC-1..3: the held shifts declared vacant, and what became of them
        states = Counter(v["status"] for v in vacancies)
        console.print(f"Vacancies (R-VAC-1..3): {len(vacancies)} declared — " + ", ".join(
            f"{n} {status}" for status, n in sorted(states.items())))
        for v in vacancies:
            if v["status"] == "uncovered":
                console.print(f"[red]Started uncovered (R-VAC-3)[/red]: {safe(v['shift'])}, declared vacant by "
                              f"{safe(v['holder'])}")

    fairness = doc.get("fairness", {})
    console.print(
        f"Quota (R-LOAD-2): [bold]{doc['quota']}[/bold] shifts per fully participating GP"
        + (" (weighted points)" if fairness.get("weighted") else "")
        + f"; spread of deviation from quota (max − min): [bold]{fairness.get('spread', 0)}[/bold]"
    )

    draws = doc["lottery"]["draws"]
    console.print(f"Lottery (R-LOT-*): seed {doc['lottery']['seed']}, {len(draws)} draws")
    if draws:
        table = Table(title=f"First {min(len(draws), 10)} draws")
        for col in ("#", "shift", "pool", "tied at largest deficit", "drawn"):
            table.add_column(col)
        for d in draws[:10]:
            table.add_row(str(d["draw"]), safe(d["shift"]), str(d["pool"]["size"]), str(d["tied"]["size"]),
                          safe(d["doctor"]))
        console.print(table)

    _print_load(console, fairness.get("doctors", {}), doctors_shown)
    for doctor, windows in fairness.get("over_cap", {}).items():  # R-LOAD-3: flagged, not refused
        for w in windows:
            console.print(
                f"[yellow]Above the weekly cap (R-LOAD-3)[/yellow]: {safe(doctor)} holds {w['shifts']} shifts "
                f"{w['first']}–{w['last']} (cap {w['cap']}; {safe(', '.join(w['sources']))})"
            )

    if doc["uncovered"]:
        table = Table(title="[red]Uncovered shifts[/red]")
        table.add_column("shift")
        table.add_column("rule")
        table.add_column("why")
        for u in doc["uncovered"]:
            table.add_row(safe(u["shift"]), safe(u.get("rule", "")), safe(u["reason"]))
        console.print(table)
    else:
        console.print("[green]Every shift is covered.[/green]")
    if doc["unsafe"]:
        console.print(
            f"[red]Unsafe (R-QUAL-3): {len(doc['unsafe'])} duty shifts of not-qualified doctors lack a "
            f"covering backup:[/red] {safe(', '.join(doc['unsafe']))}"
        )
    else:
        console.print("[green]No unsafe shift: every not-qualified doctor's duty has backup (R-QUAL-3).[/green]")

    rejected = doc.get("rejected", [])
    if rejected:
        table = Table(title=f"Rejected actions ({len(rejected)})")
        for col in ("kind", "doctor", "shift", "rule", "why"):
            table.add_column(col)
        for r in rejected:
            table.add_row(*(safe(v) for v in (r["kind"], r["action"]["doctor"], r["action"]["shift"], r["rule"], r["message"])))
        console.print(table)
    if seconds is not None:
        console.print(f"Ran in {seconds:.1f} s.")


def _print_load(console: Console, doctors: dict[str, dict], shown: int) -> None:
    if not doctors:
        return
    ranked = sorted(doctors.items(), key=lambda kv: (kv[1]["deviation"], kv[0]))
    table = Table(title=f"Per-doctor load (R-LOAD-1) — {shown} furthest from quota of {len(doctors)}")
    for col in ("doctor", "quota", "shifts", "points", "deviation"):
        table.add_column(col, justify="right" if col != "doctor" else "left")
    picks = ranked[: shown // 2] + ranked[-(shown - shown // 2) :] if len(ranked) > shown else ranked
    for doctor, row in picks:
        style = "red" if row["deviation"] < 0 else ("yellow" if row["deviation"] > 0 else "")
        table.add_row(
            safe(doctor), str(row["quota"]), str(row["shifts"]), f"{row['points']:g}", f"[{style}]{row['deviation']:+g}[/{style}]" if style else "0"
        )
    console.print(table)
