"""`vakt events` for people: one page of a period's log, then where the next page is.
Summaries, operators' names and reasons are shown literally (cli.text)."""

from __future__ import annotations

import shlex
from datetime import datetime

from rich.console import Console
from rich.table import Table

from app.reads.events import DEFAULT_LIMIT
from cli.text import safe
from domain.clock import local_time


def next_page_command(page: dict) -> str | None:
    """The command that shows the next page, with the same filters; None on the last page."""
    after = page.get("next_after_version")
    if after is None:
        return None
    filters = page.get("filters") or {}
    parts = ["vakt", "events", page["period"]]
    for t in filters.get("types") or []:
        parts += ["--type", t]
    if filters.get("doctor"):
        parts += ["--doctor", filters["doctor"]]
    parts += ["--after-version", str(after)]
    if filters.get("limit") not in (None, DEFAULT_LIMIT):
        parts += ["--limit", str(filters["limit"])]
    return shlex.join(parts)


def render_events(console: Console, page: dict) -> None:
    """`version | occurred_at (Europe/Oslo) | type | summary`, then where the next page is."""
    filters = page.get("filters") or {}
    described = []
    if filters.get("types"):
        described.append("type " + ", ".join(filters["types"]))
    if filters.get("doctor"):
        described.append(f"naming {filters['doctor']}")
    title = safe(f"Events of {page['period']}" + (f" ({'; '.join(described)})" if described else ""))
    if not page["events"]:
        console.print(f"{title}: no events after version {filters.get('after_version', 0)}.", highlight=False)
        return
    table = Table(title=title, title_justify="left")
    table.add_column("version", justify="right")
    table.add_column("occurred at (Europe/Oslo)", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("actor")
    table.add_column("summary")
    for e in page["events"]:
        table.add_row(
            str(e["version"]),
            local_time(datetime.fromisoformat(e["occurred_at"]), seconds=True),
            safe(e["type"]),
            safe(e.get("actor", "")),
            safe(e["summary"]),
        )
    console.print(table)
    command = next_page_command(page)
    if command:
        console.print(f"next page: {safe(command)}", highlight=False, soft_wrap=True)
    else:
        console.print(f"end of the log ({len(page['events'])} events on this page).", highlight=False)
