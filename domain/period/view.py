"""A folded period together with the lookups its reads ask for, each worked out once per version.

A state answers "who holds this shift" at once, but "what does this doctor hold", "how many
points has each doctor" and "what is the quota" only by going through every assignment. A
board asks those for one doctor on every request, and the rule checks ask "what does this
doctor hold" once per free shift: in a 1,000-doctor year that was the largest cost of a read.
A view asks each once, for everyone, and keeps the answer for as long as its version is the
newest (app.reads.period_cache keeps one view per period and version).

Pure: a view never changes its state; a new version is a new view.
"""

from __future__ import annotations

from functools import cached_property

from domain.mail.notices import quota_now
from domain.model import Shift
from domain.period.calendar import PeriodCalendar
from domain.period.quota import QuotaSnapshot
from domain.period.roster import DoctorLoad, loads
from domain.period.state import PeriodState


class PeriodView:
    def __init__(self, state: PeriodState, calendar: PeriodCalendar) -> None:
        self.state, self.calendar = state, calendar

    @property
    def version(self) -> int:
        return self.state.version

    @cached_property
    def holdings(self) -> dict[str, tuple[Shift, ...]]:
        """Each doctor's shifts, in the order `PeriodState.held_by` gives them (so a rule check
        handed these names the same shift in a refusal); a doctor holding none is absent."""
        by_doctor: dict[str, list[Shift]] = {}
        for shift_id, assignment in self.state.assignments.items():
            by_doctor.setdefault(assignment.doctor, []).append(self.calendar.by_id[shift_id])
        return {d: tuple(shifts) for d, shifts in by_doctor.items()}

    def held(self, doctor_id: str) -> tuple[Shift, ...]:
        return self.holdings.get(doctor_id, ())

    @cached_property
    def loads(self) -> dict[str, DoctorLoad]:
        return loads(self.state, self.calendar)

    @cached_property
    def quota(self) -> QuotaSnapshot:
        """The recorded quota, or the one the meeting would record now (R-LOAD-2)."""
        return quota_now(self.state, self.calendar)

    @cached_property
    def worked(self) -> dict[str, int]:
        """Shifts each doctor has worked (R-LOAD-1)."""
        counts: dict[str, int] = {}
        for doctor in self.state.worked.values():
            counts[doctor] = counts.get(doctor, 0) + 1
        return counts
