"""What an import of a roll would change, worked out before anything is stored: the doctors
added, those changed field by field, those who left (on the stored roll, missing from the file),
and the rules a qualification change touches (R-QUAL-1). The same comparison the registry store
makes when it imports (adapters/postgres/registry.py: `diff` of `doctor_fields`).

Also the roll's digest: the fingerprint of a stored roll, so a previewed import is applied only
to the roll it was previewed against. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.model import Policy
from domain.period.qualification import is_independently_qualified
from domain.registry.history import diff, doctor_fields
from domain.registry.records import RegistryDoctor

# Qualification fields (R-QUAL-1) and the rules that follow from being independently qualified.
QUALIFICATION_FIELDS = ("specialist_gp", "violence_course", "acute_course", "clinical_months", "duty_shifts_done", "gp_months")
QUALIFICATION_RULES = ("R-QUAL-1", "R-QUAL-2", "R-QUAL-3", "R-QUAL-4")


class RollChanged(Exception):
    """The stored roll is not the one an import was previewed against (someone changed it since)."""


@dataclass(frozen=True)
class DoctorChange:
    """One doctor of the plan: `fields` is {field: {"old", "new"}} (the new record's for an addition)."""

    doctor_id: str
    name: str
    fields: dict[str, dict[str, Any]]
    rules: tuple[str, ...] = ()  # R-QUAL-* when a qualification field changed
    qualified_before: bool | None = None
    qualified_after: bool | None = None


@dataclass(frozen=True)
class RollPlan:
    added: tuple[DoctorChange, ...] = ()
    changed: tuple[DoctorChange, ...] = ()
    left: tuple[DoctorChange, ...] = ()
    unchanged: int = 0
    roll_before: str = ""  # digest of the stored roll the plan was made against
    roll_after: str = ""  # digest of the roll once the plan is applied
    notes: tuple[str, ...] = field(default=())

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.changed or self.left)


def roll_digest(doctors: Iterable[RegistryDoctor]) -> str:
    """SHA-256 of the roll's records (by id, every field): equal rolls, equal digests."""
    records = sorted((doctor_fields(d) for d in doctors), key=lambda f: f["id"])
    text = json.dumps(records, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def qualification_rules(fields: Iterable[str]) -> tuple[str, ...]:
    """The rules a change of these fields affects: being independently qualified (R-QUAL-1) decides
    backup shifts (R-QUAL-2), duty without backup (R-QUAL-3), judged on each shift's date (R-QUAL-4)."""
    return QUALIFICATION_RULES if any(f in QUALIFICATION_FIELDS for f in fields) else ()


def _qualified(d: RegistryDoctor, day: date) -> bool:
    return is_independently_qualified(d.qualification, day, Policy())


def changed_doctor(old: RegistryDoctor, new: RegistryDoctor, day: date) -> DoctorChange:
    fields = diff(doctor_fields(old), doctor_fields(new))
    rules = qualification_rules(fields)
    return DoctorChange(
        new.id, new.name, fields, rules,
        qualified_before=_qualified(old, day) if rules else None,
        qualified_after=_qualified(new, day) if rules else None,
    )


def plan_import(stored: Sequence[RegistryDoctor], incoming: Sequence[RegistryDoctor], today: date) -> RollPlan:
    """What importing `incoming` over `stored` does on `today` (as RegistryStore.import_district)."""
    by_id = {d.id: d for d in stored}
    after = dict(by_id)
    added, changed, unchanged = [], [], 0
    for doctor in incoming:
        old = by_id.pop(doctor.id, None)
        after[doctor.id] = doctor
        if old is None:
            added.append(DoctorChange(doctor.id, doctor.name, diff(None, doctor_fields(doctor)),
                                      qualified_after=_qualified(doctor, today)))
            continue
        change = changed_doctor(old, doctor, today)
        if change.fields:
            changed.append(change)
        else:
            unchanged += 1
    left = []
    for doctor in by_id.values():
        if doctor.left_on is None:
            gone = doctor.model_copy(update={"left_on": today})
            after[doctor.id] = gone
            left.append(DoctorChange(doctor.id, doctor.name, diff(doctor_fields(doctor), doctor_fields(gone))))
    return RollPlan(
        added=tuple(added), changed=tuple(changed), left=tuple(left), unchanged=unchanged,
        roll_before=roll_digest(stored), roll_after=roll_digest(after.values()),
    )
