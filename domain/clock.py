"""Time as the engine reads it: one injectable clock, and Europe/Oslo wall-clock (R-TIME-1).

Application and domain code never read the wall clock themselves: they take "now" from a
`Clock` (the services carry one), so a test or a demo can set any date. The wall clock is read
in one place only, `infra.clock.SystemClock`. Workflows use `workflow.now()` instead (their
clock is the history's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from domain.model import OSLO_TZ


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware."""
        ...


@dataclass
class FixedClock:
    """A clock that says what it is told: tests, and planning "as of" a given moment."""

    at: datetime = field(default_factory=lambda: datetime(2027, 1, 1, tzinfo=UTC))

    def __post_init__(self) -> None:
        self.at = as_oslo(self.at)

    def now(self) -> datetime:
        return self.at

    def advance(self, by: timedelta) -> None:
        self.at = self.at + by


def as_oslo(value: datetime) -> datetime:
    """R-TIME-1: a time without an offset is Europe/Oslo wall-clock; an aware time is converted."""
    return value.replace(tzinfo=OSLO_TZ) if value.tzinfo is None else value.astimezone(OSLO_TZ)


def oslo_now(clock: Clock) -> datetime:
    return clock.now().astimezone(OSLO_TZ)


def oslo_today(clock: Clock) -> date:
    """Today's date in Oslo (a day starts at Oslo midnight, whatever the server's zone)."""
    return oslo_now(clock).date()


def local_time(value: datetime | None, *, seconds: bool = False) -> str:
    """e.g. "2027-01-14 12:00" in Europe/Oslo; "—" for none."""
    if value is None:
        return "—"
    return value.astimezone(OSLO_TZ).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
