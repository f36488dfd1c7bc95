"""The admin's use cases over HTTP: read a district and its roll, change its policy,
and correct a doctor's details — each recorded in the registry's history as `admin:<account id>`
from the sign-in (app.registry.districts does the work; this checks the role and that the admin's
account serves the district)."""

from __future__ import annotations

from app.registry import details, districts as registry
from app.identity.access import serving
from app.bootstrap import Services
from app.validate import district_id as valid_district_id
from domain.identity import Principal


def _admin(principal: Principal | None, district_id: str) -> Principal:
    return serving(principal, valid_district_id(district_id, "district"), admin=True)


async def district(services: Services, principal: Principal | None, district_id: str):
    _admin(principal, district_id)
    return await registry.show_district(services, district_id)


async def roll(services: Services, principal: Principal | None, district_id: str):
    _admin(principal, district_id)
    return await registry.doctors(services, district_id)


async def set_policy(services: Services, principal: Principal | None, district_id: str, changes: list[str]):
    admin = _admin(principal, district_id)
    return await registry.set_policy(services, district_id, changes, admin.admin_actor())


async def change_doctor(services: Services, principal: Principal | None, district_id: str, doctor: str, changes: dict):
    return await details.correct_details(services, principal, district_id, doctor, changes)
