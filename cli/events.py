"""`vakt events PERIOD`: a period's stored event log, read from PostgreSQL (no Temporal needed).

One page at a time, in version order. Each event gets a one-line plain-language summary; the
`--json` document carries the stored data itself, except that `PeriodOpened` gives only the
number of doctors in `data.config.doctors` (the profiles are bulky, and a page stays small).

Filters:
- `--type T` (repeatable): only these event types;
- `--doctor D`: only events whose data names the doctor — `ShiftTaken.doctor`,
  `LotteryDrawn.doctor` or membership of `LotteryDrawn.pool`. `PeriodOpened` never matches
  (it lists every doctor of the period);
- `--after-version N` / `--limit N`: the page. `next_after_version` (and the "next page" line)
  is set while more matching events follow.

The wiring in `cli/main.py` calls `run_events`; other code can use `events_page` and
`render_events` directly.
"""

from __future__ import annotations

import asyncio
import json
import shlex
from collections.abc import Callable
from datetime import datetime
from typing import Any, get_args

import asyncpg
from rich.console import Console
from rich.table import Table

from activities.store import EventStore, StoredEvent
from cli.read_side import (  # noqa: F401 - BadInput is part of this module's interface
    BadInput,
    DatabaseUnavailable,
    UnknownPeriod,
    open_read_store,
    report_unavailable,
)
from domain.calendar import PeriodCalendar
from domain.events import (
    DeadlineExtended,
    DomainEvent,
    LotteryDrawn,
    LotteryStarted,
    MeetingOpened,
    PeriodOpened,
    PhaseClosed,
    RosterPublished,
    RoundCancelled,
    ShiftLeftUncovered,
    ShiftTaken,
    parse_event,
)
from domain.model import OSLO_TZ
from infra.settings import Settings

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000

# Every event type the domain knows, in the order they are declared.
EVENT_TYPES: tuple[str, ...] = tuple(
    cls.model_fields["type"].default for cls in get_args(get_args(DomainEvent)[0])
)

# Events that name a doctor: the doctor who took or was drawn for a shift, or a draw's pool.
_DOCTOR_FILTER_SQL = """
    SELECT position, event_id, stream_id, version, type, data, occurred_at, recorded_at
    FROM events
    WHERE stream_id = $1 AND version > $2 AND ($3::text[] IS NULL OR type = ANY($3))
      AND type IN ('ShiftTaken', 'LotteryDrawn')
      AND (data->>'doctor' = $4 OR COALESCE(data->'pool', '[]'::jsonb) ? $4)
    ORDER BY version
    LIMIT $5
"""



def local_time(value: datetime | None, *, seconds: bool = False) -> str:
    """Europe/Oslo wall-clock, e.g. "2027-01-14 12:00" (R-TIME-1)."""
    if value is None:
        return "—"
    return value.astimezone(OSLO_TZ).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _by(operator: str | None, reason: str | None) -> str:
    return f"operator {operator}: {reason}" if operator else "deadline"


def summarize(event: DomainEvent) -> str:
    """One plain-language line per event. Never contact data (events hold none) and, for
    `PeriodOpened`, only counts."""
    match event:
        case PeriodOpened(config=config, simulated=simulated):
            shifts = len(PeriodCalendar.from_config(config).shifts)
            return (
                f"period opened: {len(config.doctors)} doctors, {shifts} shifts"
                + (" (simulated)" if simulated else "")
            )
        case ShiftTaken(shift=shift, doctor=doctor, source=source):
            return f"{doctor} took {shift} ({source.value.replace('_', ' ')})"
        case MeetingOpened(quota=quota):
            return f"meeting opened; quota {quota.base}" + (" points" if quota.weighted else "")
        case PhaseClosed(phase=phase, next_phase=nxt, by=by, operator=operator, reason=reason):
            return f"{phase.value} → {nxt.value} ({_by(operator, reason) if by == 'operator' else 'deadline'})"
        case DeadlineExtended(step=step, previous=previous, deadline=deadline, operator=operator, reason=reason):
            return (
                f"deadline {step} moved {local_time(previous)} → {local_time(deadline)} "
                f"({_by(operator, reason)})"
            )
        case RoundCancelled(phase=phase, operator=operator, reason=reason):
            return f"round cancelled in phase {phase.value} ({_by(operator, reason)})"
        case LotteryStarted(seed=seed, open_shifts=open_shifts):
            return f"lottery started: {open_shifts} open shifts, seed {seed}"
        case LotteryDrawn(draw=draw, shift=shift, pool=pool, tied=tied, doctor=doctor):
            return f"draw #{draw}: {shift} → {doctor} (pool {len(pool)}, tied {len(tied)})"
        case ShiftLeftUncovered(shift=shift, rule=rule, reason=reason):
            return f"{shift} left uncovered ({rule}: {reason})"
        case RosterPublished(assigned=assigned, uncovered=uncovered, unsafe=unsafe):
            return f"roster published: {assigned} shifts assigned, {uncovered} uncovered, {len(unsafe)} unsafe"
    return type(event).__name__


