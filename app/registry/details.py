"""A doctor's own details: mobile, e-mail and the dates of specialisation and courses,
kept current by the doctor as the guideline asks. Validated as every registry record is
(R-DATA-1), recorded in the registry's history with who changed it and when, and — being dated —
counted from its date (R-QUAL-4) by every period built from the registry; a round whose meeting
has not opened yet learns the new profile at once (app.periods.amend).

Self-service is the signed-in doctor's own record only (a district among their own rolls may be
named). A doctor's new e-mail address — the sign-in identifier — takes effect only when confirmed
from that address (app/registry/email_change.py). An admin serving the district corrects a
doctor's details (`correct_details`), recorded as `admin:<account id>`."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from app.identity.access import doctor_district, serving, signed_in
from app.identity.sign_in import normal_address
from app.periods.amend import Amended, amend_running_periods
from app.bootstrap import Services
from app.errors import BadInput, NotFound
from app.registry.edits import EDITABLE, QUALIFICATION, changed_record, check_address_free
from app.registry.email_change import ask_to_change, ended_address
from app.validate import district_id as valid_district_id
from app.validate import doctor_id as valid_doctor_id
from domain.identity import Principal
from domain.registry.records import RegistryDoctor

__all__ = ["EDITABLE", "DetailsChanged", "MyDetails", "change_details", "correct_details", "my_details"]


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
    # Fields that wait for a confirmation: "email" when a link went to the new address.
    awaiting_confirmation: list[str] = []


def _view(district: str, d: RegistryDoctor) -> MyDetails:
    q = d.qualification
    return MyDetails(
        district=district, doctor=d.id, name=d.name, role=d.role.value, mobile=d.mobile, email=d.email,
        specialist_gp=q.specialist_gp, violence_course=q.violence_course, acute_course=q.acute_course,
    )


async def _own(principal: Principal | None, district: str | None) -> tuple[str, str]:
    """(district, doctor) of the signed-in doctor: one of their own rolls, never another doctor."""
    principal = signed_in(principal)
    if district is not None:
        district = valid_district_id(district, "district")
    return await doctor_district(principal, district)


async def _record(services: Services, district: str, doctor: str) -> RegistryDoctor:
    record = await (await services.database()).registry.doctor(district, doctor)
    if record is None:
        raise NotFound(f"no doctor {doctor!r} in district {district!r}")
    return record


async def my_details(services: Services, principal: Principal | None, *, district: str | None = None) -> MyDetails:
    district, doctor = await _own(principal, district)
    return _view(district, await _record(services, district, doctor))


async def _apply(services: Services, district: str, doctor: str, changes: dict, actor: str) -> tuple[RegistryDoctor, dict, list]:
    if not changes:
        return await _record(services, district, doctor), {}, []
    registry = (await services.database()).registry
    result = await registry.change_doctor(district, doctor, lambda r: changed_record(r, changes), actor=actor)
    if result is None:
        raise NotFound(f"no doctor {doctor!r} in district {district!r}")
    record, diff = result
    amended = []
    if any(f in diff for f in QUALIFICATION):
        amended = await amend_running_periods(services, district, doctor, actor=actor)
    return record, diff, amended


def _check(changes: object) -> dict:
    if not isinstance(changes, dict) or not changes:
        raise BadInput("details: give at least one of " + ", ".join(EDITABLE))
    return changes


async def change_details(
    services: Services, principal: Principal | None, changes: dict, *, district: str | None = None,
) -> DetailsChanged:
    """The signed-in doctor changes some of their own details (R-DATA-1), recorded as them. A new
    e-mail address waits for its confirmation; everything else takes effect now."""
    changes = _check(changes)
    district, doctor = await _own(principal, district)
    record = await _record(services, district, doctor)
    changed_record(record, changes)  # every field valid before anything is written or mailed
    new_email = changes.get("email")
    changes = {k: v for k, v in changes.items() if k != "email"}
    waiting = []
    if new_email and normal_address(new_email) != record.email.lower():
        new_email = normal_address(new_email)
        await check_address_free(services, new_email, district, doctor)
        waiting = ["email"]
    actor = signed_in(principal).actor_for(district, doctor)
    record, diff, amended = await _apply(services, district, doctor, changes, actor)
    if waiting:
        await ask_to_change(services, district, doctor, old=record.email, new=new_email, actor=actor)
    return DetailsChanged(details=_view(district, record), changed=sorted(diff), amended=amended,
                          awaiting_confirmation=waiting)


async def correct_details(
    services: Services, principal: Principal | None, district: str, doctor: str, changes: dict,
) -> DetailsChanged:
    """An admin serving the district corrects a doctor's details, recorded as `admin:<id>`. A new
    e-mail address takes effect at once (the admin checked it); the old address's sessions end."""
    changes = _check(changes)
    district = valid_district_id(district, "district")
    admin = serving(principal, district, admin=True)
    doctor = valid_doctor_id(doctor, "doctor")
    before = await _record(services, district, doctor)
    if changes.get("email"):
        changes = {**changes, "email": normal_address(changes["email"])}
        if changes["email"] != before.email.lower():
            await check_address_free(services, changes["email"], district, doctor)
    record, diff, amended = await _apply(services, district, doctor, changes, admin.admin_actor())
    if "email" in diff:
        await ended_address(services, before.email, record.email, actor=admin.admin_actor())
    return DetailsChanged(details=_view(district, record), changed=sorted(diff), amended=amended)
