"""What changed in the registry: field by field, with the old and the new value.

The history lives inside the registry, next to the records it describes, and holds the same
personal data (an e-mail address that changed is in it twice). It is never logged, and no
message or command output prints its values unless asked for a doctor's own record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from domain.registry.records import DistrictRecord, RegistryDoctor

Action = Literal["added", "changed", "left"]


class RegistryChange(BaseModel):
    """One recorded change: of the district itself (`doctor_id` None) or of one doctor."""

    change_id: int
    district_id: str
    doctor_id: str | None
    action: Action
    actor: str  # "admin:Kari Nordmann" (domain.actors)
    changed_at: datetime
    changes: dict[str, dict[str, Any]]  # field -> {"old": …, "new": …}

    def __repr__(self) -> str:  # the values may be personal data
        return (
            f"RegistryChange(change_id={self.change_id}, district_id={self.district_id!r}, doctor_id={self.doctor_id!r}, "
            f"action={self.action!r}, actor={self.actor!r}, fields={sorted(self.changes)})"
        )

    __str__ = __repr__


def doctor_fields(d: RegistryDoctor) -> dict[str, Any]:
    """The record as {field: JSON value}, named like the CSV columns (the qualification flat)."""
    document = d.model_dump(mode="json", by_alias=True)
    qualification = document.pop("qualification")
    return {**document, **qualification}


def district_fields(d: DistrictRecord) -> dict[str, Any]:
    """The district's own fields (its policy is diffed setting by setting elsewhere)."""
    return d.model_dump(mode="json", include={"name", "timezone", "shift_template"})


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"old": …, "new": …}} for every field that differs; every non-empty field of
    `new` when `old` is None (an addition)."""
    before = old or {}
    return {
        key: {"old": before.get(key), "new": new.get(key)}
        for key in sorted(new.keys() | before.keys())
        if before.get(key) != new.get(key) and not (old is None and new.get(key) in (None, [], ""))
    }
