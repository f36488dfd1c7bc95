"""A period's state as the fold of its events: `apply(state, event) -> state`.

`apply` is pure: it returns a new state and leaves its argument untouched (containers that
change are copied). The same fold runs in the workflow, in a run rebuilt from stored events
and on the read side, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel

from domain.period.events import (
    DeadlineExtended,
    DoctorAmended,
    DomainEvent,
    LotteryDrawn,
    LotteryStarted,
    SeedCommitted,
    SeedRevealed,
    BeaconUnreachable,
    MeetingOpened,
    PeriodOpened,
    PhaseClosed,
    RosterPublished,
    ShiftLeftUncovered,
    RoundCancelled,
    RoundRestarted,
    ShiftsWorked,
    ShiftTaken,
    SwapAccepted,
    SwapClosed,
    SwapOffered,
    Source,
)
from domain.period.events import SwapApproved, SwapAwaitingApproval, SwapCarriedOut, SwapRejected
from domain.model import DoctorProfile, PeriodConfig, Phase
from domain.period.vacancy_state import VACANCY_EVENTS, Vacancy, apply_vacancy
from domain.period.quota import QuotaSnapshot

WISH_SOURCES = frozenset({Source.ADVANCE_WISH, Source.MEETING})  # R-LOT-1: "wishes"


class Assignment(BaseModel):
    doctor: str
    source: Source


class OpenSwap(BaseModel):
    shift: str
    giver: str
    receiver: str | None
    expires_at: datetime
    # R-SWAP-2: the doctor who accepted, while the swap waits for an operator's approval.
    accepted_by: str | None = None
    accepted_at: datetime | None = None


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
    lottery_algorithm: int | None = None  # LotteryStarted.algorithm (docs/lottery.md §6.2)
    seed_commitment: SeedCommitted | None = None  # R-LOT-5, recorded when the offering opens
    seed_revealed: SeedRevealed | None = None  # R-LOT-5, recorded at the draw
    # The draws themselves (pools, deficits) are read from the event log, never carried in the
    # state: a large district's draws would swell every continue-as-new payload.
    drawn: int = 0  # LotteryDrawn events applied
    uncovered: list[ShiftLeftUncovered] = []
    unsafe: list[str] = []
    phases_closed: list[PhaseClosed] = []
    deadlines: dict[str, datetime] = {}  # operator extensions by step (DeadlineExtended)
    cancelled: RoundCancelled | None = None
    restarts: int = 0  # RoundRestarted events (operator restarts on record)
    swaps: dict[str, OpenSwap] = {}  # open swap offers by id (R-SWAP-1)
    worked: dict[str, str] = {}  # shift -> the doctor who held it when it ended (R-LOAD-1)
    worked_until: datetime | None = None
    vacancies: dict[str, Vacancy] = {}  # by id, open and closed (R-VAC-1..3, vacancy_state.py)

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
    """Fold one event into the state, returning the new state (the argument is untouched)."""
    return fold((event,), state)


def fold(events: Iterable[DomainEvent], state: PeriodState | None = None) -> PeriodState:
    """Fold events into a copy of `state` (a fresh state when None). Linear in the events: the
    containers are copied once, not once per event, so a 10,000-draw lottery folds quickly."""
    work = _private_copy(state) if state is not None else PeriodState()
    for event in events:
        work = apply_in_place(work, event)
    return work


def _private_copy(state: PeriodState) -> PeriodState:
    return state.model_copy(
        update={
            "assignments": dict(state.assignments),
            "wishes": dict(state.wishes),
            "uncovered": list(state.uncovered),
            "unsafe": list(state.unsafe),
            "phases_closed": list(state.phases_closed),
            "deadlines": dict(state.deadlines),
            "swaps": dict(state.swaps),
            "worked": dict(state.worked),
            "vacancies": dict(state.vacancies),
        }
    )


def apply_in_place(state: PeriodState, event: DomainEvent) -> PeriodState:
    """Apply one event to a state the caller alone holds (a fold's private copy, the workflow's
    own state), without copying its containers. Returns the state (a new one on PeriodOpened).
    Everyone else uses the pure `apply` / `fold`."""
    state.version += 1
    match event:
        case PeriodOpened(config=config, simulated=simulated):
            return PeriodState(config=config, simulated=simulated, version=state.version)
        case ShiftTaken(shift=shift, doctor=doctor, source=source):
            if source in WISH_SOURCES:
                state.wishes[doctor] = state.wishes.get(doctor, 0) + 1
            state.assignments[shift] = Assignment(doctor=doctor, source=source)
        case MeetingOpened(quota=quota):
            state.meeting_open, state.quota = True, quota
        case PhaseClosed(next_phase=nxt):
            state.phase, state.meeting_open = nxt, False
            state.phases_closed.append(event)
        case DeadlineExtended(step=step, deadline=deadline):
            state.deadlines[step] = deadline
        case RoundCancelled():
            state.phase, state.meeting_open, state.cancelled = Phase.CANCELLED, False, event
        case RoundRestarted():
            state.restarts += 1
        case LotteryStarted(seed=seed, algorithm=algorithm):
            state.seed, state.lottery_algorithm = seed, algorithm
        case SeedCommitted():
            state.seed_commitment = event
        case SeedRevealed():
            state.seed_revealed = event
        case BeaconUnreachable():
            pass  # an operator's alert: the lottery waits for the beacon (R-LOT-5)
        case LotteryDrawn(shift=shift, doctor=doctor):
            state.assignments[shift] = Assignment(doctor=doctor, source=Source.LOTTERY)
            state.drawn += 1
        case ShiftLeftUncovered():
            state.uncovered.append(event)
        case RosterPublished(unsafe=unsafe):
            state.phase, state.unsafe = Phase.PUBLISHED, list(unsafe)
        case SwapOffered(swap=swap, shift=shift, giver=giver, receiver=receiver, expires_at=expires_at):
            state.swaps[swap] = OpenSwap(shift=shift, giver=giver, receiver=receiver, expires_at=expires_at)
        case SwapAccepted(swap=swap, shift=shift, receiver=receiver):
            state.assignments[shift] = Assignment(doctor=receiver, source=Source.SWAP)
            state.swaps.pop(swap, None)
        case SwapClosed(swap=swap):
            state.swaps.pop(swap, None)
        case SwapAwaitingApproval(swap=swap, receiver=receiver, accepted_at=accepted_at, expires_at=expires_at):
            state.swaps[swap] = state.swaps[swap].model_copy(
                update={"accepted_by": receiver, "accepted_at": accepted_at, "expires_at": expires_at})
        case SwapApproved(swap=swap, shift=shift, receiver=receiver):
            state.assignments[shift] = Assignment(doctor=receiver, source=Source.SWAP)
            state.swaps.pop(swap, None)
        case SwapRejected(swap=swap):
            state.swaps.pop(swap, None)
        case SwapCarriedOut(shift=shift, receiver=receiver):
            state.assignments[shift] = Assignment(doctor=receiver, source=Source.SWAP)
            for open_id in [k for k, o in state.swaps.items() if o.shift == shift]:
                state.swaps.pop(open_id)  # the offer of a shift that changed hands ends with it
        case ShiftsWorked(worked=worked, until=until):
            state.worked.update(dict(worked))
            state.worked_until = until
        case DoctorAmended(doctor=doctor):
            state.config = with_doctor(state.require_config(), doctor)
        case _ if isinstance(event, VACANCY_EVENTS):
            handover = apply_vacancy(state.vacancies, event)
            if handover is not None:  # R-VAC-2/3: taken over or assigned
                state.assignments[handover[0]] = Assignment(doctor=handover[1], source=Source.VACANCY)
        case _:
            raise TypeError(f"unknown event {type(event).__name__}")
    return state


def with_doctor(config: PeriodConfig, doctor: DoctorProfile) -> PeriodConfig:
    """The config with one doctor's profile replaced (built anew: its cached lookups stay true)."""
    doctors = tuple(doctor if d.id == doctor.id else d for d in config.doctors)
    return PeriodConfig(
        district=config.district, period=config.period, shift_template=config.shift_template,
        doctors=doctors, lottery_seed=config.lottery_seed,
    )


def lottery_draws(events: Iterable[DomainEvent]) -> list[LotteryDrawn]:
    """The period's draws in order, from its event log (the state keeps only their count)."""
    return [e for e in events if isinstance(e, LotteryDrawn)]
