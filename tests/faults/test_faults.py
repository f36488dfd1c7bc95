"""No fault loses an event.

Real processes only: a Temporal dev server, an embedded PostgreSQL and the workers run as
subprocesses and are killed, stopped and started again while a round of the example scenario
is played in real time. After every fault the round completes, and its stored events equal
those of the undisturbed run of the same scenario (same count, no gaps or duplicates, same
(type, data) sequence, same roster, same refused actions).

Recovery times come from Temporal's own timeouts, not from the tests: a workflow task for a
killed worker waits on that worker's sticky queue for 10 s (the worker default) before any worker
gets it; an activity attempt on a killed worker is noticed by its 10 s start-to-close timeout
(APPEND_TIMEOUT). The deadlines below leave room for that, and nothing more.
"""

from __future__ import annotations

import asyncio
import json
import time

from temporalio.api.enums.v1 import EventType

from domain.model import Phase
from tests.faults.conftest import FaultEnv, Workers, new_round
from tests.faults.crash_worker import CRASH_ENV
from tests.faults.harness import (
    Round,
    Schedule,
    StoredRound,
    StreamLock,
    assert_same_round,
    read_events,
    run_vakt,
)

STICKY = 10.0  # the worker's sticky_queue_schedule_to_start_timeout
APPEND_TIMEOUT = 10.0  # workflows.period.runtime.APPEND_TIMEOUT


async def _lottery_in_flight(rnd: Round, timeout: float):
    """Until the workflow is in the lottery phase with its `run_lottery` activity running."""

    async def running() -> bool:
        return any(a.activity_type.name == "run_lottery" for a in (await rnd.pending()).pending_activities)

    view = await rnd.wait_for_phase(lambda v: v.phase is Phase.LOTTERY, "the lottery phase", timeout)
    deadline = time.monotonic() + 15
    while not await running():
        if time.monotonic() > deadline:
            raise rnd.fail("the run_lottery activity did not start")
        await asyncio.sleep(0.1)
    return view


async def _append_attempts(rnd: Round, activity: str = "append_events") -> list[tuple[int, str]]:
    """(attempt, last failure) of the pending activities of one type."""
    raw = await rnd.pending()
    return [(a.attempt, a.last_failure.message) for a in raw.pending_activities if a.activity_type.name == activity]


async def _append_history(rnd: Round) -> list[tuple[str, int]]:
    """For each storing activity that ran, from the history: ("lottery" for run_lottery, which
    stores the draws, or "other" for append_events), and its attempt."""
    batches: dict[int, str] = {}
    out = []
    async for e in rnd.handle.fetch_history_events():
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            name = e.activity_task_scheduled_event_attributes.activity_type.name
            batches[e.event_id] = "lottery" if name == "run_lottery" else "other"
        elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            attrs = e.activity_task_started_event_attributes
            out.append((batches[attrs.scheduled_event_id], attrs.attempt))
    return out


