"""`vakt status`: where every allocation round stands, and — for one round — why it is stuck.

Two sources, and the report always says which one it shows:
- **temporal**: the running workflow answers its `phase` and `coverage` queries;
- **postgresql**: the projection plus a fold of the stored phase events (app.reads.status_stored),
  the state as of the last stored event. Used when Temporal is not reachable, when no worker
  polls the task queue (queries need a worker), and for a workflow that cannot answer.

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
The list view shows a short form of each (`verdict_short`); one round and the JSON give the
whole verdict. No personal data: events hold none, doctors appear by id only.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from collections.abc import Sequence
from typing import Any, NamedTuple

from app.bootstrap import Services
from app.errors import BadInput, NotFound, Unavailable
from app.reads.status_models import SOURCES, Coverage, PeriodDiagnosis, Source, StatusList
from app.reads.status_stored import oslo as _oslo
from app.reads.status_stored import stored_round
from app.reads.status_temporal import POLLER_FRESH, PollerCache, currently_failing, first_line, temporal_facts
from adapters.postgres.event_store import EventStore
from domain.clock import Clock, oslo_now
from domain.model import Phase
from infra.clock import SystemClock
from infra.settings import Settings
from domain.clock import local_time
from app.validate import period_id

WORKFLOW_TYPE = "AllocationPeriodWorkflow"
RPC_TIMEOUT = timedelta(seconds=10)
STUCK_ACTIVITY_ATTEMPTS = 3
OVERDUE_GRACE = timedelta(minutes=2)

PROJECTION = "showing the PostgreSQL projection (state as of the last stored event)"
NO_WORKER_NOTE = f"No worker is running: {PROJECTION}."


class UnknownRound(NotFound):
    def __init__(self, period: str) -> None:
        super().__init__(f"no period {period!r} in the database or in Temporal")
        self.period = period


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
    code: str = "healthy"  # stable, for the pages' words (web/locale …/pages.po `verdict.<code>`)


def _verdict(d: PeriodDiagnosis, now: datetime) -> Verdict:
    finished = d.finished
    done = Verdict(d.phase or "", d.phase or "", code=d.phase or "unknown")
    if not d.temporal_reachable:
        if finished:
            return done
        return Verdict("unknown: Temporal not reachable", "unknown: Temporal not reachable", False, d.temporal_error,
                       "unreachable")
    if d.temporal_error:
        if finished:
            return done
        return Verdict("unknown: Temporal error", "unknown: Temporal error", False, d.temporal_error, "unknown")
    if d.status is None:  # no workflow in Temporal
        if finished:
            return done
        if d.simulated:
            return Verdict(
                f"simulation not running (phase {d.phase})",
                "simulation, not running",
                False,
                "simulations run on the time-skipping test server, not in this cluster",
                "simulation",
            )
        return Verdict(
            "stuck: no workflow for this period in Temporal, but the period is not published",
            "stuck: no workflow in Temporal",
            True,
            f"namespace {d.namespace} has no execution with workflow id {d.period!r}",
            "stuck_no_workflow",
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
            "stuck_closed",
        )
    if currently_failing(d) and d.last_workflow_task_failure is not None:
        failure = d.last_workflow_task_failure
        attempt = f", attempt {d.workflow_task_attempt}" if d.workflow_task_attempt else ""
        return Verdict(
            f"stuck: workflow task failing ({failure.cause}: {first_line(failure.message)}) "
            f"since {local_time(d.failing_since)}",
            f"stuck: workflow task failing ({failure.cause})",
            True,
            f"the workflow task keeps failing{attempt}; the last workflow task that completed is event "
            f"{d.last_good_workflow_task_event_id} (the reset point)",
            "stuck_failing",
        )
    if (d.workflow_task_attempt or 0) > 1:
        text = f"stuck: workflow task failing (attempt {d.workflow_task_attempt})"
        return Verdict(text, text, True, "the pending workflow task has failed before", "stuck_failing")
    if not d.worker_polling:
        return Verdict(
            f"stuck: no worker is polling task queue {d.task_queue}",
            "stuck: no worker polling",
            True,
            f"no worker has polled task queue {d.task_queue!r} in namespace {d.namespace} "
            f"in the last {int(POLLER_FRESH.total_seconds())} s; start one with `vakt worker`",
            "stuck_no_worker",
        )
    failing = [a for a in d.pending_activities if a.attempt >= STUCK_ACTIVITY_ATTEMPTS]
    if failing:
        a = max(failing, key=lambda a: a.attempt)
        return Verdict(
            f"stuck: activity {a.activity_type} failing (attempt {a.attempt}: {a.last_failure or 'no failure message'})",
            f"stuck: {a.activity_type} failing (attempt {a.attempt})",
            True,
            f"next attempt {local_time(a.next_attempt_at)}" if a.next_attempt_at else None,
            "stuck_activity",
        )
    if d.next_deadline is not None and now - d.next_deadline > OVERDUE_GRACE:
        minutes = int((now - d.next_deadline).total_seconds() // 60)
        return Verdict(
            f"stuck: deadline {local_time(d.next_deadline)} passed {minutes} min ago and the workflow has not "
            f"taken the step ({d.next_step})",
            "stuck: deadline passed",
            True,
            code="stuck_overdue",
        )
    if d.query_error and _NONDETERMINISM.search(d.query_error):
        # Idle, but the deployed code cannot replay its history: the next workflow task will fail.
        return Verdict(
            f"stuck: the deployed worker cannot replay this workflow (query failed: {d.query_error})",
            "stuck: replay fails (non-determinism)",
            True,
            "the workflow's next task (a deadline, an action) will fail the same way; deploy code that "
            "replays the history",
            "stuck_replay",
        )
    if d.query_error:
        return Verdict("unknown: the workflow did not answer", "unknown: no answer", False, d.query_error, "unknown")
    busy = bool(d.pending_activities) or (
        d.workflow_version is not None and d.stored_version is not None and d.workflow_version > d.stored_version
    )
    if d.next_deadline is not None and not busy:
        return Verdict(f"waiting for deadline {local_time(d.next_deadline)} ({d.next_step})", "waiting for deadline",
                       code="waiting")
    return Verdict("healthy", "healthy")



async def diagnose(
    client: Any | None,
    stores: Sequence[EventStore],
    settings: Settings,
    period: str,
    *,
    detail: bool = True,
    unavailable: str | None = None,
    _pollers: PollerCache | None = None,
    clock: Clock | None = None,
) -> PeriodDiagnosis:
    """Where one round stands and, when it is stuck, why.

    `client` None means Temporal is not reachable (`unavailable` says why). `detail` False (the
    list view) skips the full fold and reads the history only when the pending workflow task has
    failed before. `stores`: the live schema's, then the simulations'; the first that has the
    period is read. Raises UnknownRound when neither PostgreSQL nor Temporal knows the period.
    """
    stored = None
    for store in stores:
        stored = await stored_round(store, period, detail=detail)
        if stored is not None:
            break
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
        pollers = _pollers or PollerCache(client, settings.temporal_namespace)
        try:
            phase_view, coverage_view = await temporal_facts(client, d, pollers, detail=detail)
        except Exception as e:  # noqa: BLE001 - an RPC failure half-way is reported, not raised
            d.temporal_error = f"{type(e).__name__}: {first_line(str(e))}"
    if stored is None and d.status is None:
        raise UnknownRound(period)

    if stored is not None:
        d.district, d.simulated = stored.district, stored.simulated
        d.phase, d.meeting_open, d.quota = stored.phase, stored.meeting_open, stored.quota
        d.next_deadline, d.next_step, d.coverage = stored.next_deadline, stored.next_step, stored.coverage
        d.stored_version, d.last_event_at, d.lottery_pool = stored.stored_version, stored.last_event_at, stored.lottery_pool
    now = oslo_now(clock or SystemClock())
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
    d.verdict, d.verdict_short, d.stuck, d.reason, d.verdict_code = v.text, v.short, v.stuck, v.reason, v.code
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
    stores: Sequence[EventStore],
    settings: Settings,
    *,
    district: str | None = None,
    phase: str | None = None,
    unavailable: str | None = None,
    clock: Clock | None = None,
) -> StatusList:
    """Every round: the period workflows in Temporal's visibility (latest run per workflow id,
    closed ones included) and every round in `period_status` (simulated ones too)."""
    if phase is not None and phase not in {p.value for p in Phase}:
        raise BadInput(f"--phase: not a phase; phases: {', '.join(p.value for p in Phase)}")
    periods: set[str] = set()
    for store in stores:
        periods |= set(await store.projections.periods())
    source: Source = "postgresql"
    note: str | None = None
    pollers: PollerCache | None = None
    if client is None:
        note = f"{NO_WORKER_NOTE} Temporal: {unavailable}."
    else:
        pollers = PollerCache(client, settings.temporal_namespace)
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
            note = f"Temporal answered with an error ({type(e).__name__}: {first_line(str(e))}): {PROJECTION}."
    semaphore = asyncio.Semaphore(8)

    async def one(period: str) -> PeriodDiagnosis | None:
        async with semaphore:
            try:
                return await diagnose(
                    client, stores, settings, period, detail=False, unavailable=unavailable, _pollers=pollers,
                    clock=clock,
                )
            except UnknownRound:
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


async def round_status(
    services: Services, period: str | None = None, *, district: str | None = None, phase: str | None = None
) -> StatusList | PeriodDiagnosis:
    """The use case: every round, or one round's diagnosis. Temporal being unreachable is not
    an error here: the report falls back to PostgreSQL and says so."""
    if period is not None:
        period = period_id(period)
    if district is not None:
        district = period_id(district, "--district")
    stores = [(await services.database()).store, (await services.simulation_database()).store]
    try:
        client, unavailable = await services.temporal(), None
    except Unavailable as e:
        client, unavailable = None, e.message
    if period is None:
        return await list_rounds(
            client, stores, services.settings, district=district, phase=phase, unavailable=unavailable,
            clock=services.clock,
        )
    return await diagnose(client, stores, services.settings, period, unavailable=unavailable, clock=services.clock)
