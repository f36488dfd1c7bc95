"""Shift generation from the template (R-TIME-1: Europe/Oslo wall-clock, DST-correct)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.model import OSLO_TZ, PeriodConfig, Shift, ShiftTemplate

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A local wall-clock time as an aware UTC datetime.

    A wall-clock time that does not exist (02:30 on the spring-forward night) resolves forward,
    and an ambiguous one (02:30 on the autumn night) to its first occurrence (fold=0): the
    conventional reading of a rota.
    """
    local = datetime.combine(day, at, tzinfo=tz)
    utc = local.astimezone(UTC)
    # Non-existent local times round-trip to a different wall clock; zoneinfo then maps them
    # using the offset before the gap, which is the "forward" reading we want.
    return utc


def shift_for(template: ShiftTemplate, day: date, tz: ZoneInfo) -> Shift:
    start_t, end_t = _parse_hhmm(template.start), _parse_hhmm(template.end)
    end_day = day + timedelta(days=1) if end_t <= start_t else day
    return Shift(
        id=f"{day.isoformat()}/{template.name}",
        day=day,
        name=template.name,
        kind=template.kind,
        start=local_to_utc(day, start_t, tz),
        end=local_to_utc(end_day, end_t, tz),
    )


def generate_shifts(config: PeriodConfig) -> list[Shift]:
    """Every shift of the period, ordered by start time then id.

    A shift belongs to the period when its *start date* lies within [start, end]: the night from
    the last day runs into the next period's first morning, as a rota reads.
    """
    tz = OSLO_TZ
    shifts: list[Shift] = []
    day = config.period.start
    while day <= config.period.end:
        weekday = WEEKDAYS[day.weekday()]
        for template in config.shift_template:
            if weekday in template.days:
                shifts.append(shift_for(template, day, tz))
        day += timedelta(days=1)
    shifts.sort(key=lambda s: (s.start, s.id))
    return shifts



def count_shifts(config: PeriodConfig) -> int:
    """How many shifts `generate_shifts` makes, without making them (a line saying "N shifts"
    need not build ten thousand)."""
    per_weekday = [sum(1 for t in config.shift_template if weekday in t.days) for weekday in WEEKDAYS]
    days = (config.period.end - config.period.start).days + 1
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    first = config.period.start.weekday()
    return weeks * sum(per_weekday) + sum(per_weekday[(first + i) % 7] for i in range(rest))
