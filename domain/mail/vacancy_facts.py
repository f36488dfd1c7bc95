"""What the vacancy messages say, as facts (R-VAC-2/3): ids and the shift, never a name, an
address or the holder's reason (it may be about their health)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from domain.mail.shift_fact import ShiftFact
from domain.model import Frozen

VacancyId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]  # workflow.uuid4()
DoctorId = Annotated[str, Field(min_length=1, max_length=200)]


class VacancyOfferedFacts(Frozen):
    """R-VAC-2: to each doctor who may take the shift: it is vacant, take it here."""

    kind: Literal["vacancy-offered"] = "vacancy-offered"
    vacancy: VacancyId
    shift: ShiftFact


class VacancyFilledFacts(Frozen):
    """R-VAC-2/3: to the holder (and the operators): `doctor` has the shift now."""

    kind: Literal["vacancy-filled"] = "vacancy-filled"
    vacancy: VacancyId
    shift: ShiftFact
    doctor: DoctorId
    how: Literal["taken", "assigned"]


class VacancyAssignedFacts(Frozen):
    """R-VAC-3: to the doctor an operator assigned the shift to."""

    kind: Literal["vacancy-assigned"] = "vacancy-assigned"
    vacancy: VacancyId
    shift: ShiftFact


class VacancyAlertFacts(Frozen):
    """R-VAC-3: to the operators: still open at the lead time (`escalated`), or at the start
    (`uncovered`)."""

    kind: Literal["vacancy-escalated", "vacancy-uncovered"]
    vacancy: VacancyId
    shift: ShiftFact
    holder: DoctorId


VacancyFacts = Annotated[
    VacancyOfferedFacts | VacancyFilledFacts | VacancyAssignedFacts | VacancyAlertFacts, Field(discriminator="kind")
]
