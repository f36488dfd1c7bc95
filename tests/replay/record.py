"""Record the histories the replay test replays: one whole period on the time-skipping server.

    .venv/bin/python -m tests.replay.record

Run it when a change to the workflow is *intended* to change its history (and the change is
deployed with a new workflow type or a patch, never over running periods). It rewrites
tests/replay/histories/*.json: a period from the meeting to publication with an advance wish,
a refused action, an operator's deadline extension and early close, a continue-as-new (the run
is forced to continue every 10 updates), the lottery and publication. Payloads are encrypted with
the test suite's key (tests/helpers/support.py), as in production. `--seeded` records a
drand-seeded period (histories/seed/), `--published` a published round with swaps, their
e-mails and worked shifts (histories/published/).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.service import RPCError

from adapters.postgres.schema import create_pool, migrate
from adapters.postgres.projections import RosterProjection
from adapters.postgres.event_store import EventStore
from worker import create_worker
from domain.model import Phase
from domain.scenario import parse_scenario, to_period_config
from infra.embedded import embedded_postgres_url, start_time_skipping_env, stop_embedded_postgres
from app.periods.updates import send_update
from tests.helpers.support import CONVERTER, submit_retrying
from workflows.messages import ClosePhaseInput, ExtendDeadlineInput, PeriodInput
from workflows.period import AllocationPeriodWorkflow

HERE = Path(__file__).resolve().parent
HISTORIES = HERE / "histories"
EXAMPLE = HERE.parent / "data" / "example-scenario.json"
WORKFLOW_ID = "replay-period"
TASK_QUEUE = "replay-recording"


async def _skip_until(env, handle, reached) -> None:
    for _ in range(200):
        try:
            view = await handle.query(AllocationPeriodWorkflow.phase, rpc_timeout=timedelta(seconds=10))
        except RPCError:  # mid continue-as-new on the test server: ask the next run
            await asyncio.sleep(0.05)
            continue
        if reached(view):
            return
        if view.next_deadline and view.next_deadline > view.now:
            await env.sleep(view.next_deadline - view.now + timedelta(seconds=1))
        else:
            await asyncio.sleep(0.05)
    raise TimeoutError("phase not reached")


async def write_runs(client, first_run: str, out: Path) -> list[Path]:
    """Every run of the recorded workflow, from `first_run` along its continue-as-new chain, as
    `out/period-run<n>.json` (the directory's old recordings removed first)."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.json"):
        old.unlink()
    written: list[Path] = []
    run_id: str | None = first_run
    while run_id:
        history = await client.get_workflow_handle(WORKFLOW_ID, run_id=run_id).fetch_history()
        path = out / f"period-run{len(written) + 1}.json"
        path.write_text(history.to_json())
        written.append(path)
        last = history.events[-1]
        run_id = (
            last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
            if last.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
            else None
        )
    return written


async def record(out: Path = HISTORIES) -> list[Path]:
    scenario = parse_scenario(json.loads(EXAMPLE.read_text()))
    config = to_period_config(scenario)
    config = config.model_copy(update={"period": config.period.model_copy(update={"id": WORKFLOW_ID})})
    data_dir = Path(tempfile.mkdtemp(prefix="vakt-replay-pg-"))
    try:
        url = embedded_postgres_url(data_dir, cleanup_mode="delete")
        pool = await create_pool(url, schema="simulation")
        await migrate(pool)
        store = EventStore(pool, [RosterProjection()], kind="simulation")
        env = await start_time_skipping_env(CONVERTER)
        async with env, create_worker(env.client, store, TASK_QUEUE, fail_fast=True):
            anchor = config.period.wishes_due - timedelta(hours=1)
            inp = PeriodInput(
                config=config, simulated=True, max_updates_per_run=10,
                clock_offset_seconds=(anchor - await env.get_current_time()).total_seconds(),
                started_by="operator:recorder",
                follow_through=False,
            )
            handle = await env.client.start_workflow(
                AllocationPeriodWorkflow.run, inp, id=WORKFLOW_ID, task_queue=TASK_QUEUE
            )
            first_run = handle.result_run_id
            client = env.client
            for a in scenario.staff_assignments:
                await submit_retrying(client, WORKFLOW_ID, "staff", a.doctor, a.shift)
            for a in scenario.advance_wishes:
                await submit_retrying(client, WORKFLOW_ID, "wish", a.doctor, a.shift)
            view = await handle.query(AllocationPeriodWorkflow.phase)
            extension = ExtendDeadlineInput(
                until=view.next_deadline + timedelta(hours=2), operator="Kari", reason="room taken"
            )
            await send_update(client, WORKFLOW_ID, AllocationPeriodWorkflow.extend_deadline, extension)
            await _skip_until(env, handle, lambda v: v.meeting_open)
            for a in scenario.meeting_picks:  # one action per update: the run continues as new
                await submit_retrying(client, WORKFLOW_ID, "pick", a.doctor, a.shift)
            close = ClosePhaseInput(operator="Kari", reason="all picked")
            await send_update(client, WORKFLOW_ID, AllocationPeriodWorkflow.close_phase_early, close)
            await _skip_until(env, handle, lambda v: v.phase is Phase.OFFERING)
            for a in scenario.claims:
                await submit_retrying(client, WORKFLOW_ID, "claim", a.doctor, a.shift)
            result = await handle.result()
            assert result.phase is Phase.PUBLISHED and result.runs > 1, result
            written = await write_runs(env.client, first_run, out)
        await pool.close()
    finally:
        stop_embedded_postgres(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)
    return written


SEEDED = HISTORIES / "seed"  # R-LOT-5: a round whose seed comes from a drand beacon


async def record_seeded(out: Path = SEEDED) -> list[Path]:
    """A drand-seeded period (R-LOT-5): committed when the offering opens, the beacon's round
    fetched from a local relay serving a real round, then drawn and published. Recorded after
    the change, so later changes keep these rounds replaying too."""
    import os

    from tests.helpers.fake_beacon import fake_beacon
    from tests.integration.test_seed_workflow import example_in_september_2023

    scenario = parse_scenario(example_in_september_2023())
    config = to_period_config(scenario)
    config = config.model_copy(update={"period": config.period.model_copy(update={"id": WORKFLOW_ID})})
    data_dir = Path(tempfile.mkdtemp(prefix="vakt-replay-pg-"))
    try:
        url = embedded_postgres_url(data_dir, cleanup_mode="delete")
        pool = await create_pool(url, schema="simulation")
        await migrate(pool)
        store = EventStore(pool, [RosterProjection()], kind="simulation")
        env = await start_time_skipping_env(CONVERTER)
        with fake_beacon() as beacon:
            os.environ["VAKT_DRAND_URL"] = beacon.url
            async with env, create_worker(env.client, store, TASK_QUEUE, fail_fast=True):
                anchor = config.period.wishes_due - timedelta(hours=1)
                inp = PeriodInput(
                    config=config, simulated=True,
                    clock_offset_seconds=(anchor - await env.get_current_time()).total_seconds(),
                    started_by="operator:recorder", follow_through=False,
                )
                handle = await env.client.start_workflow(
                    AllocationPeriodWorkflow.run, inp, id=WORKFLOW_ID, task_queue=TASK_QUEUE
                )
                for a in scenario.staff_assignments:
                    await submit_retrying(env.client, WORKFLOW_ID, "staff", a.doctor, a.shift)
                result = await handle.result()
                assert result.phase is Phase.PUBLISHED, result
                out.mkdir(parents=True, exist_ok=True)
                for old in out.glob("*.json"):
                    old.unlink()
                path = out / "period-run1.json"
                path.write_text((await handle.fetch_history()).to_json())
        await pool.close()
    finally:
        stop_embedded_postgres(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)
    return [path]


PUBLISHED = HISTORIES / "published"  # the published round: swaps, their notices, worked shifts


async def record_published(out: Path = PUBLISHED) -> list[Path]:
    """A live period after publication, with notices: a named offer taken, an offer to everyone
    withdrawn, a named offer declined and one left to expire on its timer, shifts recorded as
    worked as they end, and continue-as-new among the swaps (every 10 updates, the staff's shifts
    included). Recorded before
    vacancies and swap approval, so rounds published before them keep replaying."""
    from tests.integration.test_swap_notices import swappable
    from tests.replay.published_round import published_round  # it imports this module
    from workflows.messages import AcceptSwapInput, CloseSwapInput, OfferSwapInput

    async with published_round() as r:
        involved: set[str] = set()

        async def offer(giver, shift, receiver):
            asked = OfferSwapInput(giver=giver, shift=shift, receiver=receiver, actor=f"doctor:{giver}")
            return (await r.update(AllocationPeriodWorkflow.offer_swap, asked)).swap

        giver, shift, receiver = swappable(r.state, r.calendar, r.view.now, involved)
        swap = await offer(giver, shift, receiver)
        await r.update(AllocationPeriodWorkflow.accept_swap,
                       AcceptSwapInput(swap=swap, receiver=receiver, actor=f"doctor:{receiver}"))
        giver, shift, _ = swappable(r.state, r.calendar, r.view.now, involved)
        swap = await offer(giver, shift, None)
        await r.update(AllocationPeriodWorkflow.close_swap, CloseSwapInput(swap=swap, by=giver, actor=f"doctor:{giver}"))
        giver, shift, receiver = swappable(r.state, r.calendar, r.view.now, involved)
        swap = await offer(giver, shift, receiver)
        await r.update(AllocationPeriodWorkflow.close_swap,
                       CloseSwapInput(swap=swap, by=receiver, actor=f"doctor:{receiver}"))
        giver, shift, receiver = swappable(r.state, r.calendar, r.view.now, involved)
        await offer(giver, shift, receiver)  # left to expire
        result = await r.handle.result()  # the server skips past the expiry to the last shift's end
        assert result.phase is Phase.PUBLISHED and result.runs > 1, result
        return await write_runs(r.env.client, r.first_run, out)


if __name__ == "__main__":
    import sys

    from infra.process import exit_now, install_temporal_runtime

    install_temporal_runtime()
    # `--seeded` records only the drand-seeded period (tests/replay/histories/seed/),
    # `--published` only the published round (tests/replay/histories/published/).
    if "--seeded" in sys.argv:
        paths = asyncio.run(record_seeded())
    elif "--published" in sys.argv:
        paths = asyncio.run(record_published())
    elif "--vacancies" in sys.argv:  # tests/replay/histories/vacancies/ (R-VAC-1..3)
        from tests.replay.record_vacancies import record_vacancies

        paths = asyncio.run(record_vacancies())
    else:
        paths = asyncio.run(record())
    print("\n".join(f"wrote {p} ({p.stat().st_size:,} bytes)" for p in paths))
    exit_now(0)
