"""What the allocation meeting's desk and the room's screen show (phase A, R-MEET-1): the shifts
still open, week by week, and how far each doctor is from their quota (R-PROC-6). Pure: a
function of the folded state and the calendar, so the desk and the projector agree."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from pydantic import BaseModel

from domain.mail.notices import quota_now
from domain.model import Role, Shift
from domain.period.calendar import PeriodCalendar
from domain.period.state import PeriodState


class DoctorStanding(BaseModel):
    doctor: str
    role: Role
    taken: int  # shifts held now
    quota: int | None  # None for staff doctors (their shifts are entered, R-MEET-2)

    @property
    def missing(self) -> int:
        return max(0, (self.quota or 0) - self.taken)


class OpenWeek(BaseModel):
    week: int  # ISO week
    first: date
    last: date
    shifts: list[Shift]


class MeetingDesk(BaseModel):
    quota_base: int | None
    open_total: int
    weeks: list[OpenWeek]
    doctors: list[DoctorStanding]  # the roll's order

    @property
    def still_missing(self) -> list[DoctorStanding]:
        """GPs below their quota, the furthest first."""
        return sorted((d for d in self.doctors if d.missing), key=lambda d: (-d.missing, d.doctor))


def meeting_desk(state: PeriodState, calendar: PeriodCalendar, *, kind: str | None = None) -> MeetingDesk:
    """The open shifts (of one kind when asked) by ISO week, and every doctor's standing."""
    config = state.require_config()
    quota = quota_now(state, calendar)
    held: dict[str, int] = defaultdict(int)
    for assignment in state.assignments.values():
        held[assignment.doctor] += 1
    by_week: dict[tuple[int, int], list[Shift]] = defaultdict(list)
    open_total = 0
    for shift in calendar.shifts:
        if shift.id in state.assignments:
            continue
        open_total += 1
        if kind is None or shift.name == kind or shift.kind.value == kind:
            year, week, _ = shift.day.isocalendar()
            by_week[(year, week)].append(shift)
    weeks = [OpenWeek(week=week, first=shifts[0].day, last=shifts[-1].day, shifts=shifts)
             for (_, week), shifts in sorted(by_week.items())]
    doctors = [DoctorStanding(doctor=d.id, role=d.role, taken=held[d.id],
                              quota=None if d.role is Role.STAFF else quota.of(d.id)) for d in config.doctors]
    return MeetingDesk(quota_base=quota.base, open_total=open_total, weeks=weeks, doctors=doctors)
