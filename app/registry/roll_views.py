"""The roll in the browser: the districts an operator serves, a district's doctors found by a
search, one doctor's record with its history, an admin's correction of a record (recorded as
`admin:<account id>`; a qualification change names the rules it touches, R-QUAL-1), and the roll
exported in the import's columns.

Operators and admins of the district read the list and a record; contact data and the values in
the history are shown to admins only (operators see which fields changed, and when, and by whom).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.bootstrap import Services
from app.errors import BadInput, NotFound
from app.identity.access import require_operator, serving
from app.identity.sign_in import normal_address
from app.periods.amend import Amended, amend_running_periods
from app.registry.edits import check_address_free, record_with
from app.registry.roll_files import CSV_TYPE, XLSX_TYPE, roll_csv, roll_xlsx
from app.registry.views import DoctorRow, doctor_row
from app.validate import district_id as valid_district_id
from app.validate import doctor_id as valid_doctor_id
from domain import actors
from domain.clock import oslo_today
from domain.identity import EVERY_DISTRICT, Principal
from domain.registry.records import RegistryDoctor
from domain.registry.roll_changes import QUALIFICATION_FIELDS, changed_doctor

MAX_QUERY = 100
EDITABLE = ("name", "mobile", "email", "specialist_gp", "violence_course", "acute_course",
            "clinical_months", "duty_shifts_done", "gp_months", "joined_on", "left_on")
COUNTS = ("clinical_months", "duty_shifts_done", "gp_months")


class District(BaseModel):
    id: str
    name: str
    exists: bool = True  # False: an admin's district not in the registry yet (its first import creates it)


class ListedDoctor(BaseModel):
    id: str
    name: str
    role: str
    status: str
    qualified_from: date | None


class HistoryEntry(BaseModel):
    changed_at: Any
    action: str
    actor: str  # the account's name where known, else the recorded actor
    fields: list[tuple[str, Any, Any]]  # (field, old, new); values None unless shown


class DoctorRecord(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    district: str
    record: RegistryDoctor
    row: DoctorRow
    admin: bool
    history: list[HistoryEntry]


class DoctorEdited(BaseModel):
    record: RegistryDoctor
    changed: list[str]
    rules: list[str]  # R-QUAL-* when a qualification changed
    qualified_before: bool | None = None
    qualified_after: bool | None = None
    amended: list[Amended] = []


async def served_districts(services: Services, principal: Principal | None) -> list[District]:
    """The districts this operator serves; for an admin also those named on the account and not
    in the registry yet (their first import creates them)."""
    principal = require_operator(principal)
    registry = (await services.database()).registry
    stored = [District(id=d.id, name=d.name) for d in await registry.districts() if principal.serves(d.id)]
    known = {d.id for d in stored}
    coming = [District(id=d, name=d, exists=False) for d in principal.districts
              if principal.is_admin and d != EVERY_DISTRICT and d not in known]
    return stored + coming


async def _district_name(services: Services, district: str) -> str:
    stored = await (await services.database()).registry.district(district)
    if stored is None:
        raise NotFound(f"district: no district {district!r} in the registry")
    return stored.record.name


async def district_of(services: Services, principal: Principal | None, district: str) -> District:
    district = valid_district_id(district, "district")
    who = serving(principal, district)
    stored = await (await services.database()).registry.district(district)
    if stored is None:
        if not who.is_admin:
            raise NotFound(f"district: no district {district!r} in the registry")
        return District(id=district, name=district, exists=False)
    return District(id=district, name=stored.record.name)


def _matches(d: RegistryDoctor, words: list[str], *, contacts: bool) -> bool:
    hay = f"{d.id} {d.name} {d.role.value} {d.email if contacts else ''}".casefold()
    return all(w in hay for w in words)


async def find_doctors(
    services: Services, principal: Principal | None, district: str, query: str = "", *, today: date | None = None,
) -> list[ListedDoctor]:
    """The district's doctors whose id, name or role (and e-mail, for an admin, who sees it) hold
    every word of `query`."""
    district = valid_district_id(district, "district")
    who = serving(principal, district)
    words = query.casefold().split()[:10] if query else []
    if len(query) > MAX_QUERY:
        raise BadInput(f"q: at most {MAX_QUERY} characters")
    day = today or oslo_today(services.clock)
    out = []
    for d in await (await services.database()).registry.doctors(district):
        if _matches(d, words, contacts=who.is_admin):
            row = doctor_row(d, day, contacts=False)
            out.append(ListedDoctor(id=d.id, name=d.name, role=d.role.value, status=row.status,
                                    qualified_from=row.qualified_from))
    return sorted(out, key=lambda r: (r.name.casefold(), r.id))


async def _record(services: Services, district: str, doctor: str) -> RegistryDoctor:
    record = await (await services.database()).registry.doctor(district, doctor)
    if record is None:
        raise NotFound(f"doctor: no doctor {doctor!r} in district {district!r}")
    return record


async def doctor_record(services: Services, principal: Principal | None, district: str, doctor: str) -> DoctorRecord:
    district = valid_district_id(district, "district")
    who = serving(principal, district)
    doctor = valid_doctor_id(doctor, "doctor")
    db = await services.database()
    record = await _record(services, district, doctor)
    changes = await db.registry.history(district, doctor_id=doctor)
    staff = [c.actor.partition(":") for c in changes]
    ids = sorted({who_id for kind, _, who_id in staff if kind in ("admin", "operator") and actors.FOR not in who_id})
    names = await db.accounts.names_by_id(ids) if ids else {}

    def actor_name(actor: str) -> str:
        return names.get(actor.partition(":")[2], actor)

    history = [
        HistoryEntry(changed_at=c.changed_at, action=c.action, actor=actor_name(c.actor),
                     fields=[(f, v.get("old") if who.is_admin else None, v.get("new") if who.is_admin else None)
                             for f, v in sorted(c.changes.items())])
        for c in reversed(changes)
    ]
    row = doctor_row(record, oslo_today(services.clock), contacts=who.is_admin)
    return DoctorRecord(district=district, record=record, row=row, admin=who.is_admin, history=history)


def _value(field: str, text: str) -> Any:
    text = (text or "").strip()
    if field in COUNTS:
        if not text.isdigit() or len(text) > 7:
            raise BadInput(f"{field}: not a whole number")
        return int(text)
    if field in ("specialist_gp", "violence_course", "acute_course", "joined_on", "left_on"):
        if not text:
            return None
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise BadInput(f"{field}: not a date (YYYY-MM-DD)") from None
    if not text:
        raise BadInput(f"{field}: missing")
    return normal_address(text) if field == "email" else text


def edited_record(record: RegistryDoctor, form: dict[str, str]) -> RegistryDoctor:
    """The record with the form's fields, validated (R-DATA-1); BadInput naming the field."""
    values = {field: _value(field, form[field]) for field in EDITABLE if field in form}
    return record_with(record, values, QUALIFICATION_FIELDS)


