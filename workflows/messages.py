"""Inputs and results of `AllocationPeriodWorkflow`'s run, updates and queries.

Pure pydantic, safe to import in the workflow sandbox and in clients alike. Every payload is
encrypted on the wire (infra.codec); sizes are bounded (app/limits.py) so none nears
Temporal's 2 MB payload limit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from domain import actors
from domain.period.events import RecordedEvent, Source
from domain.mail.facts import SwapFacts
from domain.model import DoctorProfile, PeriodConfig, Phase
from domain.period.rules import ActionKind
from domain.period.state import PeriodState
from workflows.vacancy_messages import QueuedVacancyNotice

# Temporal refuses a run's 2,001st update; continue-as-new well before (architecture.md).
DEFAULT_MAX_UPDATES_PER_RUN = 1800
# One update carries at most this many doctors' actions (the front door batches them).
MAX_ACTIONS_PER_UPDATE = 200
# Outcomes of this many recent requests are remembered, across continue-as-new, so a request
# retried after a lost answer is answered again instead of decided twice.
REMEMBERED_OUTCOMES = 2000

ID = Field(min_length=1, max_length=64)
TEXT = Field(min_length=1, max_length=500)


class ActionRequest(BaseModel):
    """One doctor's action on one shift, as the front door sends it."""

    request_id: str = Field(min_length=1, max_length=64)  # the caller's idempotency key
    kind: ActionKind
    doctor: str = ID
    shift: str = Field(min_length=1, max_length=80)
    actor: str = Field(min_length=3, max_length=120)  # domain.actors


class ActionOutcome(BaseModel):
    """A definite answer: accepted with the version that recorded it, or refused with its rule."""

    request_id: str
    accepted: bool
    shift: str
    doctor: str
    source: Source | None = None
    version: int | None = None
    rule: str | None = None
    message: str | None = None
    code: str | None = None  # the refusal's stable code (domain.period.rules.RuleViolation); None in older runs


class SubmitActionsInput(BaseModel):
    actions: list[ActionRequest] = Field(min_length=1, max_length=MAX_ACTIONS_PER_UPDATE)


class SubmitActionsResult(BaseModel):
    outcomes: list[ActionOutcome]  # one per action, in the order sent


class RestartNote(BaseModel):
    """Who restarted a round, why, and how (recorded as RoundRestarted)."""

    remedy: Literal["reset", "rebuild"]
    operator: str = Field(min_length=1, max_length=100)
    reason: str = TEXT
    # The recorded actor (domain.actors: operator:<account id>) when the web service names the
    # operator by account; absent (older histories, the CLI): operator:<operator>.
    actor: str | None = Field(None, min_length=3, max_length=120)
    previous_run: str | None = None


class QueuedSwapNotice(BaseModel):
    """A swap notice decided but not yet sent (R-SWAP-1): a doctor id and facts, no contact data."""

    doctor: str = ID
    facts: SwapFacts


class CarriedState(BaseModel):
    """All of the workflow's state, carried across continue-as-new in one structure.

    `state.config` travels as None: the config is in `PeriodInput.config` once, not twice.
    """

    state: PeriodState
    pending: list[RecordedEvent] = []  # recorded but not yet in PostgreSQL
    stored_version: int = 0  # last version confirmed stored
    outcomes: dict[str, ActionOutcome] = {}  # recent answers by request id (oldest first)
    notices: list[str] = []  # the kinds of notice already sent (invitation, reminders, results)
    swap_notices: list[QueuedSwapNotice] = []  # decided, not yet sent (workflows/period/swaps.py)
    vacancy_notices: list[QueuedVacancyNotice] = []  # decided, not yet sent (workflows/period/vacancies.py)
    updates_before: int = 0  # updates handled by earlier runs (for status only)
    runs_before: int = 0  # how many runs continued-as-new into this one


