"""The admins' JSON API: the registry — a district, its roll (contact data masked),
its policy, and corrections to a doctor's details. Recorded with the signed-in admin."""

from __future__ import annotations


from typing import Any

from fastapi import APIRouter
from pydantic import Field

from app.registry import admin_views
from app.registry.details import DetailsChanged
from app.registry.views import DistrictView, DoctorRow
from web.fields import DetailChanges
from web.deps import Body, PrincipalDep, ServicesDep

router = APIRouter(prefix="/api/admin", tags=["admin"])


class PolicyBody(Body):
    set: list[str] = Field(description="NAME=VALUE settings, as `vakt district set-policy --set`", max_length=50)


class DoctorBody(DetailChanges):
    """An admin's correction of a doctor's details."""


@router.get("/districts/{district}", summary="A district: policy, shift template, roll counts")
async def district(district: str, principal: PrincipalDep, svc: ServicesDep) -> DistrictView:
    return await admin_views.district(svc, principal, district)


@router.get("/districts/{district}/doctors", summary="The district's roll (contact data masked)")
async def roll(district: str, principal: PrincipalDep, svc: ServicesDep) -> list[DoctorRow]:
    return await admin_views.roll(svc, principal, district)


@router.post("/districts/{district}/policy", summary="Change policy settings (validated, recorded)")
async def policy(district: str, body: PolicyBody, principal: PrincipalDep, svc: ServicesDep) -> dict[str, Any]:
    update = await admin_views.set_policy(svc, principal, district, body.set)
    return {"changes": update.changes, "policy": update.policy.model_dump(mode="json")}


@router.post("/districts/{district}/doctors/{doctor}", summary="Correct a doctor's details (R-DATA-1, recorded)")
async def doctor(district: str, doctor: str, body: DoctorBody, principal: PrincipalDep,
                 svc: ServicesDep) -> DetailsChanged:
    changes = body.model_dump(exclude_unset=True, mode="json")
    return await admin_views.change_doctor(svc, principal, district, doctor, changes)
