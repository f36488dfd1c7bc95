"""Inputs and results of `AllocationPeriodWorkflow`'s run, updates and queries.

Pure pydantic, safe to import in the workflow sandbox and in clients alike.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from domain.events import RecordedEvent, Source
from domain.model import PeriodConfig, Phase
from domain.state import PeriodState

# Temporal refuses a run's 2,001st update; continue-as-new well before (architecture.md).
DEFAULT_MAX_UPDATES_PER_RUN = 1800


class CarriedState(BaseModel):
    """All of the workflow's state, carried across continue-as-new in one structure."""

    state: PeriodState
    pending: list[RecordedEvent] = []  # recorded but not yet in PostgreSQL
    stored_version: int = 0  # last version confirmed stored
    updates_before: int = 0  # updates handled by earlier runs (for status only)
    runs_before: int = 0  # how many runs continued-as-new into this one


class PeriodInput(BaseModel):
    config: PeriodConfig
    simulated: bool = False
    # Simulated runs replay a scenario whose dates may lie in the past: the period's clock is
    # the server's clock plus this fixed offset (0 for a live period). Fixed at start, so
    # replay-safe.
    clock_offset_seconds: float = 0.0
    max_updates_per_run: int = Field(DEFAULT_MAX_UPDATES_PER_RUN, ge=10)
    # True when the server has VaktPeriod/VaktDistrict/VaktPhase registered (workflows.search).
    search_attributes: bool = False
    carried: CarriedState | None = None


class ExtendDeadlineInput(BaseModel):
    until: datetime  # naive = Europe/Oslo wall-clock
    operator: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class CancelRoundInput(BaseModel):
    operator: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class OperatorActionResult(BaseModel):
    phase: Phase
    version: int
    next_deadline: datetime | None


class ActionInput(BaseModel):
    """A doctor's action on one shift: a staff entry, advance wish, meeting pick or claim."""

    doctor: str
    shift: str


class ActionResult(BaseModel):
    shift: str
    doctor: str
    source: Source
    version: int  # the period version that recorded it


class ClosePhaseInput(BaseModel):
    operator: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class ClosePhaseResult(BaseModel):
    closed: Phase
    now: Phase


class PhaseView(BaseModel):
    period: str
    phase: Phase
    meeting_open: bool
    now: datetime  # the period's clock (Europe/Oslo)
    next_deadline: datetime | None
    next_step: str
    version: int
    stored_version: int
    simulated: bool


class CoverageView(BaseModel):
    total: int
    covered: int
    open: int
    by_source: dict[str, int]
    uncovered: int
    unsafe: int


class DoctorProgressInput(BaseModel):
    doctor: str


class DoctorProgress(BaseModel):
    doctor: str
    quota: int | None
    shifts: list[str]
    wishes: int
    points: float


class PeriodResult(BaseModel):
    """Small on purpose (payloads stay small): the roster itself is read from PostgreSQL."""

    period: str
    phase: Phase
    version: int
    assigned: int
    uncovered: int
    unsafe: int
    runs: int  # 1 + the times the period continued-as-new
    updates: int
