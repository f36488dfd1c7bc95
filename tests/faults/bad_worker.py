"""A bad deployment, for the fault tests: `python -m tests.faults.bad_worker`.

Built exactly like `worker.py` (same settings, store, activities, task queue), but the workflow
registered as "AllocationPeriodWorkflow" is a changed version whose `run` first sleeps one
second. Histories written by the real workflow start with other commands (search attributes, the
first append), so replaying any of them fails with a non-determinism error, and the workflow
task is retried for as long as this code is deployed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from datetime import timedelta

from temporalio import workflow
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    from workflows.messages import PeriodInput, PeriodResult
    from workflows.period import AllocationPeriodWorkflow


@workflow.defn(name="AllocationPeriodWorkflow")
class ChangedAllocationPeriodWorkflow(AllocationPeriodWorkflow):
    @workflow.run
    async def run(self, inp: PeriodInput) -> PeriodResult:
        await workflow.sleep(timedelta(seconds=1))  # the non-deterministic change
        return await super().run(inp)


def create_bad_worker(client, store, task_queue: str) -> Worker:
    """`worker.create_worker` itself, with the changed class in place of the real one."""
    import worker

    worker.AllocationPeriodWorkflow = ChangedAllocationPeriodWorkflow  # only in this process
    return worker.create_worker(client, store, task_queue)


async def serve() -> None:
    from contextlib import AsyncExitStack

    from infra.settings import Settings
    from worker import connect, open_store, resolve_database_url

    settings = Settings.from_env()
    async with AsyncExitStack() as stack:
        client, address = await connect(settings, stack)
        pool, store = await open_store(await resolve_database_url(settings))
        stack.push_async_callback(pool.close)
        worker = create_bad_worker(client, store, settings.temporal_task_queue)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print(
            f"Worker running on task queue {settings.temporal_task_queue!r} "
            f"(BAD DEPLOYMENT, Temporal {address})",
            flush=True,
        )
        async with worker:
            await stop.wait()


def main() -> None:
    from infra.process import install_temporal_runtime

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    install_temporal_runtime()
    asyncio.run(serve())


if __name__ == "__main__":
    main()
