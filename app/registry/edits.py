"""The details of a doctor's record that the doctor (or an admin) edits, validated as every
registry record is (R-DATA-1), and the rule that an e-mail address — the sign-in identifier — is
unique within a district's roll and across accounts."""

from __future__ import annotations

from collections.abc import Collection

from pydantic import ValidationError

from app.bootstrap import Services
from app.errors import BadInput, Conflict
from domain.registry.records import RegistryDoctor, doctor_problems, validation_problems

EDITABLE = ("mobile", "email", "specialist_gp", "violence_course", "acute_course")
QUALIFICATION = ("specialist_gp", "violence_course", "acute_course")
ADDRESS_IN_USE = "email: already used by another doctor of the district or by a clinic account; choose another address"


def changed_record(record: RegistryDoctor, changes: dict) -> RegistryDoctor:
    """The record with `changes` applied, validated; BadInput naming the field otherwise."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise BadInput(f"{unknown[0]}: not a detail a doctor changes here (one of {', '.join(EDITABLE)})")
    return record_with(record, {f: v if v not in ("",) else None for f, v in changes.items()}, QUALIFICATION)


def record_with(record: RegistryDoctor, values: dict, qualification: Collection[str]) -> RegistryDoctor:
    """The record with `values` set (those named in `qualification` inside its qualification),
    validated as an import validates a row (R-DATA-1); BadInput naming the field otherwise."""
    data = record.model_dump(mode="json", by_alias=True)
    for field, value in values.items():
        (data["qualification"] if field in qualification else data)[field] = value
    try:
        new = RegistryDoctor.model_validate(data)
    except ValidationError as e:
        raise BadInput("; ".join(f"{p.field}: {p.reason}" for p in validation_problems(0, e))) from None
    problems = doctor_problems(0, new)
    if problems:
        raise BadInput("; ".join(f"{p.field}: {p.reason}" for p in problems))
    return new


async def check_address_free(services: Services, email: str, district: str, doctor: str) -> None:
    """Conflict (naming the field, never the value) when another doctor of the district's roll or
    an account already has the address."""
    if await (await services.database()).accounts.address_in_use(email, district, doctor):
        raise Conflict(ADDRESS_IN_USE)
