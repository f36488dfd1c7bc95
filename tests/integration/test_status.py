"""`vakt status` on real parts: a Temporal dev server (the one `vakt worker` embeds), the real
worker and workflow, a real PostgreSQL. Deadlines are moved to a few seconds or minutes from now,
so the workflow's timers are real ones."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from adapters.postgres.schema import create_pool, migrate
from adapters.postgres.projections import RosterProjection
from activities.lottery import LotteryActivities
from adapters.postgres.event_store import EventStore
from activities.event_store import EventStoreActivities
from worker import create_worker
from app.errors import BadInput
from app.reads.status import NO_WORKER_NOTE, diagnose, list_rounds
from cli.render_status import render_status
from domain.period.events import PeriodOpened
from domain.model import OSLO_TZ, Role
from infra.embedded import start_dev_server_env
from infra.settings import Settings
from tests.integration.rounds import example_config, published_round, store_round, unique
from tests.helpers.support import CONVERTER, submit
from workflows import search
from workflows.messages import PeriodInput, PeriodResult
from workflows.period import AllocationPeriodWorkflow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
async def dev_env(tmp_path_factory):
    dev = await start_dev_server_env(
        tmp_path_factory.mktemp("temporal"), CONVERTER, ui=False, search_attributes=search.ALL
    )
    try:
        yield dev.env
    finally:
        await dev.env.shutdown()


@pytest.fixture
def store(pg_pool) -> EventStore:
    return EventStore(pg_pool, projectors=[RosterProjection()])


def settings_for(env, task_queue: str, database_url: str, data_dir: Path) -> Settings:
    return Settings(
        temporal_address=env.client.service_client.config.target_host,
        temporal_task_queue=task_queue,
        database_url=database_url,
        data_dir=data_dir,
    )


async def start_round(client, config, task_queue: str):
    return await client.start_workflow(
        AllocationPeriodWorkflow.run,
        PeriodInput(config=config, search_attributes=True, follow_through=False),
        id=config.period.id,
        task_queue=task_queue,
    )


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 15.0, what: str = "condition") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def settled(handle, *, meeting_open: bool | None = None) -> bool:
    """The workflow's events are all in PostgreSQL (and the meeting is open, if asked)."""
    view = await handle.query(AllocationPeriodWorkflow.phase)
    return view.stored_version == view.version and (meeting_open is None or view.meeting_open == meeting_open)


def rendered(report) -> str:
    buffer = io.StringIO()
    render_status(Console(file=buffer, width=240, color_system=None), report)
    return buffer.getvalue()


def local(value) -> str:
    return value.astimezone(OSLO_TZ).strftime("%Y-%m-%d %H:%M")


async def test_running_round_in_the_list_and_waiting_for_its_deadline(dev_env, store, pg_database_url, tmp_path):
    client = dev_env.client
    task_queue = unique("tq")
    config = example_config(unique("live"), meeting_in=timedelta(seconds=2))
    period = config.period.id
    settings = settings_for(dev_env, task_queue, pg_database_url, tmp_path)
    async with create_worker(client, store, task_queue):
        handle = await start_round(client, config, task_queue)
        try:
            # The meeting opens on its (real) timer; then a GP picks a shift.
            await until(lambda: settled(handle, meeting_open=True), what="the meeting to open")
            assert (await submit(handle, "pick", "gp04", "2027-01-05/backup")).accepted
            await until(lambda: settled(handle), what="the pick to be stored")
            closes = config.period.meeting_at + timedelta(hours=3)  # policy.meeting_duration_hours
            waiting = f"waiting for deadline {local(closes)} (meeting closes, offering opens)"

            listing = await list_rounds(client, [store], settings)
            assert listing.source == "temporal" and listing.note is None
            row = next(r for r in listing.rounds if r.period == period)
            assert (row.phase, row.district, row.source, row.status) == ("meeting", "demo", "temporal", "RUNNING")
            assert row.next_deadline == closes
            assert (row.covered, row.total, row.open) == (1, 46, 45)
            assert row.verdict == waiting and row.verdict_short == "waiting for deadline" and not row.stuck
            text = rendered(listing)
            assert period in text and local(closes) in text and "1/46" in text and "waiting for deadline" in text

            d = await diagnose(client, [store], settings, period)
            assert d.source == "temporal" and d.note is None
            assert d.verdict == waiting and d.stuck is False and d.reason is None
            assert d.status == "RUNNING" and d.run_id == handle.result_run_id
            assert d.worker_polling is True and d.workflow_task_failures == 0
            assert d.last_workflow_task_failure is None and d.last_good_workflow_task_event_id is None
            assert d.coverage.by_source["meeting"] == 1 and d.coverage.by_source["lottery"] == 0
            assert d.quota == 4 and d.workflow_version == d.stored_version == 3
            # R-LOT-1 pool on the first open shift: GPs (and stand-ins), never staff doctors.
            roles = {doc.id: doc.role for doc in config.doctors}
            pool = d.lottery_pool
            assert pool.shift.startswith("2027-01-04/") and pool.doctors
            assert all(roles[doc] is not Role.STAFF for doc in pool.doctors) and "gp04" in pool.doctors
            text = rendered(d)
            assert f"Verdict: {waiting}" in text
            assert f"{len(pool.doctors)} doctors in the R-LOT-1 pool for the first open shift" in text
            assert json.loads(d.model_dump_json())["verdict"] == waiting
        finally:
            await handle.terminate(reason="test over")


