"""R-SWAP-2 in the operators' JSON API: the swaps waiting for approval in the districts the
operator serves, approving or rejecting one, and carrying out a swap for two doctors who agree
— recorded with the signed-in operator (and, for a carried-out swap, both doctors)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from app.periods import swap_approvals
from app.periods.swap_approvals import WaitingSwap
from web.api_doctor import NoFields
from web.deps import REFUSED, Body, PrincipalDep, ServicesDep
from web.fields import FreeText, Id, ShiftRef
from workflows.messages import SwapResult

router = APIRouter(prefix="/api/operator", tags=["operator"])


class RejectBody(Body):
    reason: FreeText = Field(description="why, told to both doctors")


class CarryOutBody(Body):
    shift: ShiftRef
    giver: Id = Field(description="the doctor who holds the shift")
    receiver: Id = Field(description="the doctor who takes it over")
    reason: FreeText = Field(description="why the clinic carries it out (kept on record, not mailed)")


@router.get("/approvals", summary="Swaps waiting for approval in my districts, soonest shift first (R-SWAP-2)")
async def approvals(principal: PrincipalDep, svc: ServicesDep) -> list[WaitingSwap]:
    return await swap_approvals.approval_queue(svc, principal)


@router.post("/rounds/{period}/swaps/{swap}/approve", responses=REFUSED,
             summary="Approve a waiting swap; R-SWAP-1 is checked again (R-SWAP-2)")
async def approve(period: str, swap: str, body: NoFields, principal: PrincipalDep, svc: ServicesDep) -> SwapResult:
    return await swap_approvals.approve(svc, principal, period, swap)


@router.post("/rounds/{period}/swaps/{swap}/reject", responses=REFUSED,
             summary="Reject a waiting swap with a reason; the giver keeps the shift (R-SWAP-2)")
async def reject(period: str, swap: str, body: RejectBody, principal: PrincipalDep, svc: ServicesDep) -> SwapResult:
    return await swap_approvals.reject(svc, principal, period, swap, body.reason)


@router.post("/rounds/{period}/carry-out", responses=REFUSED,
             summary="Carry out a swap for two doctors who agree, at once (R-SWAP-2)")
async def carry_out(period: str, body: CarryOutBody, principal: PrincipalDep, svc: ServicesDep) -> SwapResult:
    return await swap_approvals.carry_out(svc, principal, period, shift=body.shift, giver=body.giver,
                                          receiver=body.receiver, reason=body.reason)
