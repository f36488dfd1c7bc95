"""A round run by Temporal for the read benchmark's operator page (bench/bench_reads.py): a
Temporal dev server of its own, a worker in the benchmark's process, and the 1,000-doctor year
started through the front door's own use case, stepped through its meeting into the offering.

The round page then shows what an operator sees of a live round: the workflow described, its
history read for failing tasks, its phase and coverage queried, beside the stored fold.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from app.bootstrap import Services
from app.periods.live import start_period
from bench.burst import wait_for_offering
from bench.reads import offering_config
from domain.model import PeriodConfig
from infra.embedded import start_dev_server_env
from worker import create_worker
from workflows import search


@asynccontextmanager
async def temporal_round(services: Services, document: dict, period_id: str, district_id: str,
                         work: Path) -> AsyncIterator[tuple[str, PeriodConfig]]:
    """Yields (the dev server's address, the round's config) while the server and worker run."""
    dev = await start_dev_server_env(work / "temporal", services.data_converter, ui=False,
                                     search_attributes=search.ALL)
    try:
        client = dev.env.client
        services.adopt_client(client)
        db = await services.database()
        # Not on the registry's roll: a round started for a registered district mails every doctor
        # (app.periods.live), and a thousand invitations in flight are not what is measured here.
        config = offering_config(document, period_id, district_id)
        async with create_worker(client, db.store, services.settings.temporal_task_queue):
            await start_period(services, config, started_by="operator:bench")
            await wait_for_offering(services, period_id)
            await _quiet(client, period_id)
            yield client.service_client.config.target_host, config
            await client.get_workflow_handle(period_id).terminate(reason="benchmark over")
    finally:
        await dev.env.shutdown()


async def _quiet(client, period: str, timeout: float = 180.0) -> None:
    """Until the round's activities are done (its events stored): the page is read of an idle round."""
    handle = client.get_workflow_handle(period)
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while loop.time() < give_up:
        if not (await handle.describe()).raw_description.pending_activities:
            return
        await asyncio.sleep(0.5)
    raise TimeoutError(f"{period}: activities still pending after {timeout:.0f} s")
