"""Domain events: the facts of an allocation period, in the order they happened.

Events are pure facts with no identity of their own; the workflow wraps each in an envelope
with an event id from `workflow.uuid4()`, a per-period version and a timestamp
(`RecordedEvent`). Folding a period's events with `domain.period.state.apply` rebuilds its state — in
the workflow, in a restarted run and on the read side alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from domain.model import BeaconChain, DoctorProfile, PeriodConfig, Phase
from domain.period.quota import QuotaSnapshot


class Source(StrEnum):
    """How a doctor came to hold a shift."""

    STAFF = "staff"  # R-PROC-2
    ADVANCE_WISH = "advance_wish"  # R-MEET-2
    MEETING = "meeting"  # phase A
    OFFERING = "offering"  # phase B, R-PROC-3
    LOTTERY = "lottery"  # phase C, R-PROC-4
    SWAP = "swap"  # taken over from a colleague after publication, R-SWAP-1
    VACANCY = "vacancy"  # taken over, or assigned by an operator, from a vacancy (R-VAC-2/3)


from domain.period.event_base import _Event  # noqa: E402 - shared with swap_events and vacancy_events


class PeriodOpened(_Event):
    type: Literal["PeriodOpened"] = "PeriodOpened"
    config: PeriodConfig
    simulated: bool = False


class ShiftTaken(_Event):
    """A doctor took a free shift by a voluntary action or a staff entry."""

    type: Literal["ShiftTaken"] = "ShiftTaken"
    shift: str
    doctor: str
    source: Source


class MeetingOpened(_Event):
    """R-PROC-2 entries are in; the meeting starts. Records the quota (R-PROC-6, R-LOAD-2)."""

    type: Literal["MeetingOpened"] = "MeetingOpened"
    quota: QuotaSnapshot


class PhaseClosed(_Event):
    """R-PROC-1: a phase ended, on its deadline or early by a recorded operator action."""

    type: Literal["PhaseClosed"] = "PhaseClosed"
    phase: Phase
    next_phase: Phase
    by: Literal["deadline", "operator"]
    operator: str | None = None
    reason: str | None = None


class DeadlineExtended(_Event):
    """An operator moved the current step's deadline later (recorded with name and reason)."""

    type: Literal["DeadlineExtended"] = "DeadlineExtended"
    step: Literal["meeting_at", "meeting_closes", "offering_closes"]
    previous: datetime
    deadline: datetime
    operator: str
    reason: str


class RoundCancelled(_Event):
    """An operator cancelled the round; nothing more is accepted, no roster is published."""

    type: Literal["RoundCancelled"] = "RoundCancelled"
    phase: Phase  # the phase it was cancelled in
    operator: str
    reason: str


class RoundRestarted(_Event):
    """An operator put a stuck round back on track (`vakt restart --apply`): recorded like every
    other operator action, with who, why and which remedy."""

    type: Literal["RoundRestarted"] = "RoundRestarted"
    remedy: Literal["reset", "rebuild"]
    operator: str
    reason: str
    previous_run: str | None = None  # the run that was reset or replaced


class LotteryStarted(_Event):
    """R-LOT-4: the seed every draw derives from, recorded before the first draw."""

    type: Literal["LotteryStarted"] = "LotteryStarted"
    seed: int
    open_shifts: int
    # The lottery's algorithm (domain.lottery.phase.ALGORITHM): a round is verified by the one
    # it was drawn with. 1: every round drawn before the exact re-solves of two doctors (R-LOAD-3).
    algorithm: int = 1


_BYTE_BITS = tuple(tuple(b for b in range(8) if (v >> b) & 1) for v in range(256))


