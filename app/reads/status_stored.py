"""The PostgreSQL side of `vakt status`: a round as of its last stored event.

The projection (`period_status`, `roster_entries`) gives coverage; the phase, deadlines and
cancellation come from a fold of the stored phase events (`period_status` does not follow
deadline extensions). Used on its own when Temporal is not reachable or no worker answers.

The lottery pool shown for one round is kept simple: the doctors for whom
`domain.lottery.phase.in_lottery_pool` returns None on the period's first open shift (R-LOT-1 with the
R-EX-5 stand-ins of that date), with the current loads. It is known once the meeting has opened
(the quota is needed) and while shifts are open; R-LOT-2 exclusions differ per shift.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from adapters.postgres.event_store import EventStore
from app.reads.period_cache import PeriodCache
from app.reads.status_models import SOURCES, Coverage, LotteryPool
from domain.period.calendar import PeriodCalendar
from domain.period.events import parse_event
from domain.lottery.phase import in_lottery_pool
from domain.model import OSLO_TZ, Phase, Role
from domain.period.process import next_deadline, next_step_text
from domain.period.quota import shift_weight
from domain.period.state import PeriodState, fold

# Enough to know the phase and the deadlines without reading every pick.
PHASE_EVENT_TYPES = [
    "PeriodOpened", "MeetingOpened", "PhaseClosed", "DeadlineExtended", "RoundCancelled", "RosterPublished",
]


class StoredRound(BaseModel):
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


def oslo(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=OSLO_TZ)
    return value.astimezone(OSLO_TZ)


def lottery_pool(state: PeriodState, calendar: PeriodCalendar | None = None) -> LotteryPool | None:
    """The R-LOT-1 pool on the first open shift (see the module doc); None before the period opened."""
    if state.config is None:
        return None
    if state.quota is None:
        return LotteryPool(shift=None, doctors=[], note="known once the meeting opens (R-LOT-1 needs the quota)")
    config = state.config
    calendar = calendar or PeriodCalendar.from_config(config)
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


async def stored_round(
    store: EventStore, period: str, *, detail: bool, cache: PeriodCache | None = None
) -> StoredRound | None:
    """`cache`: the process's read model, for one round's detail (the full fold). The list view
    folds only the phase events of each round and keeps nothing: holding every round of every
    district in memory to list them would cost more than it saves."""
    kind = await store.stream_kind(period)
    if kind is None:
        return None
    reader = store.projections
    row = await reader.status_row(period)
    counts = await reader.shifts_by_source(period)
    last = await reader.last_event(period)
    # The full fold (detail) also gives the lottery pool.
    calendar = None
    if detail and cache is not None:
        folded = await cache.folded(store, period)
        state = folded.state if folded is not None else PeriodState()
        calendar = folded.calendar if folded is not None else None
    else:
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
    return StoredRound(
        kind=kind,
        district=state.config.district.id if state.config else (row["district_id"] if row else None),
        simulated=kind == "simulation",
        phase=phase,
        meeting_open=state.meeting_open,
        quota=state.quota.base if state.quota else (row["quota"] if row else None),
        next_deadline=oslo(deadline),
        next_step=next_step_text(phase, state.meeting_open),
        coverage=coverage,
        stored_version=last[0] if last else 0,
        last_event_at=oslo(last[1]) if last else None,
        lottery_pool=lottery_pool(state, calendar) if detail else None,
    )
