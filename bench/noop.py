"""A workflow whose update does nothing: the yardstick for the front door's throughput.

Measured on the same server in the same run, it tells what one workflow can take at best; the
burst benchmark reports the front door's actions per second as a ratio of it."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow


@workflow.defn(name="BenchNoopWorkflow")
class NoopWorkflow:
    def __init__(self) -> None:
        self._done = False
        self._count = 0

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self._done, timeout=timedelta(hours=1))
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._count

    @workflow.update
    def noop(self, value: int) -> int:
        self._count += 1
        return value

    @workflow.signal
    def finish(self) -> None:
        self._done = True