def _summary_of(stored: StoredEvent) -> str:
    try:
        return summarize(parse_event(stored.data))
    except Exception:  # noqa: BLE001 - an event this code does not know is still listed
        return f"({stored.type}: not readable by this version)"


def _compact_data(stored: StoredEvent) -> dict[str, Any]:
    """The stored data; a PeriodOpened's doctor profiles are replaced by their count."""
    if stored.type != "PeriodOpened":
        return stored.data
    data = json.loads(json.dumps(stored.data))  # deep copy: never touch the caller's event
    config = data.get("config") or {}
    if isinstance(config.get("doctors"), list):
        config["doctors"] = len(config["doctors"])
    return data


def _store_of(pool_or_store: asyncpg.Pool | EventStore) -> EventStore:
    return pool_or_store if isinstance(pool_or_store, EventStore) else EventStore(pool_or_store)


async def events_page(
    pool_or_store: asyncpg.Pool | EventStore,
    period: str,
    types: list[str] | None = None,
    doctor: str | None = None,
    after_version: int = 0,
    limit: int = DEFAULT_LIMIT,
) -> dict:
    """One page of the period's stored events (see the module doc for the filters).

    Returns `{"period", "filters", "events": [{version, event_id, type, occurred_at, summary,
    data}], "next_after_version"}`; `occurred_at` is ISO 8601 in Europe/Oslo. Raises BadInput
    for an unknown period or event type, or a limit outside 1..1000.
    """
    store = _store_of(pool_or_store)
    types = list(dict.fromkeys(types)) if types else None
    unknown = [t for t in types or [] if t not in EVENT_TYPES]
    if unknown:
        raise BadInput(f"unknown event type {', '.join(unknown)}; known types: {', '.join(EVENT_TYPES)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise BadInput(f"--limit must be between 1 and {MAX_LIMIT}")
    if after_version < 0:
        raise BadInput("--after-version must be 0 or more")
    if await store.stream_kind(period) is None:
        raise UnknownPeriod(period)
    # One row more than asked tells whether another page follows.
    if doctor:
        rows = await store.pool.fetch(_DOCTOR_FILTER_SQL, period, after_version, types, doctor, limit + 1)
        stored = [StoredEvent.model_validate(dict(r)) for r in rows]
    else:
        stored = await store.read_stream(period, after_version=after_version, types=types, limit=limit + 1)
    more = len(stored) > limit
    stored = stored[:limit]
    return {
        "period": period,
        "filters": {"types": types, "doctor": doctor, "after_version": after_version, "limit": limit},
        "events": [
            {
                "version": e.version,
                "event_id": str(e.event_id),
                "type": e.type,
                "occurred_at": e.occurred_at.astimezone(OSLO_TZ).isoformat(),
                "summary": _summary_of(e),
                "data": _compact_data(e),
            }
            for e in stored
        ],
        "next_after_version": stored[-1].version if more and stored else None,
    }


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
    title = f"Events of {page['period']}" + (f" ({'; '.join(described)})" if described else "")
    if not page["events"]:
        console.print(f"{title}: no events after version {filters.get('after_version', 0)}.", highlight=False)
        return
    table = Table(title=title, title_justify="left")
    table.add_column("version", justify="right")
    table.add_column("occurred at (Europe/Oslo)", no_wrap=True)
    table.add_column("type", no_wrap=True)
    table.add_column("summary")
    for e in page["events"]:
        table.add_row(
            str(e["version"]), local_time(datetime.fromisoformat(e["occurred_at"]), seconds=True), e["type"], e["summary"]
        )
    console.print(table)
    command = next_page_command(page)
    if command:
        console.print(f"next page: {command}", highlight=False, soft_wrap=True)
    else:
        console.print(f"end of the log ({len(page['events'])} events on this page).", highlight=False)


def run_events(
    settings: Settings,
    period: str,
    *,
    types: list[str] | None = None,
    doctor: str | None = None,
    after_version: int = 0,
    limit: int = DEFAULT_LIMIT,
    as_json: bool = False,
    console: Console | None = None,
    say: Callable[[str], None] | None = None,
) -> int:
    """`vakt events`: print one page; returns the exit code (0, or 1 when PostgreSQL is not
    reachable). Raises BadInput (exit 2)."""
    console = console or Console()

    async def go() -> dict:
        pool, store = await open_read_store(settings, None if as_json else say)
        try:
            return await events_page(store, period, types, doctor, after_version, limit)
        finally:
            await pool.close()

    try:
        page = asyncio.run(go())
    except UnknownPeriod as e:
        raise BadInput(f"{e} ({settings.redacted_database_url()})") from e
    except DatabaseUnavailable as e:
        return report_unavailable(e)
    if as_json:
        # Plain write: rich would wrap long lines and insert markup into a JSON document.
        console.file.write(json.dumps(page, ensure_ascii=False, indent=1) + "\n")
        console.file.flush()
    else:
        render_events(console, page)
    return 0