def _retried(history: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return [(kind, attempt) for kind, attempt in history if attempt > 1]


# --------------------------------------------------------------------------------- fault 1


async def test_worker_killed_during_meeting_and_lottery(fault_env: FaultEnv, workers: Workers, baseline):
    """kill -9 of the worker after half the meeting's picks (the rest wait for a new worker),
    and again while the lottery's append is in flight; a new worker finishes the round."""
    w1 = await workers.ready("w1")
    # The meeting must outlast one sticky-queue timeout plus a worker start.
    rnd = new_round(fault_env, workers, "kill", Schedule(meeting_len=STICKY + 8, offering_len=3))
    await rnd.start()
    await rnd.send_preparation()
    await rnd.wait_meeting_open()

    async def kill_midway(i: int) -> None:
        if i == 14:  # 15 of 30 picks answered
            w1.kill()
            rnd.mark("w1 killed (meeting)")
            workers.spawn("w2")  # starts while the next picks already wait

    await rnd.send("meeting_picks", after_each=kill_midway)
    rnd.mark("picks answered")
    w2 = workers.started[-1]
    assert w1.returncode == -9 and w2.alive(), workers.logs()

    await rnd.wait_offering()
    await rnd.send("claims")
    await rnd.wait_stored()
    # Hold the roster row of a shift the lottery draws (the same draws as the baseline's: same
    # state, same seed), so the lottery's append waits in PostgreSQL: the kill then lands while
    # the lottery is in flight, every time.
    first_drawn = next(e.data["shift"] for e in baseline.events if e.type == "LotteryDrawn")
    lock = await StreamLock.roster_row(fault_env.database_url, rnd.period_id, first_drawn)
    try:
        view = await _lottery_in_flight(rnd, timeout=rnd.schedule.offering_closes - rnd.elapsed() + 15)
        assert [a for a, _ in await _append_attempts(rnd, "run_lottery")] == [1], "the lottery is not running"
        await asyncio.sleep(1)  # its draws are computed; their append waits on the row
        w2.kill()
        rnd.mark("w2 killed (lottery)")
    finally:
        await lock.release()
    stored = await read_events(fault_env.database_url, rnd.period_id)
    assert "LotteryStarted" not in {e.type for e in stored}, "the kill came too late: the lottery was stored"
    assert view.version == len(stored)  # everything before the lottery was stored first
    workers.spawn("w3")

    result = await rnd.result(timeout=APPEND_TIMEOUT + STICKY + 20)
    rnd.mark("published")
    print(f"\n{rnd.period_id}: {rnd.marks}")
    assert result.phase is Phase.PUBLISHED
    appends = await _append_history(rnd)
    # The lottery's append ran twice; a pick's append in flight at the first kill may have too.
    assert ("lottery", 2) in _retried(appends) and len(_retried(appends)) <= 2, appends
    assert_same_round(await StoredRound.load(fault_env.database_url, rnd), baseline)


# --------------------------------------------------------------------------------- fault 2


async def test_postgres_down_30s_during_offering(fault_env: FaultEnv, workers: Workers, baseline):
    """PostgreSQL stopped for 30 s as the offering opens; every claim arrives while it is down
    (the workflow accepts them, the appends fail and retry); it starts again on the same socket."""
    outage = 30.0
    await workers.ready("w1")
    # Offering: the outage, plus the append's retry after it (backoff 1, 2, 4, 8, 16 s), plus slack.
    rnd = new_round(fault_env, workers, "pgdown", Schedule(meeting_len=3, offering_len=outage + 6))
    await rnd.start()
    await rnd.send_preparation()
    await rnd.wait_meeting_open()
    await rnd.send("meeting_picks")
    await rnd.wait_offering()
    await rnd.wait_stored()

    pg = fault_env.postgres
    socket_path = pg.socket_path()
    stopped_at = time.monotonic()
    await asyncio.to_thread(pg.stop)
    rnd.mark("postgres stopped")
    try:
        assert not socket_path.exists()
        await rnd.send("claims", spacing=2.0)  # spread over the outage
        rnd.mark("claims answered")
        view = await rnd.phase()
        assert view.phase is Phase.OFFERING and view.stored_version < view.version, view

        await asyncio.sleep(max(0.0, stopped_at + outage - 2 - time.monotonic()))
        attempts = await _append_attempts(rnd)
        assert attempts and attempts[0][0] >= 4, f"the append should be retrying: {attempts}"
        await asyncio.sleep(max(0.0, stopped_at + outage - time.monotonic()))
    finally:
        if not pg.running:  # the later tests need it, whatever happened here
            await asyncio.to_thread(pg.start)
            rnd.mark("postgres started")
    assert socket_path.exists(), "PostgreSQL is not back on the same socket"

    result = await rnd.result(timeout=rnd.schedule.offering_closes - rnd.elapsed() + 40)
    rnd.mark("published")
    print(f"\n{rnd.period_id}: {rnd.marks}; append attempts while down: {attempts}")
    assert result.phase is Phase.PUBLISHED
    assert_same_round(await StoredRound.load(fault_env.database_url, rnd), baseline)


# --------------------------------------------------------------------------------- fault 3


async def test_append_crashes_after_commit(fault_env: FaultEnv, workers: Workers, baseline, tmp_path):
    """The append activity commits, then its worker dies before reporting (the fault hook in
    tests/faults/crash_worker.py): once for a meeting pick, once for the lottery. Temporal retries the
    activity on the next worker, which stores nothing twice."""
    marker = tmp_path / "crash-after-commit"
    marker.write_text("disarmed")  # the hook fires only while the file does not exist
    crash_env = {CRASH_ENV: str(marker)}
    w1 = await workers.ready("w1", **crash_env)
    rnd = new_round(fault_env, workers, "crash", Schedule(meeting_len=STICKY + 8, offering_len=3))
    await rnd.start()
    await rnd.send_preparation()
    await rnd.wait_meeting_open()

    async def replace_after_crash(dead, name: str, **extra: str) -> None:
        code = await dead.wait_exit(timeout=30)
        assert code == 137 and marker.exists(), f"expected the hook's crash, got {code}\n{dead.tail()}"
        rnd.mark(f"{dead.name} crashed after commit")
        workers.spawn(name, **crash_env, **extra)  # the marker exists again: this one is disarmed

    replacement: asyncio.Task | None = None

    async def arm_midway(i: int) -> None:
        nonlocal replacement
        if i == 9:
            await rnd.wait_stored()
            marker.unlink()  # the next append (pick 11's) commits, then kills w1
            # w2 fires only on the lottery's commit (the phase close before it is appended apart).
            replacement = asyncio.create_task(replace_after_crash(w1, "w2", VAKT_FAULT_CRASH_ACTIVITY="run_lottery"))

    await rnd.send("meeting_picks", after_each=arm_midway)
    assert replacement is not None
    await asyncio.wait_for(replacement, 30)
    w2 = workers.started[-1]

    await rnd.wait_offering()
    await rnd.send("claims")
    await rnd.wait_stored()
    marker.unlink()  # armed again, for the lottery's commit only
    await replace_after_crash(w2, "w3")
    stored = await read_events(fault_env.database_url, rnd.period_id)
    types = [e.type for e in stored]
    assert "LotteryStarted" in types and "RosterPublished" not in types, "the lottery's draws should have committed"
    description = await rnd.handle.describe()
    assert description.status.name == "RUNNING", "Temporal should not know yet that the lottery was stored"

    result = await rnd.result(timeout=APPEND_TIMEOUT + STICKY + 20)
    rnd.mark("published")
    print(f"\n{rnd.period_id}: {rnd.marks}")
    assert result.phase is Phase.PUBLISHED
    assert _retried(await _append_history(rnd)) == [("other", 2), ("lottery", 2)], "each crashed append ran twice"
    assert_same_round(await StoredRound.load(fault_env.database_url, rnd), baseline)


# --------------------------------------------------------------------------------- fault 4


def _vakt_json(result) -> dict:
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError as e:
        raise AssertionError(f"not JSON (exit {result.returncode}): {result.stdout!r}\n{result.stderr}") from e


async def _wait_stuck(fault_env: FaultEnv, workers: Workers, rnd: Round, timeout: float) -> dict:
    """`vakt status PERIOD --json` until it reports the round stuck."""
    env = fault_env.env(workers.task_queue)
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        result = await asyncio.to_thread(run_vakt, ["status", rnd.period_id, "--json"], env, 60)
        if result.returncode == 0 or result.stdout.strip().startswith("{"):
            last = _vakt_json(result)
            if last.get("stuck") is True and str(last.get("verdict", "")).startswith("stuck"):
                return last
        else:
            last = f"exit {result.returncode}: {result.stdout[-500:]} {result.stderr[-1500:]}"
        await asyncio.sleep(1)
    raise rnd.fail(f"`vakt status` did not report the round stuck within {timeout}s; last: {last}")


async def _wait_workflow_task_failing(rnd: Round, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED in await rnd.history_types():
            return
        raw = await rnd.pending()
        if raw.pending_workflow_task.attempt >= 2:
            return
        await asyncio.sleep(0.2)
    raise rnd.fail(f"no failing workflow task within {timeout}s")


async def _run_id(rnd: Round) -> str:
    return (await asyncio.wait_for(rnd.handle.describe(), 10)).run_id


async def _restart(fault_env: FaultEnv, workers: Workers, rnd: Round) -> list[str]:
    """`vakt restart PERIOD` (dry run: changes nothing), then `--apply` twice (the second finds
    the round on track and must not restart it again)."""
    env = fault_env.env(workers.task_queue)
    outputs, run_ids = [], [await _run_id(rnd)]
    apply = ["--apply", "--operator", "Kari Nordmann", "--reason", "bad deployment rolled back"]
    steps = (("restart (dry run)", []), ("restart --apply", apply), ("restart --apply again", apply))
    for label, extra in steps:
        args = ["restart", rnd.period_id, *extra]
        result = await asyncio.to_thread(run_vakt, args, env, 60)
        assert result.returncode == 0, f"vakt {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        assert result.stdout.strip(), f"vakt {' '.join(args)} printed nothing"
        outputs.append(result.stdout.strip())
        run_ids.append(await _run_id(rnd))
        rnd.mark(label)
    assert run_ids[1] == run_ids[0], f"the dry run changed the workflow:\n{outputs[0]}"
    assert run_ids[3] == run_ids[2], f"the second --apply restarted the round again:\n{outputs[2]}"
    return outputs


async def _bad_deployment_round(
    fault_env: FaultEnv, workers: Workers, baseline, label: str, *, unstored_picks: int
) -> None:
    w1 = await workers.ready("w1")
    rnd = new_round(fault_env, workers, label, Schedule(meeting_len=20, offering_len=3))
    await rnd.start()
    await rnd.send_preparation()
    await rnd.wait_meeting_open()
    await rnd.send("meeting_picks", only=range(15))
    await rnd.wait_stored()
    first_late = 15
    if unstored_picks:
        # Picks the workflow has accepted (their callers were told so) whose append has not
        # happened yet when the deployment comes: the first waits in PostgreSQL, the rest wait
        # behind it in the workflow.
        lock = await StreamLock.acquire(fault_env.database_url, rnd.period_id)
        try:
            await rnd.send("meeting_picks", only=range(15, 15 + unstored_picks))
            view = await rnd.phase()
            assert view.version - view.stored_version == unstored_picks, view
            first_late += unstored_picks
            w1.stop()  # the deployment: the good worker goes
        finally:
            await lock.release()
    else:
        w1.stop()
    rnd.mark("good worker stopped")
    bad = await workers.ready("bad", bad=True)
    rnd.mark("bad worker running")
    # Doctors keep picking: their picks wait while the deployment is broken.
    late_picks = asyncio.create_task(rnd.send("meeting_picks", only=range(first_late, 30), timeout_each=120))
    try:
        await _wait_workflow_task_failing(rnd, timeout=30)
        rnd.mark("workflow task failing")
        status = await _wait_stuck(fault_env, workers, rnd, timeout=40)
        rnd.mark("status: stuck")
        assert not late_picks.done(), "a pick was answered by the bad deployment"

        bad.stop()
        await workers.ready("w2")  # the fix
        rnd.mark("fixed worker running")
        outputs = await _restart(fault_env, workers, rnd)
        await asyncio.wait_for(asyncio.shield(late_picks), 60)
    except BaseException:
        late_picks.cancel()
        raise
    rnd.mark("picks answered")
    await rnd.wait_offering()
    await rnd.send("claims")
    result = await rnd.result(timeout=rnd.schedule.offering_closes - rnd.elapsed() + 30)
    rnd.mark("published")
    print(f"\n{rnd.period_id}: {rnd.marks}\nstatus verdict: {status.get('verdict')}\n"
          "restart, restart --apply, restart --apply:\n" + "\n---\n".join(outputs))
    assert result.phase is Phase.PUBLISHED
    assert_same_round(await StoredRound.load(fault_env.database_url, rnd), baseline)


async def test_bad_deployment_detected_and_restarted(fault_env: FaultEnv, workers: Workers, baseline):
    """A deployment whose workflow code does not replay the period's history: its workflow task
    fails with non-determinism and retries; `vakt status` says stuck; after the fix,
    `vakt restart --apply` (twice: harmless) puts the round back on track."""
    await _bad_deployment_round(fault_env, workers, baseline, "baddeploy", unstored_picks=0)


async def test_bad_deployment_loses_no_accepted_pick(fault_env: FaultEnv, workers: Workers, baseline):
    """As above, but when the deployment comes, 4 picks are accepted by the workflow and not yet
    in PostgreSQL (their append was held up). Whatever `vakt restart` does, they must not be lost:
    the doctors were told their picks were taken."""
    await _bad_deployment_round(fault_env, workers, baseline, "baddeploy-unstored", unstored_picks=4)