async def edit_doctor(
    services: Services, principal: Principal | None, district: str, doctor: str, form: dict[str, str],
) -> DoctorEdited:
    """An admin corrects a doctor's record; recorded as `admin:<account id>`. A new address takes
    effect at once and must be free; a qualification change reaches every round before its meeting."""
    district = valid_district_id(district, "district")
    admin = serving(principal, district, admin=True)
    doctor = valid_doctor_id(doctor, "doctor")
    before = await _record(services, district, doctor)
    wanted = edited_record(before, form)
    if wanted.email.lower() != before.email.lower():
        await check_address_free(services, wanted.email.lower(), district, doctor)
    actor = admin.admin_actor()
    result = await (await services.database()).registry.change_doctor(
        district, doctor, lambda current: edited_record(current, form), actor=actor)
    if result is None:
        raise NotFound(f"doctor: no doctor {doctor!r} in district {district!r}")
    services.principals.forget_all()  # an address or a leaving date: derived again in this process at once
    record, changes = result
    change = changed_doctor(before, record, oslo_today(services.clock))
    amended = []
    if change.rules:
        amended = await amend_running_periods(services, district, doctor, actor=actor)
    return DoctorEdited(record=record, changed=sorted(changes), rules=list(change.rules),
                        qualified_before=change.qualified_before, qualified_after=change.qualified_after,
                        amended=amended)


async def export_roll(services: Services, principal: Principal | None, district: str, kind: str) -> tuple[str, str, bytes]:
    """(file name, media type, content) of the roll in the import's columns; admins only (the
    file holds contact data). `kind`: "csv" or "xlsx"."""
    district = valid_district_id(district, "district")
    serving(principal, district, admin=True)
    if kind not in ("csv", "xlsx"):
        raise BadInput("format: csv or xlsx")
    await _district_name(services, district)
    doctors = await (await services.database()).registry.doctors(district)
    day = oslo_today(services.clock).isoformat()
    if kind == "csv":
        return f"{district}-roll-{day}.csv", CSV_TYPE, roll_csv(doctors)
    return f"{district}-roll-{day}.xlsx", XLSX_TYPE, roll_xlsx(doctors)

