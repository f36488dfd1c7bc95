"""The period's shifts, indexed for the rule checks. Built once from the config, never stored."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.model import PeriodConfig, Shift, ShiftKind
from domain.period.shifts import generate_shifts


@dataclass(frozen=True)
class PeriodCalendar:
    shifts: tuple[Shift, ...]
    by_id: dict[str, Shift] = field(repr=False)
    _cover_cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
    _memo: dict[object, object] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_config(cls, config: PeriodConfig) -> PeriodCalendar:
        shifts = tuple(generate_shifts(config))
        return cls(shifts=shifts, by_id={s.id: s for s in shifts})

    def get(self, shift_id: str) -> Shift | None:
        return self.by_id.get(shift_id)

    def memo(self, key: object, build: Callable[[], object]):
        """A lookup derived from the shifts alone, built on first use and kept with the calendar:
        a read that keeps its calendar (app.reads.period_cache) then pays for it once per period,
        not once per request."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = build()
            return value

    @property
    def months(self) -> tuple[str, ...]:
        """YYYY-MM of every month with a shift, in order."""
        return self._months()[0]

    def shifts_in_month(self, month: str | None) -> tuple[Shift, ...]:
        """The month's shifts in calendar order (none for a month without shifts)."""
        return self._months()[1].get(month, ())

    def month_of(self, shift: Shift) -> str:
        return f"{shift.day.year:04d}-{shift.day.month:02d}"

    def _months(self) -> tuple[tuple[str, ...], dict[str, tuple[Shift, ...]]]:
        def build():
            by_month: dict[str, list[Shift]] = {}
            for s in self.shifts:  # no strftime: formatting 10,000 dates per read was a visible cost
                by_month.setdefault(self.month_of(s), []).append(s)
            return tuple(sorted(by_month)), {m: tuple(v) for m, v in by_month.items()}

        return self.memo("_months", build)

    def backups_covering(self, shift: Shift) -> list[Shift]:
        """Backup shifts that overlap `shift` (R-QUAL-3), from a start-sorted index: a scan of
        every shift per call made publishing a 10,000-shift period take seconds."""
        backups, starts, longest = self._backup_index()
        if longest is None:
            return []
        lo = bisect.bisect_left(starts, shift.start - longest)
        hi = bisect.bisect_left(starts, shift.end)
        return [b for b in backups[lo:hi] if b.start < shift.end and shift.start < b.end]

    def _backup_index(self) -> tuple[list[Shift], list[datetime], timedelta | None]:
        index = self._cover_cache.get("_index")
        if index is None:
            backups = sorted((s for s in self.shifts if s.kind is ShiftKind.BACKUP), key=lambda s: (s.start, s.id))
            longest = max((b.end - b.start for b in backups), default=None)
            index = self._cover_cache["_index"] = (backups, [b.start for b in backups], longest)
        return index

    def backup_can_cover(self, shift: Shift) -> bool:
        """R-QUAL-3: the period has backup shifts whose union covers the whole of `shift`."""
        cached = self._cover_cache.get(shift.id)
        if cached is None:
            cached = self._cover_cache[shift.id] = covers(self.backups_covering(shift), shift.start, shift.end)
        return cached


def covers(intervals: list[Shift], start: datetime, end: datetime) -> bool:
    """True when the union of the intervals covers [start, end) with no gap."""
    reached = start
    for s in sorted(intervals, key=lambda s: s.start):
        if s.start > reached:
            return False
        reached = max(reached, s.end)
        if reached >= end:
            return True
    return reached >= end
