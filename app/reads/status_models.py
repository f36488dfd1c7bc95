"""What `vakt status` reports: one round's diagnosis, the list of rounds (pure models)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from domain.model import Phase

Source = Literal["temporal", "postgresql"]
SOURCES = ("staff", "advance_wish", "meeting", "offering", "lottery", "uncovered")

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
    verdict_code: str = ""  # stable (healthy, waiting, stuck_no_worker …): the pages say it in words
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
            verdict_code=self.verdict_code,
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
    verdict_code: str = ""
    stuck: bool
    status: str | None
    source: Source


class StatusList(BaseModel):
    source: Source
    note: str | None
    namespace: str
    task_queue: str
    rounds: list[RoundSummary]
