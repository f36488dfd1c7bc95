"""The events of a vacancy after publication (R-VAC-1..3), part of the period's `DomainEvent`.

Each names the vacancy (an id from `workflow.uuid4()`), its shift and the holder who declared it
(or for whom an operator did); the actor of the envelope says who acted, and for whom.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from domain.period.event_base import _Event

REASON_LIMIT = 200  # a short line: "syk", "akutt sykdom i familien"


class VacancyDeclared(_Event):
    """R-VAC-1: a published shift declared vacant by its holder (or an operator for them). The
    holder keeps it until someone takes it over; no load changes. `escalate_at`: when the
    operators are alerted if it is still open (R-VAC-3); `offered`: how many doctors were told
    (R-VAC-2)."""

    type: Literal["VacancyDeclared"] = "VacancyDeclared"
    vacancy: str
    shift: str
    holder: str
    reason: str = Field(min_length=1, max_length=REASON_LIMIT)
    escalate_at: datetime
    offered: int = Field(0, ge=0)


class VacancyTaken(_Event):
    """R-VAC-2: the first valid acceptance; the shift is `doctor`'s now (R-PROC-3)."""

    type: Literal["VacancyTaken"] = "VacancyTaken"
    vacancy: str
    shift: str
    holder: str
    doctor: str


class VacancyEscalated(_Event):
    """R-VAC-3: still open `lead_hours` before the start: the operators' alert."""

    type: Literal["VacancyEscalated"] = "VacancyEscalated"
    vacancy: str
    shift: str
    lead_hours: float


class VacancyAssigned(_Event):
    """R-VAC-3: an operator gave the shift to `doctor`, who may legally take it, with a reason
    (the actor: the operator, for the doctor)."""

    type: Literal["VacancyAssigned"] = "VacancyAssigned"
    vacancy: str
    shift: str
    holder: str
    doctor: str
    reason: str = Field(min_length=1, max_length=REASON_LIMIT)


class VacancyUncovered(_Event):
    """R-VAC-3: the shift started with its vacancy still open: reported, never dropped."""

    type: Literal["VacancyUncovered"] = "VacancyUncovered"
    vacancy: str
    shift: str
    holder: str
