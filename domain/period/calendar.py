"""The period's shifts, indexed for the rule checks. Built once from the config, never stored."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.model import PeriodConfig, Shift, ShiftKind
from domain.period.shifts import generate_shifts


@dataclass(frozen=True)
class PeriodCalendar:
    shifts: tuple[Shift, ...]
    by_id: dict[str, Shift] = field(repr=False)
    _cover_cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_config(cls, config: PeriodConfig) -> PeriodCalendar:
        shifts = tuple(generate_shifts(config))
        return cls(shifts=shifts, by_id={s.id: s for s in shifts})

    def get(self, shift_id: str) -> Shift | None:
        return self.by_id.get(shift_id)

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
