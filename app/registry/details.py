"""A doctor's own details: mobile, e-mail and the dates of specialisation and courses,
kept current by the doctor as the guideline asks. Validated as every registry record is
(R-DATA-1), recorded in the registry's history with who changed it and when, and — being dated —
counted from its date (R-QUAL-4) by every period built from the registry; a round whose meeting
has not opened yet learns the new profile at once (app.periods.amend)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, ValidationError

from app.identity.access import acting, doctor_district, require_admin, signed_in
from app.periods.amend import Amended, amend_running_periods
from app.bootstrap import Services
from app.errors import BadInput, NotFound
from app.validate import district_id as valid_district_id
from domain.identity import Principal
from domain.registry.records import RegistryDoctor, doctor_problems, validation_problems


EDITABLE = ("mobile", "email", "specialist_gp", "violence_course", "acute_course")
_QUALIFICATION = ("specialist_gp", "violence_course", "acute_course")


class MyDetails(BaseModel):
    model_config = ConfigDict(frozen=True)

    district: str
    doctor: str
    name: str
    role: str
    mobile: str
    email: str
    specialist_gp: date | None
    violence_course: date | None
    acute_course: date | None

    def __repr__(self) -> str:
        return f"MyDetails({self.district}/{self.doctor})"


class DetailsChanged(BaseModel):
    details: MyDetails
    changed: list[str]  # field names
    amended: list[Amended]


def _view(district: str, d: RegistryDoctor) -> MyDetails:
    q = d.qualification
    return MyDetails(
        district=district, doctor=d.id, name=d.name, role=d.role.value, mobile=d.mobile, email=d.email,
        specialist_gp=q.specialist_gp, violence_course=q.violence_course, acute_course=q.acute_course,
    )


async def _doctor_of(principal, district, doctor, as_admin: bool = False) -> tuple[str, str, str]:
    principal = signed_in(principal)
    if district is None:
        district, _ = await doctor_district(principal, None)
    district = valid_district_id(district, "district")
    doctor, actor = acting(principal, district, doctor)
    if as_admin:  # an admin correcting the registry is recorded as such
        actor = require_admin(principal).admin_actor()
    return district, doctor, actor


async def my_details(services: Services, principal: Principal | None, *, district: str | None = None,
                     doctor: str | None = None) -> MyDetails:
    district, doctor, _ = await _doctor_of(principal, district, doctor)
    record = await (await services.database()).registry.doctor(district, doctor)
    if record is None:
        raise NotFound(f"no doctor {doctor!r} in district {district!r}")
    return _view(district, record)


def _changed(record: RegistryDoctor, changes: dict) -> RegistryDoctor:
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise BadInput(f"{unknown[0]}: not a detail a doctor changes here (one of {', '.join(EDITABLE)})")
    data = record.model_dump(mode="json", by_alias=True)
    for field, value in changes.items():
        value = value if value not in ("",) else None
        if field in _QUALIFICATION:
            data["qualification"][field] = value
        else:
            data[field] = value
    try:
        new = RegistryDoctor.model_validate(data)
    except ValidationError as e:
        raise BadInput("; ".join(f"{p.field}: {p.reason}" for p in validation_problems(0, e))) from None
    problems = doctor_problems(0, new)
    if problems:
        raise BadInput("; ".join(f"{p.field}: {p.reason}" for p in problems))
    return new


async def change_details(
    services: Services, principal: Principal | None, changes: dict, *, district: str | None = None,
    doctor: str | None = None, as_admin: bool = False,
) -> DetailsChanged:
    """Change some of the editable details (R-DATA-1), recorded with the signed-in actor."""
    if not isinstance(changes, dict) or not changes:
        raise BadInput("details: give at least one of " + ", ".join(EDITABLE))
    district, doctor, actor = await _doctor_of(principal, district, doctor, as_admin)
    registry = (await services.database()).registry
    result = await registry.change_doctor(district, doctor, lambda r: _changed(r, changes), actor=actor)
    if result is None:
        raise NotFound(f"no doctor {doctor!r} in district {district!r}")
    record, diff = result
    amended = []
    if any(f in diff for f in _QUALIFICATION):
        amended = await amend_running_periods(services, district, doctor, actor=actor)
    return DetailsChanged(details=_view(district, record), changed=sorted(diff), amended=amended)


