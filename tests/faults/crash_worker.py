"""A worker that crashes after a commit, for the fault tests: `python -m tests.faults.crash_worker`.

Built exactly like `worker.py`, with one difference: its event-store and lottery activities call
`crash_after_commit` right after their append committed, before they report. Inert unless
VAKT_FAULT_CRASH_AFTER_COMMIT is set: when it names a file that does not exist yet, the worker
creates that file and kills its own process hard (no result reaches Temporal, which retries the
activity on another worker). The file makes it fire once; deleting it arms it again. With
VAKT_FAULT_CRASH_ACTIVITY set, only that activity's commit fires it (e.g. run_lottery).

Only this worker installs the hook: the real worker's activities call nothing after a commit.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from functools import partial

CRASH_ENV = "VAKT_FAULT_CRASH_AFTER_COMMIT"
CRASH_ACTIVITY_ENV = "VAKT_FAULT_CRASH_ACTIVITY"
CRASH_CODE = 137


def crash_after_commit(activity_name: str) -> None:
    from infra.process import crash_now

    marker = os.environ.get(CRASH_ENV)
    if not marker or os.path.exists(marker):
        return
    only = os.environ.get(CRASH_ACTIVITY_ENV)
    if only and only != activity_name:
        return
    with open(marker, "w") as f:
        f.write(str(os.getpid()))
    os.write(2, b"VAKT FAULT: append committed; crashing before reporting (exit 137)\n")
    crash_now(CRASH_CODE)


async def serve() -> None:
    from infra.settings import Settings
    from worker import create_worker
    from worker import serve as serve_worker

    # The real worker's start-up and banner (the harness waits for it), with the hook installed.
    await serve_worker(Settings.from_env(), make_worker=partial(create_worker, after_commit=crash_after_commit))


def main() -> None:
    from infra.process import install_temporal_runtime

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    install_temporal_runtime()
    asyncio.run(serve())


if __name__ == "__main__":
    main()
