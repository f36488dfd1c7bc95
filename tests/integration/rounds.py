"""Allocation rounds for the operator-view tests: the example scenario with deadlines moved to
now, and a complete round produced by the pure domain decisions (no Temporal) and stored."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from adapters.postgres.event_store import AppendEventsInput, EventStore, NewEvent
from domain.period.calendar import PeriodCalendar
from domain.period.events import DomainEvent, PeriodOpened
from domain.model import OSLO_TZ, PeriodConfig
from domain.period.process import close_phase, decide_action, open_meeting, run_lottery
from domain.period.rules import ActionKind, RuleViolation
from domain.scenario import parse_scenario, to_period_config
from domain.period.state import PeriodState, apply

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example-scenario.json"


def example_config(period_id: str, *, meeting_in: timedelta, offering_for: timedelta = timedelta(days=1)) -> PeriodConfig:
    """The example period under a new id, its deadlines moved to just ahead of now (Europe/Oslo).
    The meeting time is a whole second, so the local time shown is exactly predictable."""
    config = to_period_config(parse_scenario(json.loads(EXAMPLE.read_text())))
    now = datetime.now(OSLO_TZ).replace(microsecond=0)
    meeting_at = now + meeting_in
    dates = config.period.model_copy(
        update={
            "id": period_id,
            "wishes_due": min(now + timedelta(seconds=1), meeting_at),
            "meeting_at": meeting_at,
            "offering_closes": meeting_at + offering_for,
        }
    )
    return config.model_copy(update={"period": dates})


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def published_round(config: PeriodConfig, *, simulated: bool = True) -> list[DomainEvent]:
    """A whole round from the domain decisions: a staff entry, the meeting with a few picks, an
    operator's early close, an offering claim, the lottery and publication."""
    calendar = PeriodCalendar.from_config(config)
    period = config.period
    state = PeriodState()
    events: list[DomainEvent] = []

    def record(*new: DomainEvent) -> None:
        nonlocal state
        for event in new:
            state = apply(state, event)
            events.append(event)

    def act(kind: ActionKind, doctor: str, shift: str, now: datetime) -> None:
        decision = decide_action(state, calendar, kind, doctor, shift, now)
        assert not isinstance(decision, RuleViolation), decision
        record(decision)

    record(PeriodOpened(config=config, simulated=simulated))
    act(ActionKind.STAFF_ENTRY, "st01", "2027-01-04/evening", period.wishes_due - timedelta(hours=2))
    record(open_meeting(state, calendar))
    at_meeting = period.meeting_at + timedelta(minutes=5)
    act(ActionKind.MEETING_PICK, "gp04", "2027-01-05/backup", at_meeting)
    act(ActionKind.MEETING_PICK, "gp05", "2027-01-09/day", at_meeting)
    act(ActionKind.MEETING_PICK, "gp01", "2027-01-06/evening", at_meeting)
    record(close_phase(state, by="operator", operator="Kari", reason="all picks done"))
    act(ActionKind.OFFERING_CLAIM, "sub01", "2027-01-07/night", at_meeting + timedelta(days=1))
    record(close_phase(state))
    record(*run_lottery(state, calendar, seed=20270104))
    return events


async def store_round(store: EventStore, events: list[DomainEvent], *, at: datetime | None = None) -> None:
    opened = events[0]
    assert isinstance(opened, PeriodOpened)
    at = at or datetime.now(OSLO_TZ)
    assert store.kind == ("simulation" if opened.simulated else "live"), "a simulated round goes to the simulation store"
    await store.append(
        AppendEventsInput(
            stream_id=opened.config.period.id,
            stream_kind=store.kind,
            events=[
                NewEvent(
                    event_id=uuid.uuid4(),
                    version=i,
                    type=e.type,
                    data=e.model_dump(mode="json"),
                    occurred_at=at + timedelta(seconds=i),
                    actor="system:test",
                )
                for i, e in enumerate(events, start=1)
            ],
        )
    )
