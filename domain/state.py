"""A period's state as the fold of its events: `apply(state, event) -> state`.

`apply` is pure: it returns a new state and leaves its argument untouched (containers that
change are copied). The same fold runs in the workflow, in a run rebuilt from stored events
and on the read side, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel

from domain.events import (
    DeadlineExtended,
    DomainEvent,
    LotteryDrawn,
    LotteryStarted,
    MeetingOpened,
    PeriodOpened,
    PhaseClosed,
    RosterPublished,
    ShiftLeftUncovered,
    RoundCancelled,
    ShiftTaken,
    Source,
)
from domain.model import PeriodConfig, Phase
from domain.quota import QuotaSnapshot

WISH_SOURCES = frozenset({Source.ADVANCE_WISH, Source.MEETING})  # R-LOT-1: "wishes"


class Assignment(BaseModel):
    doctor: str
    source: Source


class PeriodState(BaseModel):
    config: PeriodConfig | None = None
    simulated: bool = False
    version: int = 0  # events applied so far
    phase: Phase = Phase.MEETING
    meeting_open: bool = False
    quota: QuotaSnapshot | None = None
    assignments: dict[str, Assignment] = {}
    wishes: dict[str, int] = {}  # doctor -> accepted advance wishes and meeting picks
    seed: int | None = None
    draws: list[LotteryDrawn] = []
    uncovered: list[ShiftLeftUncovered] = []
    unsafe: list[str] = []
    phases_closed: list[PhaseClosed] = []
    deadlines: dict[str, datetime] = {}  # operator extensions by step (DeadlineExtended)
    cancelled: RoundCancelled | None = None

    @property
    def finished(self) -> bool:
        return self.phase in (Phase.PUBLISHED, Phase.CANCELLED)

    @property
    def opened(self) -> bool:
        return self.config is not None

    def require_config(self) -> PeriodConfig:
        if self.config is None:
            raise ValueError("period not opened")
        return self.config

    def held_by(self, doctor_id: str) -> list[str]:
        return [shift for shift, a in self.assignments.items() if a.doctor == doctor_id]


def apply(state: PeriodState, event: DomainEvent) -> PeriodState:
    """Fold one event into the state, returning the new state."""
    version = state.version + 1
    match event:
        case PeriodOpened(config=config, simulated=simulated):
            return PeriodState(config=config, simulated=simulated, version=version)
        case ShiftTaken(shift=shift, doctor=doctor, source=source):
            wishes = state.wishes
            if source in WISH_SOURCES:
                wishes = {**wishes, doctor: wishes.get(doctor, 0) + 1}
            return state.model_copy(
                update={
                    "version": version,
                    "assignments": {**state.assignments, shift: Assignment(doctor=doctor, source=source)},
                    "wishes": wishes,
                }
            )
        case MeetingOpened(quota=quota):
            return state.model_copy(update={"version": version, "meeting_open": True, "quota": quota})
        case PhaseClosed(next_phase=nxt):
            return state.model_copy(
                update={
                    "version": version,
                    "phase": nxt,
                    "meeting_open": False,
                    "phases_closed": [*state.phases_closed, event],
                }
            )
        case DeadlineExtended(step=step, deadline=deadline):
            return state.model_copy(update={"version": version, "deadlines": {**state.deadlines, step: deadline}})
        case RoundCancelled():
            return state.model_copy(
                update={"version": version, "phase": Phase.CANCELLED, "meeting_open": False, "cancelled": event}
            )
        case LotteryStarted(seed=seed):
            return state.model_copy(update={"version": version, "seed": seed})
        case LotteryDrawn(shift=shift, doctor=doctor):
            return state.model_copy(
                update={
                    "version": version,
                    "assignments": {
                        **state.assignments,
                        shift: Assignment(doctor=doctor, source=Source.LOTTERY),
                    },
                    "draws": [*state.draws, event],
                }
            )
        case ShiftLeftUncovered():
            return state.model_copy(update={"version": version, "uncovered": [*state.uncovered, event]})
        case RosterPublished(unsafe=unsafe):
            return state.model_copy(update={"version": version, "phase": Phase.PUBLISHED, "unsafe": list(unsafe)})
    raise TypeError(f"unknown event {type(event).__name__}")


def fold(events: Iterable[DomainEvent], state: PeriodState | None = None) -> PeriodState:
    state = state or PeriodState()
    for event in events:
        state = apply(state, event)
    return state
