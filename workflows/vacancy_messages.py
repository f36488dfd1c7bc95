"""Inputs and results of the vacancy updates (R-VAC-1..3) and the queued vacancy notice; pure
pydantic, safe in the workflow sandbox and in clients. `actor` says who acted and, for an
operator acting for a doctor, for whom (domain.actors)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.mail.vacancy_facts import VacancyFacts
from domain.period.vacancy_events import REASON_LIMIT

_ID = Field(min_length=1, max_length=64)
_ACTOR = Field(min_length=3, max_length=120)
_REASON = Field(min_length=1, max_length=REASON_LIMIT)


class DeclareVacancyInput(BaseModel):
    holder: str = _ID
    shift: str = Field(min_length=1, max_length=80)
    reason: str = _REASON
    actor: str = _ACTOR


class TakeVacancyInput(BaseModel):
    vacancy: str = _ID
    doctor: str = _ID
    actor: str = _ACTOR


class AssignVacancyInput(BaseModel):
    vacancy: str = _ID
    doctor: str = _ID
    reason: str = _REASON
    actor: str = _ACTOR  # the operator, for the doctor


class VacancyResult(BaseModel):
    vacancy: str
    shift: str
    version: int


class QueuedVacancyNotice(BaseModel):
    """A vacancy notice decided, not yet sent: a doctor id (None: the round's operators) and facts."""

    doctor: str | None = None
    facts: VacancyFacts
