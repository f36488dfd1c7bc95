"""The one place the wall clock is read (domain.clock.Clock for everything else).

`VAKT_NOW` (an ISO date or date and time, Europe/Oslo) starts the clock at another moment, from
which it runs on with the wall clock: for trying the engine as on another day. It moves only
what the application plans and judges; a Temporal server keeps its own time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from domain.clock import Clock, as_oslo


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class ShiftedClock:
    """The wall clock moved by a fixed offset."""

    offset: timedelta

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class ClockSettingError(ValueError):
    pass


def clock_from_env(env: Mapping[str, str]) -> Clock:
    value = env.get("VAKT_NOW", "").strip()
    if not value:
        return SystemClock()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ClockSettingError("VAKT_NOW: not a date or date and time (YYYY-MM-DD[THH:MM])") from None
    if len(value) == 10:  # a date alone: that day at 09:00, a working morning
        moment = datetime.combine(moment.date(), time(9, 0))
    return ShiftedClock(as_oslo(moment) - datetime.now(UTC))
