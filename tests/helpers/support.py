"""Helpers shared by the integration tests: the test payload key, the encrypting converter,
sending doctors' actions the way the front door does, and services over a test database."""

from __future__ import annotations

import base64
import os
import uuid
from pathlib import Path

from temporalio.client import Client, WorkflowHandle

from app.bootstrap import Services
from domain.clock import Clock
from domain.period.rules import ACTION_BY_VERB, ActionKind
from infra.codec import ENV_KEYS, Keyring, PayloadKey, data_converter
from infra.settings import Settings
from workflows.messages import ActionOutcome, ActionRequest, SubmitActionsInput
from workflows.period import AllocationPeriodWorkflow

# A fixed key for the test suite only (never a real deployment's): every payload the tests
# send through Temporal is encrypted with it, and subprocesses inherit it through the env.
TEST_KEY = PayloadKey("test-key-1", bytes(range(32)))
TEST_KEYRING = Keyring((TEST_KEY,), "the test suite")
TEST_KEYS_ENV = f"{TEST_KEY.id}:{base64.b64encode(TEST_KEY.secret).decode()}"
os.environ[ENV_KEYS] = TEST_KEYS_ENV
CONVERTER = data_converter(TEST_KEYRING)


def request(kind: ActionKind | str, doctor: str, shift: str, actor: str = "operator:test") -> ActionRequest:
    kind = ACTION_BY_VERB.get(kind, kind) if isinstance(kind, str) else kind
    return ActionRequest(request_id=uuid.uuid4().hex, kind=ActionKind(kind), doctor=doctor, shift=shift, actor=actor)


async def submit(handle: WorkflowHandle, kind: ActionKind | str, doctor: str, shift: str, **kw) -> ActionOutcome:
    """One action in one update, as the front door would send a batch of one."""
    result = await handle.execute_update(
        AllocationPeriodWorkflow.submit_actions, SubmitActionsInput(actions=[request(kind, doctor, shift, **kw)])
    )
    return result.outcomes[0]


async def submit_retrying(client: Client, period: str, kind: ActionKind | str, doctor: str, shift: str) -> ActionOutcome:
    """As `submit`, through app.periods.updates.send_update: retried while the run rolls over."""
    from app.periods.updates import send_update

    result = await send_update(
        client, period, AllocationPeriodWorkflow.submit_actions, SubmitActionsInput(actions=[request(kind, doctor, shift)])
    )
    return result.outcomes[0]


def retrying_update(handle: WorkflowHandle):
    """`update(method, arg)`: an update that meets the run rolling over (every
    `max_updates_per_run` updates) is retried on the next run, as the front door does."""
    import asyncio

    from temporalio.client import WorkflowUpdateFailedError
    from temporalio.exceptions import ApplicationError

    from workflows.period import RUN_ROLLING_OVER

    async def update(method, arg):
        for _ in range(200):
            try:
                return await handle.execute_update(method, arg)
            except WorkflowUpdateFailedError as e:
                if not (isinstance(e.cause, ApplicationError) and e.cause.type == RUN_ROLLING_OVER):
                    raise
            await asyncio.sleep(0.05)
        raise TimeoutError("the run did not roll over")

    return update


def services_for(
    database_url: str, data_dir: Path, client: Client | None = None, *, clock: Clock | None = None, **env: str
) -> Services:
    """Services over a test database (already migrated) and, optionally, a test's client and clock."""
    environment = {**os.environ, "DATABASE_URL": database_url, "VAKT_DATA_DIR": str(data_dir), **env}
    services = Services(Settings.from_env(environment), env=environment, clock=clock)
    if client is not None:
        services.adopt_client(client)
    return services


def bad_input_problems(table, runs) -> list[str]:
    """What is wrong with each command's answer to bad input (an empty list when all is well).

    `table` holds (arguments, fragment the one-line error must say); `runs` the completed
    processes in the same order. The standard: exit 2, one `vakt: ` line naming the record and
    field, no traceback, nothing on stdout, no escape codes and the input not echoed back.
    """
    problems = []
    for (args, fragment), run in zip(table, runs, strict=True):
        label = " ".join(a if len(a) < 40 else a[:20] + "…" for a in args)
        lines = run.stderr.strip().splitlines()
        if run.returncode != 2:
            problems.append(f"{label}: exit {run.returncode}, stderr {run.stderr[-300:]!r}")
        elif len(lines) != 1 or not lines[0].startswith("vakt: "):
            problems.append(f"{label}: not one line: {run.stderr[-300:]!r}")
        elif fragment not in lines[0]:
            problems.append(f"{label}: {lines[0]!r} does not say {fragment!r}")
        elif run.stdout.strip() or "Traceback" in run.stderr:
            problems.append(f"{label}: output or traceback: {run.stdout[-200:]!r}")
        elif "\x1b" in run.stderr or len(lines[0]) > 1000:
            problems.append(f"{label}: an escape code or the input echoed: {lines[0][:200]!r}")
    return problems
