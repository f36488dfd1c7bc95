"""Record a published round under swap approval (R-SWAP-2), for the replay test:

    .venv/bin/python -m tests.replay.record_approvals

A live, notifying period of the example district whose policy asks an operator to approve every
swap: one waiting swap approved, one withdrawn by its giver while it waits, one rejected with a
reason; their e-mails; shifts worked as they end; continue-as-new every 10 updates. Recorded
with the code from before the withdrawal notice (the `swap-withdrawn-notice` patch), so the
replay test shows that such a round keeps replaying without it. Written to
tests/replay/histories/approvals/.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from tests.replay.record import (
    EXAMPLE, HISTORIES, TASK_QUEUE, WORKFLOW_ID, _skip_until, write_runs,
)
from tests.helpers.support import retrying_update

APPROVALS = HISTORIES / "approvals"
OPERATOR = "operator:recorder"


async def record_approvals(out: Path = APPROVALS) -> list[Path]:

    from adapters.postgres.event_store import EventStore
    from adapters.postgres.projections import RosterProjection
    from adapters.postgres.schema import create_pool, migrate
    from app.registry.districts import import_scenario
    from domain.model import Phase
    from domain.period.calendar import PeriodCalendar
    from domain.period.events import parse_event
    from domain.period.state import fold
    from domain.scenario import parse_scenario, to_period_config
    from domain.swap_policy import SwapApprovalPolicy
    from infra.embedded import embedded_postgres_url, start_time_skipping_env, stop_embedded_postgres
    from infra.mailbox import DevSmtpServer
    from tests.helpers.mail import free_port
    from tests.helpers.support import CONVERTER, services_for, submit_retrying
    from tests.integration.test_swap_notices import swappable
    from worker import create_worker, live_activities
    from workflows.messages import (
        AcceptSwapInput, ApproveSwapInput, CloseSwapInput, OfferSwapInput, PeriodInput, RejectSwapInput,
    )
    from workflows.period import AllocationPeriodWorkflow

    scenario = parse_scenario(json.loads(EXAMPLE.read_text()))
    config = to_period_config(scenario)
    policy = config.district.policy.model_copy(update={"swap_approval": SwapApprovalPolicy(mode="always")})
    config = config.model_copy(update={
        "period": config.period.model_copy(update={"id": WORKFLOW_ID}),
        "district": config.district.model_copy(update={"id": "demo", "policy": policy}),
    })
    data_dir = Path(tempfile.mkdtemp(prefix="vakt-replay-pg-"))
    smtp = DevSmtpServer(data_dir / "mail", port=free_port())
    smtp.start()
    try:
        url = embedded_postgres_url(data_dir / "pg", cleanup_mode="delete")
        live = await create_pool(url)
        await migrate(live)
        pool = await create_pool(url, schema="simulation")
        store = EventStore(pool, [RosterProjection()], kind="simulation")
        env = await start_time_skipping_env(CONVERTER)
        services = services_for(url, data_dir, env.client, SMTP_URL=f"smtp://127.0.0.1:{smtp.port}")
        await import_scenario(services, "demo", EXAMPLE, actor="admin:recorder")
        extra = await live_activities(services)
        async with env, create_worker(env.client, store, TASK_QUEUE, fail_fast=True, extra_activities=extra):
            anchor = config.period.wishes_due - timedelta(hours=1)
            inp = PeriodInput(
                config=config, simulated=True, notify=True, follow_through=True, max_updates_per_run=10,
                clock_offset_seconds=(anchor - await env.get_current_time()).total_seconds(),
                started_by="operator:recorder",
            )
            handle = await env.client.start_workflow(
                AllocationPeriodWorkflow.run, inp, id=WORKFLOW_ID, task_queue=TASK_QUEUE
            )
            first_run = handle.result_run_id
            for a in scenario.staff_assignments:
                await submit_retrying(env.client, WORKFLOW_ID, "staff", a.doctor, a.shift)
            await _skip_until(env, handle, lambda v: v.phase is Phase.PUBLISHED)
            view = await handle.query(AllocationPeriodWorkflow.phase)
            state = fold(parse_event(e.data) for e in await store.read_stream(WORKFLOW_ID))
            calendar = PeriodCalendar.from_config(state.require_config())
            involved: set[str] = set()

            update = retrying_update(handle)

            async def waiting() -> tuple[str, str]:
                giver, shift, receiver = swappable(state, calendar, view.now, involved)
                asked = OfferSwapInput(giver=giver, shift=shift, receiver=None, actor=f"doctor:{giver}")
                swap = (await update(AllocationPeriodWorkflow.offer_swap, asked)).swap
                accepted = await update(AllocationPeriodWorkflow.accept_swap,
                                        AcceptSwapInput(swap=swap, receiver=receiver, actor=f"doctor:{receiver}"))
                assert accepted.awaiting_approval, accepted
                return swap, giver

            swap, _ = await waiting()
            await update(AllocationPeriodWorkflow.approve_swap, ApproveSwapInput(swap=swap, actor=OPERATOR))
            swap, giver = await waiting()
            await update(AllocationPeriodWorkflow.close_swap, CloseSwapInput(swap=swap, by=giver, actor=f"doctor:{giver}"))
            swap, _ = await waiting()
            await update(AllocationPeriodWorkflow.reject_swap,
                         RejectSwapInput(swap=swap, reason="Bakvakten må være på plass", actor=OPERATOR))
            result = await handle.result()  # the server skips to the last shift's end
            assert result.phase is Phase.PUBLISHED and result.runs > 1, result
            written = await write_runs(env.client, first_run, out)
        await services.aclose()
        await pool.close()
        await live.close()
    finally:
        smtp.stop()
        stop_embedded_postgres(data_dir / "pg")
        shutil.rmtree(data_dir, ignore_errors=True)
    return written


if __name__ == "__main__":
    from infra.process import exit_now, install_temporal_runtime

    install_temporal_runtime()
    paths = asyncio.run(record_approvals())
    print("\n".join(f"wrote {p} ({p.stat().st_size:,} bytes)" for p in paths))
    exit_now(0)
