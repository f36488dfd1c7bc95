"""The admin's use cases over HTTP: read a district and its roll, change its policy,
and correct a doctor's details — each recorded in the registry's history as `admin:<name>` from
the sign-in (app.registry.districts does the work; this only checks the role)."""

from __future__ import annotations

from app.registry import details, districts as registry
from app.identity.access import require_admin
from app.bootstrap import Services
from domain.identity import Principal


async def district(services: Services, principal: Principal | None, district_id: str):
    require_admin(principal)
    return await registry.show_district(services, district_id)


async def roll(services: Services, principal: Principal | None, district_id: str):
    require_admin(principal)
    return await registry.doctors(services, district_id)


async def set_policy(services: Services, principal: Principal | None, district_id: str, changes: list[str]):
    admin = require_admin(principal)
    return await registry.set_policy(services, district_id, changes, admin.admin_actor())


async def change_doctor(services: Services, principal: Principal | None, district_id: str, doctor: str, changes: dict):
    require_admin(principal)
    return await details.change_details(services, principal, changes, district=district_id, doctor=doctor, as_admin=True)
