"""`vakt events`: the stored event log of a period, paged and filtered, from a real PostgreSQL.
The round is produced by the pure domain decisions and stored through the real EventStore."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from adapters.postgres.projections import RosterProjection
from adapters.postgres.event_store import EventStore
from app.errors import BadInput
from app.reads.events import events_page
from cli.render_events import render_events
from domain.period.events import LotteryDrawn, ShiftTaken
from domain.model import OSLO_TZ
from tests.integration.rounds import example_config, published_round, store_round, unique

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def stored(sim_pool):
    store = EventStore(sim_pool, projectors=[RosterProjection()], kind="simulation")
    config = example_config(unique("events"), meeting_in=timedelta(minutes=5))
    events = published_round(config)
    # Stored in winter time, so occurred_at has a known offset.
    await store_round(store, events, at=datetime(2026, 11, 30, 18, 0, tzinfo=OSLO_TZ))
    return store, config.period.id, events


def ids_in(pool: dict, ids: list[str]) -> list[str]:
    bits = int(pool["bits"], 16)
    return [doctor for i, doctor in enumerate(ids) if bits >> i & 1]


def _text(page: dict) -> str:
    buffer = io.StringIO()
    render_events(Console(file=buffer, width=200, color_system=None), page)
    return buffer.getvalue()


async def test_pages_follow_each_other_and_end(stored):
    store, period, events = stored
    seen, after, pages = [], 0, 0
    while True:
        page = await events_page(store, period, None, None, after, 20)
        pages += 1
        seen += [e["version"] for e in page["events"]]
        if page["next_after_version"] is None:
            break
        assert page["next_after_version"] == page["events"][-1]["version"]
        text = _text(page)
        assert f"next page: vakt events {period} --after-version {page['next_after_version']} --limit 20" in text
        after = page["next_after_version"]
    assert seen == list(range(1, len(events) + 1)) and pages == 3  # 52 events: 20 + 20 + 12
    assert "end of the log" in _text(page)

    first = await events_page(store, period, None, None, 0, 50)
    text = _text(first)
    assert "period opened: 17 doctors, 46 shifts (simulated)" in text
    assert "st01 took 2027-01-04/evening (staff)" in text
    assert "gp05 took 2027-01-09/day (meeting)" in text
    assert "meeting opened; quota 4" in text
    assert "meeting → offering (operator Kari: all picks done)" in text
    assert "offering → lottery (deadline)" in text
    assert "lottery started: 41 open shifts, seed 20270104" in text
    assert "draw #1: " in text
    assert f"next page: vakt events {period} --after-version 50" in text


async def test_type_and_doctor_filters(stored):
    store, period, events = stored
    page = await events_page(store, period, ["LotteryDrawn", "RosterPublished"], None, 0, 100)
    assert {e["type"] for e in page["events"]} == {"LotteryDrawn", "RosterPublished"}
    assert len(page["events"]) == sum(e.type in ("LotteryDrawn", "RosterPublished") for e in events)

    # --doctor: the doctor took the shift, was drawn, or was in the draw's pool; never PeriodOpened.
    ids = sorted(d.id for d in events[0].config.doctors)
    expected = [
        v
        for v, e in enumerate(events, start=1)
        if (isinstance(e, ShiftTaken) and e.doctor == "gp05")
        or (isinstance(e, LotteryDrawn) and ("gp05" == e.doctor or "gp05" in e.pool.ids(ids)))
    ]
    got = await events_page(store, period, None, "gp05", 0, 100)
    assert [e["version"] for e in got["events"]] == expected and expected
    assert got["events"][0]["summary"] == "gp05 took 2027-01-09/day (meeting)"
    for e in got["events"]:
        data = e["data"]
        pool = ids_in(data["pool"], ids) if "pool" in data else []
        assert data.get("doctor") == "gp05" or "gp05" in pool

    # Combined with a type and paged: the filter holds across pages.
    page1 = await events_page(store, period, ["LotteryDrawn"], "gp05", 0, 3)
    page2 = await events_page(store, period, ["LotteryDrawn"], "gp05", page1["next_after_version"], 3)
    versions = [e["version"] for e in page1["events"] + page2["events"]]
    assert versions == [v for v in expected if events[v - 1].type == "LotteryDrawn"][:6]
    assert "--type LotteryDrawn --doctor gp05 --after-version" in _text(page1)

    with pytest.raises(BadInput, match="--type: not an event type"):
        await events_page(store, period, ["ShiftTook"], None, 0, 10)
    with pytest.raises(BadInput, match="no period"):
        await events_page(store, "no-such-period", None, None, 0, 10)


async def test_json_shape_keeps_period_opened_small(stored):
    store, period, _ = stored
    page = await events_page(store, period, None, None, 0, 2)
    json.dumps(page)  # plain JSON, nothing else
    assert page["period"] == period and page["next_after_version"] == 2
    first, second = page["events"]
    assert set(first) >= {"version", "event_id", "type", "actor", "occurred_at", "data"}
    assert first["actor"] == "system:test"
    assert first["type"] == "PeriodOpened" and first["data"]["config"]["doctors"] == 17
    assert first["occurred_at"] == "2026-11-30T18:00:01+01:00"  # Europe/Oslo, winter time
    assert second["data"] == {"type": "ShiftTaken", "shift": "2027-01-04/evening", "doctor": "st01", "source": "staff"}


async def test_cli_events_json(stored, pg_database_url, tmp_path):
    _, period, _ = stored
    env = {**os.environ, "DATABASE_URL": pg_database_url, "VAKT_DATA_DIR": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "cli.main", "events", period, "--type", "ShiftTaken", "--limit", "3", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    page = json.loads(run.stdout)
    assert [e["data"]["doctor"] for e in page["events"]] == ["st01", "gp04", "gp05"]
    assert page["next_after_version"] == 5
    bad = subprocess.run(
        [sys.executable, "-m", "cli.main", "events", "nope"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2 and "no period 'nope'" in bad.stderr


async def test_free_text_is_shown_literally_never_as_markup_or_escape_codes(sim_pool):
    """An operator's reason such as "room [bold]taken[/]" — or a stored escape sequence — prints
    exactly as typed: rich never interprets it, the terminal never receives the escape."""
    from domain.period.events import DeadlineExtended, PeriodOpened
    from domain.model import OSLO_TZ as TZ

    store = EventStore(sim_pool, projectors=[RosterProjection()], kind="simulation")
    config = example_config(unique("literal"), meeting_in=timedelta(minutes=5))
    now = datetime.now(TZ)
    reason = "room [bold]taken[/] \x1b[2J[red]x[/red]"
    events = [
        PeriodOpened(config=config, simulated=True),
        DeadlineExtended(step="meeting_at", previous=now, deadline=now + timedelta(days=1), operator="[i]Kari[/i]", reason=reason),
    ]
    await store_round(store, events)
    page = await events_page(store, config.period.id, None, None, 0, 10)
    text = _text(page)
    assert "room [bold]taken[/]" in text and "[i]Kari[/i]" in text
    assert "\x1b" not in text and "\\x1b[2J[red]x[/red]" in text
