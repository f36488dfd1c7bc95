"""Scheduled rounds (R-PROC-5) on a real Temporal dev server: a district imported into the
registry gets a Schedule that fires at each round's invitation time; triggering it starts the
district's next round exactly once, built from the registry, and its doctors get their
invitation (R-PROC-6) through a real SMTP server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.postgres.projections import RosterProjection
from adapters.postgres.event_store import EventStore
from worker import create_worker, live_activities
from app.registry.districts import import_csv
from app.periods.schedules import pause_schedule, resume_schedule, show_schedule, sync_schedule, trigger_schedule
from domain.district import first_start_on_time, invitation_at, round_dates
from domain.model import OSLO_TZ
from domain.registry.records import DistrictRecord
from infra.clock import ShiftedClock
from infra.mailbox import read_maildir
from tests.helpers.mail import smtp_server  # noqa: F401 - the fixture
from tests.helpers.support import services_for

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CSV = ROOT / "app" / "data" / "sample-mosse-registry.csv"


async def test_schedule_starts_each_round_once_and_invites_its_doctors(
    dev_server, pg_pool, pg_database_url, tmp_path, smtp_server  # noqa: F811
):
    district = f"mosse{uuid.uuid4().hex[:5]}"
    task_queue = f"rounds-{district}"
    # Whatever today is, run as on the day the next round's invitation is due (one clock: the
    # schedule's starter and the round see it too), so the trigger starts that round on time.
    policy = DistrictRecord(id=district, name="x").policy.rounds
    start = first_start_on_time(datetime.now(OSLO_TZ), policy)
    invited = invitation_at(round_dates(district, start, policy), policy)
    services = services_for(
        pg_database_url, tmp_path, dev_server.client, TEMPORAL_TASK_QUEUE=task_queue,
        SMTP_URL=f"smtp://127.0.0.1:{smtp_server.port}", clock=ShiftedClock(invited + timedelta(minutes=1) - datetime.now(UTC)),
    )
    store = EventStore(pg_pool, [RosterProjection()])
    client = dev_server.client
    try:
        await import_csv(services, district, SAMPLE_CSV, name="Mosseregionens legevakt", actor="admin:test")
        assert await sync_schedule(services, district, policy) == "created"
        assert await sync_schedule(services, district, policy) == "updated"  # idempotent
        view = await show_schedule(services, district)
        now = services.clock.now()
        assert not view.paused and view.next_runs and view.next_runs[0] > now
        assert view.next_runs[0].hour == policy.meeting_time.hour  # the invitation, Oslo wall-clock

        async with create_worker(client, store, task_queue, extra_activities=await live_activities(services)):
            first = await trigger_schedule(services, district)
            view = await show_schedule(services, district)
            again = await trigger_schedule(services, district)
            expected = round_dates(district, start, policy).id
            assert (first.outcome, first.period_id) == ("started", expected)
            assert (again.outcome, again.period_id) == ("already started", None)
            started = [w.id async for w in client.list_workflows(f"WorkflowId = '{expected}'")]
            assert started == [expected]  # one period per district and half-year
            handle = client.get_workflow_handle(expected)
            # The round was built from the registry and sends every doctor with a quota an invitation.
            # Each mail is delivered, then logged as sent: wait until the log has stopped growing
            # and agrees with the mailbox (the send is still running while either moves).
            counts: list[tuple[int, int]] = []
            for _ in range(300):
                sent = await pg_pool.fetchval(
                    "SELECT count(*) FROM mail_sent WHERE period_id = $1 AND kind = 'invitation'", expected
                )
                messages = [
                    m for m in read_maildir(smtp_server.maildir) if expected in m.subject or expected in m.text
                ]
                counts.append((sent, len(messages)))
                if sent >= 55 and counts[-3:] == [(sent, sent)] * 3:
                    break
                await asyncio.sleep(0.1)
            assert sent == await pg_pool.fetchval("SELECT count(*) FROM mail_sent WHERE period_id = $1", expected)
            assert len(messages) == sent and len({m.to for m in messages}) == sent  # each invited once
            await assert_history_has_no_personal_data(client, [expected, first_starter(view)], SAMPLE_CSV)
            await handle.terminate(reason="test over")

        paused = await pause_schedule(services, district, operator="Kari Nordmann", reason="summer break")
        assert paused.paused and "Kari Nordmann" in paused.note and "summer break" in paused.note
        assert not (await resume_schedule(services, district, operator="Kari Nordmann")).paused

        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")},
            "TEMPORAL_ADDRESS": client.service_client.config.target_host,
            "DATABASE_URL": pg_database_url, "VAKT_DATA_DIR": str(tmp_path), "COLUMNS": "200",
        }
        listed = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "cli.main", "schedule", "list"], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=60,
        )
        assert listed.returncode == 0, listed.stderr
        assert f"vakt-rounds-{district}" in listed.stdout and "next runs (Europe/Oslo): " in listed.stdout
        assert view.next_runs[0].strftime("%Y-%m-%d %H:%M") in listed.stdout
    finally:
        await client.get_schedule_handle(f"vakt-rounds-{district}").delete()
        await services.aclose()


def first_starter(view) -> str:
    return view.recent[0][1]


async def assert_history_has_no_personal_data(client, workflow_ids: list[str], csv: Path) -> None:
    """The raw histories hold nothing in the clear (test_privacy checks that for a whole round);
    here the *decrypted* payloads of the scheduled round and its starter: no contact data, no
    birth date, no exemption reason — the registry keeps them (R-DATA-1, domain.registry.minimise)."""
    import csv as csvlib
    import json

    rows = list(csvlib.DictReader(csv.read_text(encoding="utf-8").splitlines()))
    secrets = {r["email"] for r in rows} | {r["mobile"] for r in rows} | {r["birth_date"] for r in rows if r["birth_date"]}
    secrets |= {"pregnancy", "breastfeeding", "age_over_60", "health", "social"}
    for workflow_id in workflow_ids:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        decoded = []
        for event in history.events:
            for field in ("workflow_execution_started_event_attributes", "activity_task_scheduled_event_attributes",
                          "activity_task_completed_event_attributes"):
                attrs = getattr(event, field)
                payloads = getattr(attrs, "input", None) or getattr(attrs, "result", None)
                if payloads is not None and payloads.payloads:
                    decoded += await client.data_converter.decode(payloads.payloads)
        text = json.dumps(decoded, default=str)
        assert decoded and "config" in text
        leaked = sorted(s for s in secrets if s and s in text)
        assert not leaked, f"{workflow_id}: personal data in the decrypted history: {leaked[:5]}"