async def test_no_worker_polling_is_stuck_and_shown_from_postgresql(dev_env, store, pg_database_url, tmp_path):
    """A round whose task queue no worker polls: stuck, with phase and deadline from PostgreSQL."""
    client = dev_env.client
    task_queue = unique("nobody")
    config = example_config(unique("orphan"), meeting_in=timedelta(minutes=30))
    period = config.period.id
    settings = settings_for(dev_env, task_queue, pg_database_url, tmp_path)
    # As if a worker had stored the opening event and then gone away.
    await store_round(store, [PeriodOpened(config=config)])
    handle = await start_round(client, config, task_queue)
    try:
        d = await diagnose(client, [store], settings, period)
        assert d.stuck and d.verdict == f"stuck: no worker is polling task queue {task_queue}"
        assert d.source == "postgresql" and d.note.startswith(NO_WORKER_NOTE)
        assert d.phase == "meeting" and d.next_deadline == config.period.meeting_at
        assert d.next_step == "meeting opens" and d.coverage.total == 46 and d.coverage.open == 46
        assert d.status == "RUNNING" and d.worker_polling is False

        listing = await list_rounds(client, [store], settings)
        assert listing.source == "postgresql" and listing.note.startswith(NO_WORKER_NOTE)
        row = next(r for r in listing.rounds if r.period == period)
        assert row.stuck and row.next_deadline == config.period.meeting_at
        text = rendered(listing)
        assert NO_WORKER_NOTE in text and period in text and local(config.period.meeting_at) in text
        assert "stuck: no worker polling" in text

        # --district / --phase filter the rounds; an unknown phase is bad input.
        assert period in {r.period for r in (await list_rounds(client, [store], settings, district="demo")).rounds}
        assert period not in {r.period for r in (await list_rounds(client, [store], settings, district="moss")).rounds}
        assert period not in {r.period for r in (await list_rounds(client, [store], settings, phase="published")).rounds}
        with pytest.raises(BadInput, match="--phase: not a phase"):
            await list_rounds(client, [store], settings, phase="done")

        # Terminated before publication: stuck, whatever the projection says.
        await handle.terminate(reason="operator terminated it")
        d = await diagnose(client, [store], settings, period)
        assert d.status == "TERMINATED" and d.stuck
        assert d.verdict == "stuck: the workflow was terminated but the period is not published"
        assert d.note.startswith("The workflow is closed (TERMINATED)")
    finally:
        if (await handle.describe()).status.name == "RUNNING":
            await handle.terminate(reason="test over")


