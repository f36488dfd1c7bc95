"""The read side for commands: open the database (no Temporal needed) and fold a period's
stored events. Shared by roster, verify, explain, events, status and the live commands."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

import asyncpg

from activities.store import EventStore
from domain.events import parse_event
from domain.state import PeriodState, fold
from infra.settings import Settings


class BadInput(Exception):
    """A request the command cannot serve (unknown period, unknown type …): exit 2."""


class UnknownPeriod(BadInput, LookupError):
    def __init__(self, period: str) -> None:
        self.period = period
        super().__init__(f"no period {period!r} in the database")


class DatabaseUnavailable(Exception):
    """PostgreSQL could not be reached; the message holds the redacted URL only."""


async def open_read_store(settings: Settings, say: Callable[[str], None] | None) -> tuple[asyncpg.Pool, EventStore]:
    """The configured (or embedded) database, migrated, with the event store over it."""
    from worker import open_store, resolve_database_url

    url = await resolve_database_url(settings, say=say or (lambda _m: None))
    try:
        return await open_store(url)
    except (OSError, asyncio.TimeoutError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError,
            asyncpg.InvalidAuthorizationSpecificationError, asyncpg.InvalidCatalogNameError) as e:
        raise DatabaseUnavailable(
            f"PostgreSQL at {settings.redacted_database_url()} is not reachable ({type(e).__name__})"
        ) from None


def report_unavailable(e: DatabaseUnavailable) -> int:
    sys.stderr.write(f"vakt: error: {e}\n")
    return 1


async def read_period(store: EventStore, period_id: str) -> PeriodState:
    events = await store.read_stream(period_id)
    if not events:
        raise UnknownPeriod(period_id)
    return fold(parse_event(e.data) for e in events)
