"""How vacancy events fold into a period's state (R-VAC-1..3): the reducer's part for them.

A vacancy stays in `PeriodState.vacancies` after it closes (taken, assigned or uncovered), so the
holder's page and the operators' page can say what became of it; there is at most one per shift
at a time, so the map stays as small as the roster.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from domain.period.vacancy_events import (
    VacancyAssigned,
    VacancyDeclared,
    VacancyEscalated,
    VacancyTaken,
    VacancyUncovered,
)

VACANCY_EVENTS = (VacancyDeclared, VacancyTaken, VacancyEscalated, VacancyAssigned, VacancyUncovered)
VacancyStatus = Literal["open", "taken", "assigned", "uncovered"]


class Vacancy(BaseModel):
    shift: str
    holder: str
    reason: str
    escalate_at: datetime
    escalated: bool = False
    status: VacancyStatus = "open"
    taken_by: str | None = None  # who took it over, or was assigned it

    @property
    def open(self) -> bool:
        return self.status == "open"


def apply_vacancy(vacancies: dict[str, Vacancy], event) -> tuple[str, str] | None:
    """Fold one vacancy event into the vacancies of a state the caller alone holds
    (state.apply_in_place). Returns (shift, doctor) when the shift changes hands."""
    match event:
        case VacancyDeclared(vacancy=vid, shift=shift, holder=holder, reason=reason, escalate_at=at):
            vacancies[vid] = Vacancy(shift=shift, holder=holder, reason=reason, escalate_at=at)
        case VacancyEscalated(vacancy=vid):
            vacancies[vid] = vacancies[vid].model_copy(update={"escalated": True})
        case VacancyTaken(vacancy=vid, shift=shift, doctor=doctor) | VacancyAssigned(vacancy=vid, shift=shift, doctor=doctor):
            status = "taken" if isinstance(event, VacancyTaken) else "assigned"
            vacancies[vid] = vacancies[vid].model_copy(update={"status": status, "taken_by": doctor})
            return shift, doctor
        case VacancyUncovered(vacancy=vid):
            vacancies[vid] = vacancies[vid].model_copy(update={"status": "uncovered"})
    return None


def uncovered_vacancy_shifts(vacancies: dict[str, Vacancy]) -> set[str]:
    """R-VAC-3: shifts that started with their vacancy open: reported uncovered wherever the
    roster shows coverage (the holder stays on record, the shift is not covered)."""
    return {v.shift for v in vacancies.values() if v.status == "uncovered"}