async def test_failing_append_activity_is_diagnosed_as_stuck(dev_env, pg_database_url, tmp_path):
    """The database went away under the worker: append_events retries and the diagnosis says so."""
    client = dev_env.client
    task_queue = unique("tq")
    config = example_config(unique("nodb"), meeting_in=timedelta(minutes=10))
    settings = settings_for(dev_env, task_queue, pg_database_url, tmp_path)
    reader = await create_pool(pg_database_url)
    await migrate(reader)
    gone = await create_pool(pg_database_url)
    await gone.close()  # every append now fails with a retryable error
    try:
        async with create_worker(client, EventStore(gone, projectors=[RosterProjection()]), task_queue):
            handle = await start_round(client, config, task_queue)
            try:

                async def third_attempt() -> bool:
                    pending = (await handle.describe()).raw_description.pending_activities
                    return bool(pending) and pending[0].attempt >= 3

                await until(third_attempt, what="the third append attempt")  # backoff 1 s, 2 s
                d = await diagnose(client, [EventStore(reader)], settings, config.period.id)
                assert d.stuck and d.verdict.startswith("stuck: activity append_events failing (attempt ")
                assert "pool is closed" in d.verdict
                activity = d.pending_activities[0]
                assert activity.activity_type == "append_events" and activity.attempt >= 3
                # The workflow itself is fine: it answers, with nothing stored yet.
                assert d.source == "temporal" and d.phase == "meeting" and d.stored_version == 0
                assert d.workflow_version == 1
                text = rendered(d)
                assert "Pending activities" in text and "pool is closed" in text
            finally:
                await handle.terminate(reason="test over")
    finally:
        await reader.close()