class PeriodInput(BaseModel):
    config: PeriodConfig  # minimised (domain.registry.minimise): no contact data, ranges within the period
    simulated: bool = False
    # Simulated runs replay a scenario whose dates may lie in the past: the period's clock is
    # the server's clock plus this fixed offset (0 for a live period). Fixed at start, so
    # replay-safe.
    clock_offset_seconds: float = 0.0
    max_updates_per_run: int = Field(DEFAULT_MAX_UPDATES_PER_RUN, ge=10)
    # True when the server has VaktPeriod/VaktDistrict/VaktPhase registered (workflows.search).
    search_attributes: bool = False
    carried: CarriedState | None = None
    restart: RestartNote | None = None  # set by `vakt restart --apply` when it rebuilds the round
    # A live round stays open after publication until its last shift has ended: swaps
    # (R-SWAP-1) and worked shifts (R-LOAD-1). A simulation ends at publication.
    follow_through: bool = True
    # Send the doctors their invitation, reminders, results and, after publication, swap notices
    # by e-mail (scheduled and live rounds; never a simulation).
    notify: bool = False
    started_by: str = "system:period"  # who started the period (domain.actors)


class ExtendDeadlineInput(BaseModel):
    until: datetime  # naive = Europe/Oslo wall-clock
    operator: str = Field(min_length=1, max_length=100)
    reason: str = TEXT
    # The recorded actor (domain.actors: operator:<account id>) when the web service names the
    # operator by account; absent (older histories, the CLI): operator:<operator>.
    actor: str | None = Field(None, min_length=3, max_length=120)


class CancelRoundInput(BaseModel):
    operator: str = Field(min_length=1, max_length=100)
    reason: str = TEXT
    # The recorded actor (domain.actors: operator:<account id>) when the web service names the
    # operator by account; absent (older histories, the CLI): operator:<operator>.
    actor: str | None = Field(None, min_length=3, max_length=120)


class ClosePhaseInput(BaseModel):
    operator: str = Field(min_length=1, max_length=100)
    reason: str = TEXT
    # The recorded actor (domain.actors: operator:<account id>) when the web service names the
    # operator by account; absent (older histories, the CLI): operator:<operator>.
    actor: str | None = Field(None, min_length=3, max_length=120)


class ClosePhaseResult(BaseModel):
    closed: Phase
    now: Phase
    version: int


class OperatorActionResult(BaseModel):
    phase: Phase
    version: int
    next_deadline: datetime | None
    changed: bool = True  # False: nothing to do (an amendment the period already had)


class OfferSwapInput(BaseModel):
    giver: str = ID
    shift: str = Field(min_length=1, max_length=80)
    receiver: str | None = Field(None, min_length=1, max_length=64)  # None: everyone who may take it
    actor: str = Field(min_length=3, max_length=120)


class AcceptSwapInput(BaseModel):
    swap: str = Field(min_length=1, max_length=64)
    receiver: str = ID
    actor: str = Field(min_length=3, max_length=120)


class CloseSwapInput(BaseModel):
    swap: str = Field(min_length=1, max_length=64)
    by: str = ID  # the giver (withdraws) or the named receiver (declines)
    actor: str = Field(min_length=3, max_length=120)


class ApproveSwapInput(BaseModel):
    """R-SWAP-2: an operator approves a waiting swap."""

    swap: str = Field(min_length=1, max_length=64)
    actor: str = Field(min_length=3, max_length=120)  # operator:<account id>


class RejectSwapInput(BaseModel):
    """R-SWAP-2: an operator rejects a waiting swap, with a reason."""

    swap: str = Field(min_length=1, max_length=64)
    reason: str = TEXT
    actor: str = Field(min_length=3, max_length=120)


class CarryOutSwapInput(BaseModel):
    """R-SWAP-2: an operator hands `giver`'s shift to `receiver`, for two doctors who agree."""

    shift: str = Field(min_length=1, max_length=80)
    giver: str = ID
    receiver: str = ID
    reason: str = TEXT
    actor: str = Field(min_length=3, max_length=120)  # operator:<id> for doctor:<giver> and doctor:<receiver>


class AmendDoctorInput(BaseModel):
    """A clinic's decision before the meeting (workflows/period/actions.py): the doctor's new,
    minimised profile, the request it decides and who decided (domain.actors)."""

    doctor: DoctorProfile
    request: int | None = None
    actor: str = Field(min_length=3, max_length=120)


class SwapResult(BaseModel):
    swap: str
    shift: str
    version: int
    awaiting_approval: bool = False  # R-SWAP-2: accepted, waiting for an operator


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
    doctor: str = ID


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



def operator_actor_of(request: ExtendDeadlineInput | CancelRoundInput | ClosePhaseInput | RestartNote) -> str:
    """Who an operator's step is recorded as: its actor when given, else operator:<operator>."""
    return request.actor or actors.operator(request.operator)
