"""A period's stored event log, one page at a time, read from PostgreSQL (no Temporal needed).

Each event gets a one-line plain-language summary; the page carries the stored data itself,
except that `PeriodOpened` gives only the number of doctors in `data.config.doctors` (the
profiles are bulky, and a page stays small). Every event shows who acted (`actor`).

Filters:
- `types`: only these event types;
- `doctor`: only events whose data names the doctor — who took, was drawn for, gave or received
  a shift, or membership of a draw's pool. `PeriodOpened` never matches;
- `after_version` / `limit`: the page. `next_after_version` is set while more events follow.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, get_args

from adapters.postgres.event_store import EventStore, StoredEvent
from app.bootstrap import Services
from app.errors import BadInput, NotFound
from app.validate import doctor_id, period_id
from domain.period.shifts import count_shifts
from domain.clock import local_time
from domain.period.events import (
    DeadlineExtended,
    DoctorAmended,
    DomainEvent,
    LotteryDrawn,
    LotteryStarted,
    MeetingOpened,
    PeriodOpened,
    PhaseClosed,
    RosterPublished,
    RoundCancelled,
    RoundRestarted,
    ShiftLeftUncovered,
    ShiftTaken,
    VacancyAssigned,
    VacancyDeclared,
    VacancyEscalated,
    VacancyTaken,
    VacancyUncovered,
    SwapApproved,
    SwapAwaitingApproval,
    SwapCarriedOut,
    SwapRejected,
    parse_event,
)
from domain.model import OSLO_TZ
from app.reads.stored import store_of

DEFAULT_LIMIT = 50
STORE_WAIT = 5.0  # seconds a read waits for a version its caller was just told is accepted
MAX_LIMIT = 1000

# Every event type the domain knows, in the order they are declared.
EVENT_TYPES: tuple[str, ...] = tuple(
    cls.model_fields["type"].default for cls in get_args(get_args(DomainEvent)[0])
)

async def wait_until_stored(store: EventStore, period: str, version: int, *, timeout: float = STORE_WAIT) -> int:
    """Read your own writes: an accepted action's answer carries the version the workflow gave
    it, and the workflow stores its events a moment later (a batched append activity). A read
    that follows waits until that version is stored — or `timeout`, after which it shows what
    is there. Returns the stored version."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while True:
        stored = await store.stored_version(period)
        if stored >= version or loop.time() >= give_up:
            return stored
        await asyncio.sleep(0.05)


def _by(operator: str | None, reason: str | None) -> str:
    return f"operator {operator}: {reason}" if operator else "deadline"