def vakt(*args: str, database_url: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
    # An empty data dir: no TEMPORAL_ADDRESS and no embedded dev server address to find.
    env.update(DATABASE_URL=database_url, VAKT_DATA_DIR=str(data_dir), COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


async def test_status_with_the_worker_stopped_shows_every_round_from_postgresql(
    dev_env, store, sim_pool, pg_database_url, tmp_path
):
    """Must show: `vakt status` on a machine with the worker stopped still shows every round
    from PostgreSQL."""
    client = dev_env.client
    task_queue = unique("tq")
    live = example_config(unique("live"), meeting_in=timedelta(minutes=10))
    simulated = example_config(unique("sim"), meeting_in=timedelta(minutes=5))
    await store_round(EventStore(sim_pool, [RosterProjection()], kind="simulation"), published_round(simulated))
    async with create_worker(client, store, task_queue):
        handle = await start_round(client, live, task_queue)
        await until(lambda: settled(handle), what="the opening to be stored")
    # The worker has stopped.
    try:
        data_dir = tmp_path / "no-temporal"
        data_dir.mkdir()
        run = vakt("status", database_url=pg_database_url, data_dir=data_dir)
        assert run.returncode == 0, run.stderr
        assert NO_WORKER_NOTE in run.stdout
        assert live.period.id in run.stdout and simulated.period.id in run.stdout
        assert local(live.period.meeting_at) in run.stdout

        run = vakt("status", "--json", database_url=pg_database_url, data_dir=data_dir)
        assert run.returncode == 0, run.stderr
        report = json.loads(run.stdout)
        assert report["source"] == "postgresql" and report["note"].startswith(NO_WORKER_NOTE)
        rows = {r["period"]: r for r in report["rounds"]}
        assert set(rows) == {live.period.id, simulated.period.id}
        assert rows[live.period.id]["phase"] == "meeting" and rows[live.period.id]["simulated"] is False
        assert rows[live.period.id]["verdict"] == "unknown: Temporal not reachable"
        assert (rows[live.period.id]["covered"], rows[live.period.id]["total"]) == (0, 46)
        assert rows[simulated.period.id]["phase"] == "published" and rows[simulated.period.id]["simulated"] is True
        assert rows[simulated.period.id]["verdict"] == "published"

        run = vakt("status", live.period.id, database_url=pg_database_url, data_dir=data_dir)
        assert run.returncode == 0, run.stderr
        assert NO_WORKER_NOTE in run.stdout and "Verdict: unknown: Temporal not reachable" in run.stdout
        assert f"{local(live.period.meeting_at)} Europe/Oslo (meeting opens)" in run.stdout

        run = vakt("status", "no-such-period", database_url=pg_database_url, data_dir=data_dir)
        assert run.returncode == 2 and "no period 'no-such-period'" in run.stderr
    finally:
        await handle.terminate(reason="test over")


@workflow.defn(name="AllocationPeriodWorkflow")
class BadDeployment(AllocationPeriodWorkflow):
    """A deployment that changed the workflow's code incompatibly: replaying a period started by
    the real code fails with a non-determinism error."""

    @workflow.run
    async def run(self, inp: PeriodInput) -> PeriodResult:
        await workflow.sleep(1)
        return await super().run(inp)


async def test_non_deterministic_workflow_task_is_diagnosed_as_stuck(dev_env, store, pg_database_url, tmp_path):
    client = dev_env.client
    task_queue = unique("tq")
    config = example_config(unique("nondet"), meeting_in=timedelta(minutes=10))
    period = config.period.id
    settings = settings_for(dev_env, task_queue, pg_database_url, tmp_path)
    idle_config = example_config(unique("idle"), meeting_in=timedelta(minutes=10))
    async with create_worker(client, store, task_queue):
        idle = await start_round(client, idle_config, task_queue)
        handle = await start_round(client, config, task_queue)
        await until(lambda: settled(idle), what="the idle round's first step")
        await until(lambda: settled(handle), what="the first step")
        assert (await submit(handle, "staff", "st01", "2027-01-04/evening")).accepted
        await until(lambda: settled(handle), what="the staff entry to be stored")
    bad = Worker(
        client,
        task_queue=task_queue,
        workflows=[BadDeployment],
        activities=[*EventStoreActivities(store).activities(), *LotteryActivities(store).activities()],
        workflow_runner=UnsandboxedWorkflowRunner(),  # the class lives in this test module
    )
    update = None
    try:
        async with bad:
            # A new workflow task: the bad code replays the history and fails.
            update = asyncio.create_task(submit(handle, "staff", "st01", "2027-01-05/evening"))

            async def retried() -> bool:
                pending = (await handle.describe()).raw_description.pending_workflow_task
                return pending.attempt > 1

            await until(retried, what="the workflow task to fail")
            d = await diagnose(client, [store], settings, period)
            assert d.verdict.startswith(
                "stuck: workflow task failing (NON_DETERMINISTIC_ERROR: [TMPRL1100] Nondeterminism error"
            ), d.verdict
            assert f" since {local(d.failing_since)}" in d.verdict
            assert d.status == "RUNNING" and d.workflow_task_failures >= 1
            failure = d.last_workflow_task_failure
            assert failure.cause == "NON_DETERMINISTIC_ERROR" and "Nondeterminism" in failure.message
            # The query is not even tried: phase and coverage come from PostgreSQL.
            assert d.source == "postgresql" and "does not answer queries" in d.note
            assert d.phase == "meeting" and d.coverage.by_source["staff"] == 1 and d.stored_version == 2

            # The reset point: the last completed workflow task before the failing streak.
            history = [e async for e in handle.fetch_history_events()]
            by_id = {e.event_id: e for e in history}
            good = d.last_good_workflow_task_event_id
            assert by_id[good].event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
            first_failure = min(
                e.event_id for e in history if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
            )
            assert good < first_failure
            assert not any(
                e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
                for e in history
                if good < e.event_id < first_failure
            )
            text = rendered(d)
            assert "Verdict: stuck: workflow task failing (NON_DETERMINISTIC_ERROR" in text
            assert f"event {good} (reset point)" in text

            listing = await list_rounds(client, [store], settings)
            row = next(r for r in listing.rounds if r.period == period)
            assert row.stuck and row.verdict.startswith("stuck: workflow task failing (NON_DETERMINISTIC_ERROR")
            assert row.verdict_short == "stuck: workflow task failing (NON_DETERMINISTIC_ERROR)"

            # A round with no new task yet: its history is fine, but a query's replay fails the same way.
            i = await diagnose(client, [store], settings, idle_config.period.id)
            assert i.stuck and i.verdict.startswith("stuck: the deployed worker cannot replay this workflow")
            assert i.workflow_task_failures == 0 and i.source == "postgresql" and i.phase == "meeting"
    finally:
        if update is not None:
            update.cancel()
            await asyncio.gather(update, return_exceptions=True)
        await handle.terminate(reason="test over")
        await idle.terminate(reason="test over")
