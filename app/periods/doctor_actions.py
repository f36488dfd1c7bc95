"""What a signed-in person does in a period over the web service: a doctor's wish, pick or claim — through
the front door, so the burst guarantee holds for every entry point — and swaps after
publication (R-SWAP-1). The actor is the signed-in person (app.identity.access), never request text:
a doctor acts as themselves only; an operator enters a doctor's wish, pick or claim at the meeting
with `act_for_doctor`, recorded as `operator:<id> for doctor:<id>`."""

from __future__ import annotations

import re

from app.identity.access import acting, acting_for, period_district, serving_period
from app.bootstrap import Services
from app.errors import BadInput
from app.periods.live import _operator_update, action_request, submit_actions
from app.validate import SWAP_PATTERN
from app.validate import doctor_id as valid_doctor_id
from app.validate import shift_id as valid_shift_id
from domain.identity import Principal
from workflows.messages import AcceptSwapInput, ActionOutcome, CloseSwapInput, OfferSwapInput, SwapResult
from workflows.period import AllocationPeriodWorkflow

SWAP_ID_LIMIT = 64
_SWAP = re.compile(SWAP_PATTERN)


async def act_signed_in(
    services: Services, principal: Principal | None, period: str, verb: str, shift: str
) -> ActionOutcome:
    """The signed-in doctor's own action: accepted with its version, or refused with its rule."""
    district = await period_district(services, period)
    doctor, actor = acting(principal, district)
    [outcome] = await submit_actions(services, period, [action_request(verb, doctor, shift, actor, keyed=True)])
    return outcome


async def act_for_doctor(
    services: Services, principal: Principal | None, period: str, verb: str, shift: str, doctor: str
) -> ActionOutcome:
    """An operator serving the round's district enters a doctor's action for them (at the
    allocation meeting): recorded as `operator:<id> for doctor:<id>`, never as the doctor."""
    _, district = await serving_period(services, principal, period)
    doctor, actor = acting_for(principal, district, doctor)
    [outcome] = await submit_actions(services, period, [action_request(verb, doctor, shift, actor, keyed=True)])
    return outcome


def _swap_id(value: str) -> str:
    if not isinstance(value, str) or len(value) > SWAP_ID_LIMIT or not _SWAP.fullmatch(value):
        raise BadInput("swap: not a swap id")
    return value


async def offer_swap(
    services: Services, principal: Principal | None, period: str, shift: str, receiver: str | None,
) -> SwapResult:
    """R-SWAP-1: offer a held shift to a named colleague, or to everyone who may take it."""
    district = await period_district(services, period)
    giver, actor = acting(principal, district)
    request = OfferSwapInput(giver=giver, shift=valid_shift_id(shift, "shift"), receiver=valid_doctor_id(receiver, "receiver") if receiver else None,
        actor=actor,
    )
    return await _operator_update(services, period, AllocationPeriodWorkflow.offer_swap, request)


async def accept_swap(services: Services, principal: Principal | None, period: str, swap: str) -> SwapResult:
    """R-SWAP-1: take an offered shift over (R-QUAL-2/3, R-REST-1 and absences are checked)."""
    district = await period_district(services, period)
    receiver, actor = acting(principal, district)
    request = AcceptSwapInput(swap=_swap_id(swap), receiver=receiver, actor=actor)
    return await _operator_update(services, period, AllocationPeriodWorkflow.accept_swap, request)


async def close_swap(services: Services, principal: Principal | None, period: str, swap: str) -> SwapResult:
    """Decline an offer made to you, or withdraw your own: nothing changes hands."""
    district = await period_district(services, period)
    by, actor = acting(principal, district)
    request = CloseSwapInput(swap=_swap_id(swap), by=by, actor=actor)
    return await _operator_update(services, period, AllocationPeriodWorkflow.close_swap, request)