def summarize(event: DomainEvent) -> str:
    """One plain-language line per event. Never contact data (events hold none) and, for
    `PeriodOpened`, only counts."""
    match event:
        case PeriodOpened(config=config, simulated=simulated):
            shifts = count_shifts(config)
            return (
                f"period opened: {len(config.doctors)} doctors, {shifts} shifts"
                + (" (simulated)" if simulated else "")
            )
        case ShiftTaken(shift=shift, doctor=doctor, source=source):
            return f"{doctor} took {shift} ({source.value.replace('_', ' ')})"
        case MeetingOpened(quota=quota):
            return f"meeting opened; quota {quota.base}" + (" points" if quota.weighted else "")
        case PhaseClosed(phase=phase, next_phase=nxt, by=by, operator=operator, reason=reason):
            return f"{phase.value} → {nxt.value} ({_by(operator, reason) if by == 'operator' else 'deadline'})"
        case DeadlineExtended(step=step, previous=previous, deadline=deadline, operator=operator, reason=reason):
            return (
                f"deadline {step} moved {local_time(previous)} → {local_time(deadline)} "
                f"({_by(operator, reason)})"
            )
        case RoundCancelled(phase=phase, operator=operator, reason=reason):
            return f"round cancelled in phase {phase.value} ({_by(operator, reason)})"
        case RoundRestarted(remedy=remedy, operator=operator, reason=reason):
            return f"round restarted ({remedy}) ({_by(operator, reason)})"
        case LotteryStarted(seed=seed, open_shifts=open_shifts, algorithm=algorithm):
            return f"lottery started: {open_shifts} open shifts, seed {seed}, algorithm {algorithm}"
        case LotteryDrawn(draw=draw, shift=shift, pool=pool, tied=tied, doctor=doctor):
            return f"draw #{draw}: {shift} → {doctor} (pool {len(pool)}, tied {len(tied)})"
        case ShiftLeftUncovered(shift=shift, rule=rule, reason=reason):
            return f"{shift} left uncovered ({rule}: {reason})"
        case RosterPublished(assigned=assigned, uncovered=uncovered, unsafe=unsafe):
            return f"roster published: {assigned} shifts assigned, {uncovered} uncovered, {len(unsafe)} unsafe"
        case VacancyDeclared(shift=shift, holder=holder, escalate_at=at, offered=offered):
            return f"{shift} of {holder} declared vacant; offered to {offered}, escalated at {local_time(at)} (R-VAC-1/2)"
        case VacancyTaken(shift=shift, holder=holder, doctor=doctor):
            return f"vacant {shift} of {holder} taken by {doctor} (R-VAC-2)"
        case VacancyEscalated(shift=shift, lead_hours=hours):
            return f"vacant {shift} still open {hours:g} h before its start: operators alerted (R-VAC-3)"
        case VacancyAssigned(shift=shift, holder=holder, doctor=doctor):
            return f"vacant {shift} of {holder} assigned to {doctor} (R-VAC-3)"
        case VacancyUncovered(shift=shift, holder=holder):
            return f"vacant {shift} of {holder} started uncovered (R-VAC-3)"
        case DoctorAmended(doctor=doctor, request=request):
            return f"profile of {doctor.id} amended before the meeting" + (f" (request #{request})" if request else "")
        case SwapAwaitingApproval(shift=shift, giver=giver, receiver=receiver):
            return f"{receiver} accepted {shift} from {giver}; waits for approval (R-SWAP-2)"
        case SwapApproved(shift=shift, giver=giver, receiver=receiver):
            return f"swap of {shift} approved: {giver} → {receiver} (R-SWAP-2)"
        case SwapRejected(shift=shift, giver=giver, receiver=receiver, reason=reason):
            return f"swap of {shift} from {giver} to {receiver} rejected: {reason} (R-SWAP-2)"
        case SwapCarriedOut(shift=shift, giver=giver, receiver=receiver, reason=reason):
            return f"swap of {shift} carried out for {giver} → {receiver}: {reason} (R-SWAP-2)"
    return type(event).__name__


def _summary_of(stored: StoredEvent) -> str:
    try:
        return summarize(parse_event(stored.data))
    except Exception:  # noqa: BLE001 - an event this code does not know is still listed
        return f"({stored.type}: not readable by this version)"


def _compact_data(stored: StoredEvent) -> dict[str, Any]:
    """The stored data; a PeriodOpened's doctor profiles are replaced by their count."""
    if stored.type != "PeriodOpened":
        return stored.data
    data = json.loads(json.dumps(stored.data))  # deep copy: never touch the caller's event
    config = data.get("config") or {}
    if isinstance(config.get("doctors"), list):
        config["doctors"] = len(config["doctors"])
    return data


_NAMING_TYPES = ("DoctorAmended", "ShiftTaken", "LotteryDrawn", "ShiftLeftUncovered", "SwapOffered", "SwapAccepted", "SwapClosed",
                 "VacancyDeclared", "VacancyTaken", "VacancyAssigned", "VacancyUncovered",
                 "SwapAwaitingApproval", "SwapApproved", "SwapRejected", "SwapCarriedOut")
_CHUNK = 500


