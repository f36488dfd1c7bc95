"""`vakt status`: where every allocation round stands, and — for one round — why it is stuck.

Two sources, and the output always says which one it shows:
- **temporal**: the running workflow answers its `phase` and `coverage` queries;
- **postgresql**: the projection (`period_status`, `roster_entries`) plus a fold of the stored
  phase events (deadline extensions and cancellations are not in `period_status`), i.e. the state
  as of the last stored event. Used when Temporal is not reachable, when no worker polls the task
  queue (queries need a worker), and for a workflow that cannot answer (stuck, closed, or gone).

The Temporal diagnosis (`diagnose`) works without a worker: `describe` gives the status, run id,
pending activities and the pending workflow task's attempt; the run's history gives the workflow
task failures, the first failure of the current failing streak and the last workflow task that
completed before it (`last_good_workflow_task_event_id`, the reset point `vakt restart` uses).

Verdicts, in order of precedence (the first that applies):
    published / cancelled                               the round is done
    stuck: the workflow <failed|was terminated|…> but the period is not published
    stuck: workflow task failing (<cause>: <message>) since <time>
    stuck: no worker is polling task queue <name>
    stuck: activity <type> failing (attempt N: <message>)                       attempt >= 3
    stuck: deadline <time> passed <n> min ago and the workflow has not taken the step
    stuck: the deployed worker cannot replay this workflow (query failed: …)   idle, but a
                                                        query's replay hit non-determinism
    unknown: …                                          Temporal not reachable / not answering
    healthy                                             running, work in flight, nothing failing
    waiting for deadline <time> (<next step>)           running, idle until a timer
The list view shows a short form of each (`verdict_short`, e.g. "stuck: workflow task failing
(NON_DETERMINISTIC_ERROR)"); `vakt status PERIOD` and the JSON give the whole verdict.

Pollers: the server keeps a worker that has stopped in the task queue's poller list for
minutes, so only pollers seen in the last `POLLER_FRESH` (90 s; an idle worker re-polls about
once a minute) count as a worker.

The lottery pool (single view) is kept simple: the doctors for whom `domain.lottery.in_lottery_pool`
returns None on the period's first open shift (R-LOT-1 with the R-EX-5 stand-ins of that date),
with the current loads. It is known once the meeting has opened (the quota is needed) and while
shifts are open. It does not apply R-LOT-2 exclusions (absence, rest, qualification), which
differ from shift to shift.

No personal data is printed: events hold none, doctors appear by id only, and the database
URL is shown redacted.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from activities.store import EventStore
from cli.events import BadInput, local_time
from cli.read_side import DatabaseUnavailable, UnknownPeriod, open_read_store, report_unavailable
from domain.calendar import PeriodCalendar
from domain.events import parse_event
from domain.lottery import in_lottery_pool
from domain.model import OSLO_TZ, Phase, Role
from domain.process import next_deadline
from domain.quota import shift_weight
from domain.state import PeriodState, fold
from infra.settings import Settings

WORKFLOW_TYPE = "AllocationPeriodWorkflow"
POLLER_FRESH = timedelta(seconds=90)
QUERY_TIMEOUT = timedelta(seconds=5)
RPC_TIMEOUT = timedelta(seconds=10)
STUCK_ACTIVITY_ATTEMPTS = 3
OVERDUE_GRACE = timedelta(minutes=2)
SOURCES = ("staff", "advance_wish", "meeting", "offering", "lottery", "uncovered")
# Enough to know the phase and the deadlines without reading every pick.
PHASE_EVENT_TYPES = ["PeriodOpened", "MeetingOpened", "PhaseClosed", "DeadlineExtended", "RoundCancelled", "RosterPublished"]

PROJECTION = "showing the PostgreSQL projection (state as of the last stored event)"
NO_WORKER_NOTE = f"No worker is running: {PROJECTION}."

Source = Literal["temporal", "postgresql"]


# ---------------------------------------------------------------------------- models


class Coverage(BaseModel):
    total: int = 0
    covered: int = 0
    open: int = 0
    uncovered: int = 0
    unsafe: int = 0
    by_source: dict[str, int] = {}  # staff, advance_wish, meeting, offering, lottery, uncovered


class PendingActivity(BaseModel):
    activity_type: str
    state: str  # SCHEDULED, STARTED, CANCEL_REQUESTED, PAUSED …
    attempt: int
    last_failure: str | None = None
    next_attempt_at: datetime | None = None


class WorkflowTaskFailure(BaseModel):
    cause: str  # e.g. NON_DETERMINISTIC_ERROR (WorkflowTaskFailedCause without its prefix)
    message: str
    event_id: int
    time: datetime


class LotteryPool(BaseModel):
    shift: str | None  # the open shift the pool was computed for
    doctors: list[str]  # ids only
    note: str


class PeriodDiagnosis(BaseModel):
    """Everything `vakt status PERIOD` shows; `vakt restart` reuses it."""

    period: str
    source: Source  # where phase and coverage come from
    note: str | None = None  # why the PostgreSQL projection is shown, when it is
    # --- the round (from the source above)
    district: str | None = None
    simulated: bool | None = None
    phase: str | None = None
    meeting_open: bool | None = None
    next_deadline: datetime | None = None  # Europe/Oslo
    next_step: str | None = None
    coverage: Coverage | None = None
    quota: int | None = None
    workflow_version: int | None = None  # events recorded by the workflow (query)
    stored_version: int | None = None  # events in PostgreSQL
    last_event_at: datetime | None = None  # occurred_at of the last stored event, Europe/Oslo
    lottery_pool: LotteryPool | None = None
    # --- Temporal
    temporal_reachable: bool = False
    namespace: str
    task_queue: str
    worker_polling: bool | None = None
    status: str | None = None  # RUNNING, COMPLETED, FAILED, TERMINATED, TIMED_OUT, CANCELED …
    run_id: str | None = None
    started_at: datetime | None = None
    closed_at: datetime | None = None
    pending_activities: list[PendingActivity] = []
    workflow_task_attempt: int | None = None  # of the pending workflow task (> 1: it has failed)
    workflow_task_failures: int = 0  # WORKFLOW_TASK_FAILED events in the run's history
    last_workflow_task_failure: WorkflowTaskFailure | None = None
    failing_since: datetime | None = None  # first failure of the current failing streak
    last_good_workflow_task_event_id: int | None = None  # last completed task before that streak
    query_error: str | None = None
    temporal_error: str | None = None
    # --- the plain answer
    verdict: str = ""
    verdict_short: str = ""  # the list view's column
    stuck: bool = False
    reason: str | None = None

    @property
    def finished(self) -> bool:
        return self.phase in (Phase.PUBLISHED.value, Phase.CANCELLED.value)

    def summary(self) -> RoundSummary:
        coverage = self.coverage or Coverage()
        return RoundSummary(
            period=self.period,
            district=self.district,
            simulated=self.simulated,
            phase=self.phase,
            next_deadline=self.next_deadline,
            next_step=self.next_step,
            covered=coverage.covered,
            total=coverage.total,
            open=coverage.open,
            verdict=self.verdict,
            verdict_short=self.verdict_short,
            stuck=self.stuck,
            status=self.status,
            source=self.source,
        )


class RoundSummary(BaseModel):
    period: str
    district: str | None
    simulated: bool | None
    phase: str | None
    next_deadline: datetime | None
    next_step: str | None
    covered: int
    total: int
    open: int
    verdict: str
    verdict_short: str
    stuck: bool
    status: str | None
    source: Source


class StatusList(BaseModel):
    source: Source
    note: str | None
    namespace: str
    task_queue: str
    rounds: list[RoundSummary]


# ------------------------------------------------------------------ PostgreSQL side


class _Stored(BaseModel):
    kind: str
    district: str | None
    simulated: bool
    phase: str
    meeting_open: bool
    quota: int | None
    next_deadline: datetime | None
    next_step: str | None
    coverage: Coverage | None
    stored_version: int
    last_event_at: datetime | None
    lottery_pool: LotteryPool | None = None


def next_step_text(phase: str | None, meeting_open: bool | None) -> str | None:
    """What happens at the next deadline (the same words as the workflow's `phase` query)."""
    match phase:
        case Phase.MEETING:
            return "meeting closes, offering opens" if meeting_open else "meeting opens"
        case Phase.OFFERING:
            return "offering closes, lottery draws the open shifts"
        case Phase.LOTTERY:
            return "roster is published"
        case Phase.CANCELLED:
            return "none: the round was cancelled"
        case Phase.PUBLISHED:
            return "none: the roster is published"
    return None


def _oslo(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=OSLO_TZ)
    return value.astimezone(OSLO_TZ)


def lottery_pool(state: PeriodState) -> LotteryPool | None:
    """The R-LOT-1 pool on the first open shift (see the module doc); None before the period opened."""
    if state.config is None:
        return None
    if state.quota is None:
        return LotteryPool(shift=None, doctors=[], note="known once the meeting opens (R-LOT-1 needs the quota)")
    config = state.config
    calendar = PeriodCalendar.from_config(config)
    uncovered = {u.shift for u in state.uncovered}
    first_open = next((s for s in calendar.shifts if s.id not in state.assignments and s.id not in uncovered), None)
    if first_open is None:
        return LotteryPool(shift=None, doctors=[], note="no open shift left")
    weights = config.district.policy.weights
    load: dict[str, float] = {}
    for shift_id, assignment in state.assignments.items():
        load[assignment.doctor] = load.get(assignment.doctor, 0.0) + shift_weight(calendar.by_id[shift_id], weights)
    doctors = [
        d.id
        for d in config.doctors
        if d.role is not Role.STAFF
        and in_lottery_pool(config, state, d, first_open, state.quota, load.get(d.id, 0.0)) is None
    ]
    return LotteryPool(
        shift=first_open.id,
        doctors=doctors,
        note=f"in the R-LOT-1 pool for the first open shift {first_open.id} (before R-LOT-2 exclusions)",
    )


async def _stored_facts(store: EventStore, period: str, *, detail: bool) -> _Stored | None:
    kind = await store.stream_kind(period)
    if kind is None:
        return None
    pool = store.pool
    row = await pool.fetchrow(
        "SELECT district_id, simulated, phase, meeting_open, quota, shifts_total, unsafe, version, updated_at "
        "FROM period_status WHERE stream_id = $1",
        period,
    )
    counts = {
        r["source"]: r["n"]
        for r in await pool.fetch(
            "SELECT source, count(*) AS n FROM roster_entries WHERE stream_id = $1 GROUP BY source", period
        )
    }
    last = await pool.fetchrow(
        "SELECT version, occurred_at FROM events WHERE stream_id = $1 ORDER BY version DESC LIMIT 1", period
    )
    # The phase, deadlines and cancellation come from a fold: period_status does not follow
    # DeadlineExtended or RoundCancelled. The full fold (detail) also gives the lottery pool.
    events = await store.read_stream(period, types=None if detail else PHASE_EVENT_TYPES)
    state = fold(parse_event(e.data) for e in events)
    coverage = None
    if row is not None:
        covered = sum(n for source, n in counts.items() if source != "uncovered")
        uncovered = counts.get("uncovered", 0)
        coverage = Coverage(
            total=row["shifts_total"],
            covered=covered,
            uncovered=uncovered,
            open=max(row["shifts_total"] - covered - uncovered, 0),
            unsafe=len(row["unsafe"] or []),
            by_source={source: counts.get(source, 0) for source in SOURCES},
        )
    deadline = next_deadline(state)[1] if state.config is not None else None
    phase = state.phase.value if state.config is not None else (row["phase"] if row else Phase.MEETING.value)
    return _Stored(
        kind=kind,
        district=state.config.district.id if state.config else (row["district_id"] if row else None),
        simulated=kind == "simulation",
        phase=phase,
        meeting_open=state.meeting_open,
        quota=state.quota.base if state.quota else (row["quota"] if row else None),
        next_deadline=_oslo(deadline),
        next_step=next_step_text(phase, state.meeting_open),
        coverage=coverage,
        stored_version=last["version"] if last else 0,
        last_event_at=_oslo(last["occurred_at"]) if last else None,
        lottery_pool=lottery_pool(state) if detail else None,
    )


async def stored_periods(store: EventStore) -> list[str]:
    """Every round in the projection (live and simulated)."""
    rows = await store.pool.fetch("SELECT stream_id FROM period_status ORDER BY stream_id")
    return [r["stream_id"] for r in rows]


# --------------------------------------------------------------------- Temporal side


def _enum_name(enum: Any, value: int, prefix: str) -> str:
    try:
        name = enum.Name(value)
    except ValueError:
        return str(value)
    return name.removeprefix(prefix)


def _first_line(message: str, limit: int = 200) -> str:
    line = (message or "").strip().splitlines()[0] if (message or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _utc(ts: Any) -> datetime:
    return ts.ToDatetime(tzinfo=timezone.utc)


async def live_pollers(client: Any, namespace: str, task_queue: str) -> int:
    """Workers polling the workflow task queue now (seen within POLLER_FRESH)."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=namespace,
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        ),
        timeout=RPC_TIMEOUT,
    )
    since = datetime.now(timezone.utc) - POLLER_FRESH
    return sum(1 for p in response.pollers if not p.HasField("last_access_time") or _utc(p.last_access_time) >= since)


class _PollerCache:
    """One describe_task_queue per task queue per command."""

    def __init__(self, client: Any, namespace: str) -> None:
        self.client, self.namespace = client, namespace
        self._known: dict[str, asyncio.Task[int]] = {}

    async def polling(self, task_queue: str) -> bool:
        if task_queue not in self._known:
            self._known[task_queue] = asyncio.ensure_future(live_pollers(self.client, self.namespace, task_queue))
        return await self._known[task_queue] > 0


async def _read_history(handle: Any, d: PeriodDiagnosis) -> None:
    """Count workflow task failures; find the current failing streak and the task before it."""
    from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause

    last_completed: int | None = None
    streak_good: int | None = None
    streak_first: datetime | None = None
    failing = False
    async for event in handle.fetch_history_events(rpc_timeout=RPC_TIMEOUT):
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            last_completed = event.event_id
            failing, streak_first, streak_good = False, None, None
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            attrs = event.workflow_task_failed_event_attributes
            d.workflow_task_failures += 1
            d.last_workflow_task_failure = WorkflowTaskFailure(
                cause=_enum_name(WorkflowTaskFailedCause, attrs.cause, "WORKFLOW_TASK_FAILED_CAUSE_"),
                message=attrs.failure.message if attrs.HasField("failure") else "",
                event_id=event.event_id,
                time=_oslo(_utc(event.event_time)),
            )
            if not failing:
                failing, streak_first, streak_good = True, _oslo(_utc(event.event_time)), last_completed
    if failing:
        d.failing_since = streak_first
        d.last_good_workflow_task_event_id = streak_good


def _currently_failing(d: PeriodDiagnosis) -> bool:
    return d.status == "RUNNING" and d.failing_since is not None


async def _temporal_facts(client: Any, d: PeriodDiagnosis, pollers: _PollerCache, *, detail: bool) -> tuple[Any, Any]:
    """Fill the Temporal fields of `d`; returns the (phase, coverage) views when the workflow answered."""
    from temporalio.api.enums.v1 import PendingActivityState
    from temporalio.service import RPCError, RPCStatusCode

    from workflows.period import AllocationPeriodWorkflow

    try:
        desc = await client.get_workflow_handle(d.period).describe(rpc_timeout=RPC_TIMEOUT)
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            return None, None
        raise
    d.status = desc.status.name if desc.status is not None else None
    d.run_id = desc.run_id
    d.task_queue = desc.task_queue or d.task_queue
    d.started_at = _oslo(desc.start_time)
    d.closed_at = _oslo(desc.close_time)
    raw = desc.raw_description
    d.pending_activities = [
        PendingActivity(
            activity_type=a.activity_type.name,
            state=_enum_name(PendingActivityState, a.state, "PENDING_ACTIVITY_STATE_"),
            attempt=a.attempt,
            last_failure=_first_line(a.last_failure.message) if a.HasField("last_failure") else None,
            next_attempt_at=_oslo(_utc(a.next_attempt_schedule_time)) if a.HasField("next_attempt_schedule_time") else None,
        )
        for a in raw.pending_activities
    ]
    if raw.HasField("pending_workflow_task"):
        d.workflow_task_attempt = raw.pending_workflow_task.attempt
    run = client.get_workflow_handle(d.period, run_id=desc.run_id)
    if detail or (d.workflow_task_attempt or 0) > 1:
        await _read_history(run, d)
    if d.status != "RUNNING":
        return None, None
    d.worker_polling = await pollers.polling(d.task_queue)
    if _currently_failing(d):
        d.query_error = "its workflow task is failing"
        return None, None
    if not d.worker_polling:
        d.query_error = "no worker is polling its task queue"
        return None, None
    try:
        # A stuck workflow cannot answer: the query fails or times out.
        return await asyncio.gather(
            run.query(AllocationPeriodWorkflow.phase, rpc_timeout=QUERY_TIMEOUT),
            run.query(AllocationPeriodWorkflow.coverage, rpc_timeout=QUERY_TIMEOUT),
        )
    except Exception as e:  # noqa: BLE001 - any failure means: show the projection instead
        d.query_error = _first_line(str(e) or type(e).__name__)
        return None, None


# --------------------------------------------------------------------------- verdict


_CLOSED = {
    "COMPLETED": "completed",
    "FAILED": "failed",
    "TERMINATED": "was terminated",
    "TIMED_OUT": "timed out",
    "CANCELED": "was cancelled",
    "CONTINUED_AS_NEW": "continued as new",
}


_NONDETERMINISM = re.compile(r"TMPRL1100|nondetermin|non-determin", re.IGNORECASE)


class Verdict(NamedTuple):
    text: str
    short: str  # for the list view's column
    stuck: bool = False
    reason: str | None = None


def _verdict(d: PeriodDiagnosis, now: datetime) -> Verdict:
    finished = d.finished
    done = Verdict(d.phase or "", d.phase or "")
    if not d.temporal_reachable:
        if finished:
            return done
        return Verdict("unknown: Temporal not reachable", "unknown: Temporal not reachable", False, d.temporal_error)
    if d.temporal_error:
        if finished:
            return done
        return Verdict("unknown: Temporal error", "unknown: Temporal error", False, d.temporal_error)
    if d.status is None:  # no workflow in Temporal
        if finished:
            return done
        if d.simulated:
            return Verdict(
                f"simulation not running (phase {d.phase})",
                "simulation, not running",
                False,
                "simulations run on the time-skipping test server, not in this cluster",
            )
        return Verdict(
            "stuck: no workflow for this period in Temporal, but the period is not published",
            "stuck: no workflow in Temporal",
            True,
            f"namespace {d.namespace} has no execution with workflow id {d.period!r}",
        )
    if d.status != "RUNNING":
        if finished:
            return done
        how = _CLOSED.get(d.status, d.status.lower())
        return Verdict(
            f"stuck: the workflow {how} but the period is not published",
            f"stuck: workflow {how}",
            True,
            f"run {d.run_id} closed {local_time(d.closed_at)} with status {d.status}; stored phase {d.phase}",
        )
    if _currently_failing(d) and d.last_workflow_task_failure is not None:
        failure = d.last_workflow_task_failure
        attempt = f", attempt {d.workflow_task_attempt}" if d.workflow_task_attempt else ""
        return Verdict(
            f"stuck: workflow task failing ({failure.cause}: {_first_line(failure.message)}) "
            f"since {local_time(d.failing_since)}",
            f"stuck: workflow task failing ({failure.cause})",
            True,
            f"the workflow task keeps failing{attempt}; the last workflow task that completed is event "
            f"{d.last_good_workflow_task_event_id} (the reset point)",
        )
    if (d.workflow_task_attempt or 0) > 1:
        text = f"stuck: workflow task failing (attempt {d.workflow_task_attempt})"
        return Verdict(text, text, True, "the pending workflow task has failed before")
    if not d.worker_polling:
        return Verdict(
            f"stuck: no worker is polling task queue {d.task_queue}",
            "stuck: no worker polling",
            True,
            f"no worker has polled task queue {d.task_queue!r} in namespace {d.namespace} "
            f"in the last {int(POLLER_FRESH.total_seconds())} s; start one with `vakt worker`",
        )
    failing = [a for a in d.pending_activities if a.attempt >= STUCK_ACTIVITY_ATTEMPTS]
    if failing:
        a = max(failing, key=lambda a: a.attempt)
        return Verdict(
            f"stuck: activity {a.activity_type} failing (attempt {a.attempt}: {a.last_failure or 'no failure message'})",
            f"stuck: {a.activity_type} failing (attempt {a.attempt})",
            True,
            f"next attempt {local_time(a.next_attempt_at)}" if a.next_attempt_at else None,
        )
    if d.next_deadline is not None and now - d.next_deadline > OVERDUE_GRACE:
        minutes = int((now - d.next_deadline).total_seconds() // 60)
        return Verdict(
            f"stuck: deadline {local_time(d.next_deadline)} passed {minutes} min ago and the workflow has not "
            f"taken the step ({d.next_step})",
            "stuck: deadline passed",
            True,
        )
    if d.query_error and _NONDETERMINISM.search(d.query_error):
        # Idle, but the deployed code cannot replay its history: the next workflow task will fail.
        return Verdict(
            f"stuck: the deployed worker cannot replay this workflow (query failed: {d.query_error})",
            "stuck: replay fails (non-determinism)",
            True,
            "the workflow's next task (a deadline, an action) will fail the same way; deploy code that "
            "replays the history",
        )
    if d.query_error:
        return Verdict("unknown: the workflow did not answer", "unknown: no answer", False, d.query_error)
    busy = bool(d.pending_activities) or (
        d.workflow_version is not None and d.stored_version is not None and d.workflow_version > d.stored_version
    )
    if d.next_deadline is not None and not busy:
        return Verdict(f"waiting for deadline {local_time(d.next_deadline)} ({d.next_step})", "waiting for deadline")
    return Verdict("healthy", "healthy")


# -------------------------------------------------------------------------- diagnose


async def diagnose(
    client: Any | None,
    store: EventStore,
    settings: Settings,
    period: str,
    *,
    detail: bool = True,
    unavailable: str | None = None,
    _pollers: _PollerCache | None = None,
) -> PeriodDiagnosis:
    """Where one round stands and, when it is stuck, why.

    `client` None means Temporal is not reachable (`unavailable` says why). `detail` False (the
    list view) skips the full fold and reads the history only when the pending workflow task has
    failed before. Raises UnknownPeriod when neither PostgreSQL nor Temporal knows the period.
    """
    stored = await _stored_facts(store, period, detail=detail)
    d = PeriodDiagnosis(
        period=period,
        source="postgresql",
        namespace=settings.temporal_namespace,
        task_queue=settings.temporal_task_queue,
        temporal_reachable=client is not None,
        temporal_error=unavailable if client is None else None,
    )
    phase_view = coverage_view = None
    if client is not None:
        pollers = _pollers or _PollerCache(client, settings.temporal_namespace)
        try:
            phase_view, coverage_view = await _temporal_facts(client, d, pollers, detail=detail)
        except Exception as e:  # noqa: BLE001 - an RPC failure half-way is reported, not raised
            d.temporal_error = f"{type(e).__name__}: {_first_line(str(e))}"
    if stored is None and d.status is None:
        raise UnknownPeriod(period)

    if stored is not None:
        d.district, d.simulated = stored.district, stored.simulated
        d.phase, d.meeting_open, d.quota = stored.phase, stored.meeting_open, stored.quota
        d.next_deadline, d.next_step, d.coverage = stored.next_deadline, stored.next_step, stored.coverage
        d.stored_version, d.last_event_at, d.lottery_pool = stored.stored_version, stored.last_event_at, stored.lottery_pool
    now = datetime.now(OSLO_TZ)
    if phase_view is not None and coverage_view is not None:
        d.source = "temporal"
        d.phase, d.meeting_open = phase_view.phase.value, phase_view.meeting_open
        d.next_deadline, d.next_step = _oslo(phase_view.next_deadline), phase_view.next_step
        d.workflow_version, d.simulated = phase_view.version, phase_view.simulated
        d.stored_version = max(d.stored_version or 0, phase_view.stored_version)
        d.coverage = Coverage(
            total=coverage_view.total,
            covered=coverage_view.covered,
            open=coverage_view.open,
            uncovered=coverage_view.uncovered,
            unsafe=coverage_view.unsafe,
            by_source={
                **{s: coverage_view.by_source.get(s, 0) for s in SOURCES},
                "uncovered": coverage_view.uncovered,
            },
        )
        now = _oslo(phase_view.now) or now  # the period's clock
    d.note = _note(d, unavailable)
    v = _verdict(d, now)
    d.verdict, d.verdict_short, d.stuck, d.reason = v.text, v.short, v.stuck, v.reason
    return d


def _note(d: PeriodDiagnosis, unavailable: str | None) -> str | None:
    if d.source == "temporal":
        return None
    if not d.temporal_reachable:
        return f"{NO_WORKER_NOTE} Temporal: {unavailable or d.temporal_error}."
    if d.temporal_error:
        return f"Temporal answered with an error ({d.temporal_error}): {PROJECTION}."
    if d.status is None:
        return f"No workflow for this period in Temporal namespace {d.namespace}: {PROJECTION}."
    if d.status != "RUNNING":
        return f"The workflow is closed ({d.status}): {PROJECTION}."
    if d.worker_polling is False:
        return f"{NO_WORKER_NOTE} No worker polls task queue {d.task_queue!r}."
    return f"The workflow does not answer queries ({d.query_error}): {PROJECTION}."


async def list_rounds(
    client: Any | None,
    store: EventStore,
    settings: Settings,
    *,
    district: str | None = None,
    phase: str | None = None,
    unavailable: str | None = None,
) -> StatusList:
    """Every round: the period workflows in Temporal's visibility (latest run per workflow id,
    closed ones included) and every round in `period_status` (simulated ones too)."""
    if phase is not None and phase not in {p.value for p in Phase}:
        raise BadInput(f"unknown phase {phase!r}; phases: {', '.join(p.value for p in Phase)}")
    periods = set(await stored_periods(store))
    source: Source = "postgresql"
    note: str | None = None
    pollers: _PollerCache | None = None
    if client is None:
        note = f"{NO_WORKER_NOTE} Temporal: {unavailable}."
    else:
        pollers = _PollerCache(client, settings.temporal_namespace)
        try:
            latest: dict[str, Any] = {}
            async for wf in client.list_workflows(f'WorkflowType = "{WORKFLOW_TYPE}"', rpc_timeout=RPC_TIMEOUT):
                if wf.id not in latest or wf.start_time > latest[wf.id].start_time:
                    latest[wf.id] = wf
            periods |= set(latest)
            if await pollers.polling(settings.temporal_task_queue):
                source = "temporal"
            else:
                note = f"{NO_WORKER_NOTE} No worker polls task queue {settings.temporal_task_queue!r}."
        except Exception as e:  # noqa: BLE001 - visibility down: still list what PostgreSQL has
            note = f"Temporal answered with an error ({type(e).__name__}: {_first_line(str(e))}): {PROJECTION}."
    semaphore = asyncio.Semaphore(8)

    async def one(period: str) -> PeriodDiagnosis | None:
        async with semaphore:
            try:
                return await diagnose(
                    client, store, settings, period, detail=False, unavailable=unavailable, _pollers=pollers
                )
            except UnknownPeriod:
                return None

    diagnoses = [d for d in await asyncio.gather(*(one(p) for p in sorted(periods))) if d is not None]
    rows = [
        d.summary()
        for d in diagnoses
        if (district is None or d.district == district) and (phase is None or d.phase == phase)
    ]
    # Rounds that still need something first, then the finished ones.
    rows.sort(key=lambda r: (r.phase in (Phase.PUBLISHED, Phase.CANCELLED), not r.stuck, r.period))
    return StatusList(
        source=source,
        note=note,
        namespace=settings.temporal_namespace,
        task_queue=settings.temporal_task_queue,
        rounds=rows,
    )


# --------------------------------------------------------------------------- render


def _verdict_style(verdict: str) -> str:
    if verdict.startswith("stuck"):
        return "bold red"
    if verdict.startswith("unknown"):
        return "yellow"
    if verdict in ("healthy", "published"):
        return "green"
    return ""


def _styled(text: str, style: str) -> str:
    from rich.markup import escape

    return f"[{style}]{escape(text)}[/{style}]" if style else escape(text)


def render_status(console: Console, report: StatusList | PeriodDiagnosis) -> None:
    """The list of rounds or one round's diagnosis, for operators. Doctor ids only, no PII."""
    if isinstance(report, StatusList):
        _render_list(console, report)
    else:
        _render_period(console, report)


def _render_list(console: Console, report: StatusList) -> None:
    if report.note:
        console.print(_styled(report.note, "yellow"), soft_wrap=True)
    if not report.rounds:
        console.print("No allocation rounds found.")
        return
    source = "live queries (Temporal)" if report.source == "temporal" else "the PostgreSQL projection"
    table = Table(title=f"Allocation rounds — from {source}", title_justify="left")
    table.add_column("period", no_wrap=True)
    table.add_column("district", no_wrap=True)
    table.add_column("phase", no_wrap=True)
    table.add_column("next deadline (Europe/Oslo)", no_wrap=True)
    table.add_column("coverage", justify="right", no_wrap=True)
    table.add_column("open", justify="right")
    table.add_column("verdict")
    for r in report.rounds:
        table.add_row(
            r.period + (" (simulated)" if r.simulated else ""),
            r.district or "?",
            r.phase or "?",
            local_time(r.next_deadline) if r.next_deadline else "—",
            f"{r.covered}/{r.total}",
            str(r.open),
            _styled(r.verdict_short, _verdict_style(r.verdict_short)),
        )
    console.print(table)
    stuck = [r.period for r in report.rounds if r.stuck]
    if stuck:
        console.print(
            f"{len(stuck)} stuck: " + ", ".join(f"vakt status {p}" for p in stuck) + " says why.",
            highlight=False,
            soft_wrap=True,
        )


def _line(console: Console, label: str, value: str) -> None:
    console.print(f"{label:<24}{value}", highlight=False, soft_wrap=True, markup=False)


def _render_period(console: Console, d: PeriodDiagnosis) -> None:
    kind = "simulated" if d.simulated else "live"
    console.rule(
        _styled(f"Period {d.period} (district {d.district or '?'}, {kind}) — phase {d.phase or '?'}", "bold")
    )
    if d.note:
        console.print(_styled(d.note, "yellow"), soft_wrap=True)
    console.print(f"Verdict: {_styled(d.verdict, _verdict_style(d.verdict))}", soft_wrap=True, highlight=False)
    if d.reason:
        _line(console, "  why", d.reason)
    if d.status:
        _line(console, "Workflow", f"{d.status}, run {d.run_id}, started {local_time(d.started_at)}"
              + (f", closed {local_time(d.closed_at)}" if d.closed_at else ""))
    elif d.temporal_reachable:
        _line(console, "Workflow", f"none in namespace {d.namespace}")
    else:
        _line(console, "Workflow", "unknown (Temporal not reachable)")
    if d.temporal_reachable and d.worker_polling is not None:
        _line(console, "Task queue", f"{d.task_queue} — worker polling: {'yes' if d.worker_polling else 'NO'}")
    if d.next_deadline:
        _line(console, "Next deadline", f"{local_time(d.next_deadline)} Europe/Oslo ({d.next_step})")
    elif d.next_step:
        _line(console, "Next step", d.next_step)
    versions = f"stored {d.stored_version if d.stored_version is not None else '—'}"
    if d.workflow_version is not None:
        versions = f"workflow {d.workflow_version}, " + versions
    if d.last_event_at:
        versions += f" (last stored event {local_time(d.last_event_at, seconds=True)})"
    _line(console, "Events", versions)
    if d.quota is not None:
        _line(console, "Quota (R-LOAD-2)", f"{d.quota} per fully participating GP")

    if d.coverage:
        c = d.coverage
        table = Table()
        table.add_column("shifts by source")
        table.add_column("count", justify="right")
        for source in SOURCES:
            table.add_row(source, str(c.by_source.get(source, 0)))
        table.add_row("open", str(c.open))
        table.add_row("[bold]total[/bold]", f"[bold]{c.total}[/bold]")
        console.print(table)
        _line(console, "Coverage", f"{c.covered}/{c.total} covered, {c.open} open, {c.uncovered} uncovered, "
              f"{c.unsafe} unsafe (R-QUAL-3)")
    if d.lottery_pool is not None:
        pool = d.lottery_pool
        text = f"{len(pool.doctors)} doctors {pool.note}" if pool.shift else pool.note
        _line(console, "Lottery pool", text)

    if d.pending_activities:
        table = Table(title="Pending activities", title_justify="left")
        for col in ("activity", "state", "attempt", "last failure"):
            table.add_column(col)
        for a in d.pending_activities:
            table.add_row(a.activity_type, a.state, str(a.attempt), a.last_failure or "—")
        console.print(table)
    elif d.status == "RUNNING":
        _line(console, "Pending activities", "none")
    if d.workflow_task_attempt and d.workflow_task_attempt > 1:
        _line(console, "Workflow task", f"pending, attempt {d.workflow_task_attempt}")
    if d.status:
        failures = f"{d.workflow_task_failures}"
        if d.last_workflow_task_failure:
            f = d.last_workflow_task_failure
            failures += (
                f" (last: event {f.event_id} at {local_time(f.time, seconds=True)}, {f.cause}: {_first_line(f.message)})"
            )
        _line(console, "Workflow task failures", failures)
        if d.last_good_workflow_task_event_id is not None:
            _line(console, "Last good task", f"event {d.last_good_workflow_task_event_id} (reset point)")
    if d.query_error and d.status == "RUNNING":
        _line(console, "Queries", f"not answered: {d.query_error}")


# ------------------------------------------------------------------------ the command


def run_status(
    settings: Settings,
    period: str | None = None,
    *,
    district: str | None = None,
    phase: str | None = None,
    as_json: bool = False,
    console: Console | None = None,
    say: Callable[[str], None] | None = None,
) -> int:
    """`vakt status [PERIOD]`: print the list or one round; returns the exit code (0, or 1 when
    PostgreSQL is not reachable). Raises BadInput (exit 2) for an unknown period or phase."""
    from infra.temporal_client import TemporalUnavailable, connect_temporal

    console = console or Console()

    async def go() -> StatusList | PeriodDiagnosis:
        pool, store = await open_read_store(settings, None if as_json else say)
        try:
            try:
                client, unavailable = await connect_temporal(settings), None
            except TemporalUnavailable as e:
                client, unavailable = None, str(e)
            if period is None:
                return await list_rounds(client, store, settings, district=district, phase=phase, unavailable=unavailable)
            return await diagnose(client, store, settings, period, unavailable=unavailable)
        finally:
            await pool.close()

    try:
        report = asyncio.run(go())
    except UnknownPeriod as e:
        raise BadInput(f"{e} or in Temporal ({settings.redacted_database_url()})") from e
    except DatabaseUnavailable as e:
        return report_unavailable(e)
    if as_json:
        console.file.write(report.model_dump_json(indent=1) + "\n")
        console.file.flush()
    else:
        render_status(console, report)
    return 0
