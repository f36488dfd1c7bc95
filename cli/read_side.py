"""Reading a period back from PostgreSQL alone: fold its stored events (no Temporal needed)."""

from __future__ import annotations

from activities.store import EventStore
from domain.events import parse_event
from domain.state import PeriodState, fold


class UnknownPeriod(LookupError):
    pass


async def read_period(store: EventStore, period_id: str) -> PeriodState:
    events = await store.read_stream(period_id)
    if not events:
        raise UnknownPeriod(f"no stored events for period {period_id!r}")
    return fold(parse_event(e.data) for e in events)