def _names(data: dict, doctor: str, index: int | None) -> bool:
    """Whether an event's data names the doctor: as the one who took, was drawn for, gave or
    received a shift — or as a member of a draw's pool (a bit set over the sorted doctor ids)."""
    named = data.get("doctor")
    if isinstance(named, dict):  # DoctorAmended carries the profile
        named = named.get("id")
    if doctor in (named, data.get("giver"), data.get("receiver"), data.get("by"), data.get("holder")):
        return True
    pool = data.get("pool")
    return index is not None and isinstance(pool, dict) and (int(pool.get("bits") or "0", 16) >> index) & 1 == 1


async def _naming(
    store: EventStore, period: str, doctor: str, types: list[str] | None, after_version: int, wanted: int
) -> list[StoredEvent]:
    [opened] = await store.read_stream(period, types=["PeriodOpened"], limit=1) or [None]
    ids = sorted(d["id"] for d in (opened.data["config"]["doctors"] if opened else []))
    index = ids.index(doctor) if doctor in ids else None
    kinds = [t for t in (types or _NAMING_TYPES) if t in _NAMING_TYPES]
    found: list[StoredEvent] = []
    cursor = after_version
    while kinds and len(found) < wanted:
        chunk = await store.read_stream(period, after_version=cursor, types=kinds, limit=_CHUNK)
        found.extend(e for e in chunk if _names(e.data, doctor, index))
        if len(chunk) < _CHUNK:
            break
        cursor = chunk[-1].version
    return found[:wanted]


async def events_page(
    store: EventStore,
    period: str,
    types: list[str] | None = None,
    doctor: str | None = None,
    after_version: int = 0,
    limit: int = DEFAULT_LIMIT,
) -> dict:
    """One page of the period's stored events (see the module doc for the filters).

    Returns `{"period", "filters", "events": [{version, event_id, type, occurred_at, summary,
    data}], "next_after_version"}`; `occurred_at` is ISO 8601 in Europe/Oslo. Raises BadInput
    for an unknown period or event type, or a limit outside 1..1000.
    """
    types = list(dict.fromkeys(types)) if types else None
    if any(t not in EVENT_TYPES for t in types or []):
        raise BadInput(f"--type: not an event type; known types: {', '.join(EVENT_TYPES)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise BadInput(f"--limit: must be between 1 and {MAX_LIMIT}")
    if after_version < 0:
        raise BadInput("--after-version: must be 0 or more")
    if await store.stream_kind(period) is None:
        raise NotFound(f"no period {period!r}")
    # One row more than asked tells whether another page follows.
    if doctor is None:
        stored = await store.read_stream(period, after_version=after_version, types=types, limit=limit + 1)
    else:
        stored = await _naming(store, period, doctor, types, after_version, limit + 1)
    more = len(stored) > limit
    stored = stored[:limit]
    return {
        "period": period,
        "filters": {"types": types, "doctor": doctor, "after_version": after_version, "limit": limit},
        "events": [
            {
                "version": e.version,
                "event_id": str(e.event_id),
                "type": e.type,
                "actor": e.actor,
                "occurred_at": e.occurred_at.astimezone(OSLO_TZ).isoformat(),
                "summary": _summary_of(e),
                "data": _compact_data(e),
            }
            for e in stored
        ],
        "next_after_version": stored[-1].version if more and stored else None,
    }


async def event_log(
    services: Services,
    period: str,
    *,
    types: list[str] | None = None,
    doctor: str | None = None,
    after_version: int = 0,
    limit: int = DEFAULT_LIMIT,
    at_least: int = 0,
) -> dict:
    """The use case behind `vakt events` and the operator's page (live or simulated period).
    `at_least`: the version the caller just wrote; the page waits (briefly) until it is stored."""
    period = period_id(period)
    doctor = doctor_id(doctor, "--doctor") if doctor is not None else None
    store, _ = await store_of(services, period)
    await wait_until_stored(store, period, at_least)
    return await events_page(store, period, types, doctor, after_version, limit)