class DoctorSet(BaseModel):
    """A set of the period's doctors, compact (R-LOT-4).

    Bit i of the hexadecimal number `bits` stands for the i-th doctor of the period with the
    doctors sorted by id (code point order), as listed in `PeriodOpened.config.doctors`:
    `[ids[i] for i in range(len(ids)) if int(bits, 16) >> i & 1]`. A 2,000-doctor set takes
    500 characters, where a list of ids would take 20,000.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    size: int
    bits: str

    @classmethod
    def of(cls, members: int) -> DoctorSet:
        return cls(size=members.bit_count(), bits=format(members, "x"))

    @property
    def value(self) -> int:
        return int(self.bits, 16)

    def __len__(self) -> int:
        return self.size

    def has(self, index: int) -> bool:
        return (self.value >> index) & 1 == 1

    def ids(self, doctor_ids: Sequence[str]) -> list[str]:
        """The members' ids, sorted, given the period's doctor ids sorted. A bit beyond the
        period's doctors (a damaged record) reads as "#<bit>", so it shows in a comparison."""
        x = self.value
        n = len(doctor_ids)
        out: list[str] = []
        for j, byte in enumerate(x.to_bytes((x.bit_length() + 7) // 8, "little")):
            out.extend(doctor_ids[i] if i < n else f"#{i}" for i in (8 * j + b for b in _BYTE_BITS[byte]))
        return out


class DeficitLevel(BaseModel):
    """Pool members with one deficit (quota minus load, in points) when the draw was made."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deficit: float
    doctors: DoctorSet


class PassedOver(BaseModel):
    """Candidates the draw tried and passed over, and why (R-PROC-4, R-LOT-3, R-LOT-1)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doctors: DoctorSet
    rule: str
    why: str


class SeedCommitted(_Event):
    """R-LOT-5: when the offering opens, before the lottery's input is known, where its seed
    will come from: a drand round published after the offering closes (`chain`, `round`,
    `round_at`), or the SHA-256 `commitment` of a secret kept outside the workflow (offline)."""

    type: Literal["SeedCommitted"] = "SeedCommitted"
    source: Literal["drand", "offline"]
    chain: BeaconChain | None = None
    round: int | None = None
    round_at: datetime | None = None
    commitment: str | None = None


class SeedRevealed(_Event):
    """R-LOT-5: at the draw, the beacon's round as published (its BLS `signature`, and the
    previous one on a chained beacon) with `randomness` = sha256(signature), or the revealed
    `secret`; `seed` follows from that value alone (domain.lottery.beacon)."""

    type: Literal["SeedRevealed"] = "SeedRevealed"
    source: Literal["drand", "offline"]
    seed: int
    round: int | None = None
    signature: str | None = None
    previous_signature: str | None = None
    randomness: str | None = None
    secret: str | None = None


class BeaconUnreachable(_Event):
    """R-LOT-5: the beacon's round could not be fetched at the draw. The lottery waits and
    retries — never another seed — and this event is the operators' alert."""

    type: Literal["BeaconUnreachable"] = "BeaconUnreachable"
    round: int
    attempts: int
    error: str


class LotteryDrawn(_Event):
    """R-LOT-4: one draw, with what a reader needs to check it (docs/lottery.md).

    `pool`: every doctor who could legally be drawn (R-LOT-1, R-LOT-2, R-QUAL-2/3, R-REST-1).
    `levels`: the pool by deficit, from the largest down to the drawn doctor's; the last level
    is `tied`, among whom the seed chose. `passed`: the candidates tried before the drawn
    doctor and passed over, each group with its reason.
    """

    type: Literal["LotteryDrawn"] = "LotteryDrawn"
    draw: int  # 1-based order of the draw
    shift: str
    doctor: str
    pool: DoctorSet
    levels: list[DeficitLevel]
    passed: list[PassedOver] = []
    # R-LOAD-3: drawn beyond the district's weekly cap, because no draw within it could cover the
    # shift (a second round of draws after the first left it uncovered; docs/lottery.md §3.5).
    beyond_cap: bool = False

    @property
    def tied(self) -> DoctorSet:
        return self.levels[-1].doctors

    @property
    def deficit(self) -> float:
        """The drawn doctor's deficit before the draw (R-LOT-3)."""
        return self.levels[-1].deficit


class ShiftLeftUncovered(_Event):
    """R-PROC-4: a shift no legal draw could fill is reported, never dropped or filled illegally.

    With candidates in `pool`, each was passed over (`passed`): drawing any of them would have
    left more shifts uncovered, or a doctor further from the quota, than the best outcome.
    """

    type: Literal["ShiftLeftUncovered"] = "ShiftLeftUncovered"
    shift: str
    rule: str
    reason: str
    pool: DoctorSet | None = None
    passed: list[PassedOver] = []


class RosterPublished(_Event):
    type: Literal["RosterPublished"] = "RosterPublished"
    assigned: int
    uncovered: int
    unsafe: list[str]  # R-QUAL-3: duty shifts of not-qualified doctors lacking backup


class ShiftsWorked(_Event):
    """R-LOAD-1: shifts that have ended, each with the doctor who held it at its end (who
    physically worked it)."""

    type: Literal["ShiftsWorked"] = "ShiftsWorked"
    worked: list[tuple[str, str]]  # (shift, doctor)
    until: datetime  # every held shift ending at or before this is in


class DoctorAmended(_Event):
    """The clinic decided a doctor's request before the meeting (an exemption, R-EX-2/R-EX-3; a
    valid meeting absence, R-MEET-1; a stand-in, R-EX-5): the period's profile of the doctor is
    replaced by this one, minimised like every profile (rule and clamped ranges only)."""

    type: Literal["DoctorAmended"] = "DoctorAmended"
    doctor: DoctorProfile
    request: int | None = None  # the request it decides (app.registry.requests), for the record


from domain.period.swap_events import (  # noqa: E402 - they build on _Event above
    SwapAccepted,
    SwapApproved,
    SwapAwaitingApproval,
    SwapCarriedOut,
    SwapClosed,
    SwapOffered,
    SwapRejected,
)
from domain.period.vacancy_events import (  # noqa: E402 - they build on _Event above
    VacancyAssigned,
    VacancyDeclared,
    VacancyEscalated,
    VacancyTaken,
    VacancyUncovered,
)

DomainEvent = Annotated[
    PeriodOpened
    | ShiftTaken
    | MeetingOpened
    | PhaseClosed
    | DeadlineExtended
    | RoundCancelled
    | RoundRestarted
    | LotteryStarted
    | SeedCommitted
    | SeedRevealed
    | BeaconUnreachable
    | LotteryDrawn
    | ShiftLeftUncovered
    | RosterPublished
    | SwapOffered
    | SwapAccepted
    | SwapClosed
    | SwapAwaitingApproval
    | SwapApproved
    | SwapRejected
    | SwapCarriedOut
    | ShiftsWorked
    | DoctorAmended
    | VacancyDeclared
    | VacancyTaken
    | VacancyEscalated
    | VacancyAssigned
    | VacancyUncovered,
    Field(discriminator="type"),
]

EVENT_ADAPTER: TypeAdapter[DomainEvent] = TypeAdapter(DomainEvent)


def parse_event(data: dict) -> DomainEvent:
    return EVENT_ADAPTER.validate_python(data)


class RecordedEvent(BaseModel):
    """The envelope: identity, order, time and actor of one event in a period's stream."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID
    version: int
    occurred_at: datetime
    actor: str  # who acted (domain.actors): "doctor:gp01", "operator:Kari Nordmann", "system:deadline"
    event: DomainEvent
