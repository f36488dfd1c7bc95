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


def create_bad_worker(client, store, task_queue: str, **kwargs) -> Worker:
    """`create_worker` itself, with the changed class in place of the real one."""
    from worker import create_worker

    return create_worker(client, store, task_queue, workflow_class=ChangedAllocationPeriodWorkflow, **kwargs)


async def serve() -> None:
    from infra.settings import Settings
    from worker import serve as serve_worker

    # The real worker's start-up and banner (the harness waits for it), with the changed code.
    await serve_worker(Settings.from_env(), make_worker=create_bad_worker)


def main() -> None:
    from infra.process import install_temporal_runtime

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    install_temporal_runtime()
    asyncio.run(serve())


if __name__ == "__main__":
    main()
