"""R-SWAP-2's use cases, shared by the web service and the CLI: the approval queue of an
operator's districts, approving or rejecting a waiting swap, and carrying out a swap on behalf
of two doctors who agree.

The operator is the signed-in principal serving the round's district (app.identity.access);
approvals and rejections are recorded as `operator:<account id>`, a carried-out swap as
`operator:<account id> for doctor:<giver> and doctor:<receiver>` — both doctors on the record.
The queue reads the kept read model (app.reads.doctor_views.period_view), never Temporal.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from app.bootstrap import Services
from app.errors import BadInput
from app.identity.access import period_district, require_operator, serving_period
from app.periods.doctor_actions import _swap_id
from app.periods.live import _operator_update
from app.reads.doctor_views import period_view
from app.reads.meeting_views import distinct_names
from app.validate import doctor_id as valid_doctor_id
from app.validate import free_text, period_id
from app.validate import shift_id as valid_shift_id
from domain import actors
from domain.clock import oslo_now
from domain.identity import EVERY_DISTRICT, Principal
from domain.model import OSLO_TZ, Phase
from workflows.messages import ApproveSwapInput, CarryOutSwapInput, RejectSwapInput, SwapResult
from workflows.period import AllocationPeriodWorkflow

REASON_LIMIT = 500


class WaitingSwap(BaseModel):
    """One line of the approval queue: names for the page, ids for the forms."""

    period: str
    district: str
    swap: str
    shift: str
    name: str  # the shift's name (day, evening …)
    kind: str
    start: datetime
    end: datetime
    giver: str
    giver_name: str
    receiver: str
    receiver_name: str
    accepted_at: datetime | None
    hours_left: float  # until the shift starts


async def _served_districts(services: Services, principal: Principal) -> list[str]:
    db = await services.database()
    if EVERY_DISTRICT in principal.districts:
        return sorted(d.id for d in await db.registry.districts())
    return sorted(d for d in principal.districts if principal.serves(d))


async def _waiting_in(services: Services, period: str, names: dict[str, str]) -> list[WaitingSwap]:
    view = await period_view(services, period)
    if view is None or view.state.phase is not Phase.PUBLISHED:
        return []
    now = oslo_now(services.clock)
    district = view.state.require_config().district.id
    found = []
    for swap, offer in view.state.swaps.items():
        if offer.accepted_by is None:
            continue
        shift = view.calendar.by_id[offer.shift]
        found.append(WaitingSwap(
            period=period, district=district, swap=swap, shift=shift.id, name=shift.name,
            kind=shift.kind.value, start=shift.start.astimezone(OSLO_TZ), end=shift.end.astimezone(OSLO_TZ),
            giver=offer.giver, giver_name=names.get(offer.giver, offer.giver),
            receiver=offer.accepted_by, receiver_name=names.get(offer.accepted_by, offer.accepted_by),
            accepted_at=offer.accepted_at, hours_left=round((shift.start - now).total_seconds() / 3600, 1),
        ))
    return found


def _soonest_first(found: list[WaitingSwap]) -> list[WaitingSwap]:
    return sorted(found, key=lambda w: (w.start, w.period, w.swap))


async def approval_queue(services: Services, principal: Principal | None) -> list[WaitingSwap]:
    """Every swap waiting for approval in the published rounds of the operator's districts,
    soonest shift first."""
    principal = require_operator(principal)
    db = await services.database()
    found: list[WaitingSwap] = []
    for district in await _served_districts(services, principal):
        rounds = [r for r in await db.projections.district_rounds(district) if r["phase"] == Phase.PUBLISHED.value]
        if not rounds:
            continue
        names = distinct_names(await db.registry.doctor_names(district))
        for row in rounds:
            found.extend(await _waiting_in(services, row["stream_id"], names))
    return _soonest_first(found)


async def waiting_in_period(services: Services, period: str) -> list[WaitingSwap]:
    """The swaps waiting in one round (the CLI's `vakt swap queue`: IT, no account)."""
    period = period_id(period, "period")
    district = await period_district(services, period)
    db = await services.database()
    names = distinct_names(await db.registry.doctor_names(district))
    return _soonest_first(await _waiting_in(services, period, names))


# -- the steps, recorded with an actor: the web's signed-in operator, or the CLI's --operator

async def approve_swap(services: Services, period: str, swap: str, *, actor: str) -> SwapResult:
    request = ApproveSwapInput(swap=_swap_id(swap), actor=actor)
    return await _operator_update(services, period_id(period, "period"), AllocationPeriodWorkflow.approve_swap, request)


async def reject_swap(services: Services, period: str, swap: str, *, reason: str, actor: str) -> SwapResult:
    request = RejectSwapInput(swap=_swap_id(swap), reason=free_text(reason, "reason", REASON_LIMIT), actor=actor)
    return await _operator_update(services, period_id(period, "period"), AllocationPeriodWorkflow.reject_swap, request)


def carried_out_by(operator_actor: str, giver: str, receiver: str) -> str:
    """`operator:<id> for doctor:<giver> and doctor:<receiver>`: the operator acted, for both."""
    try:
        return actors.actor("operator", actors.on_behalf(operator_actor, giver).partition(":")[2]
                            + f" and {actors.doctor(receiver)}")
    except ValueError:
        raise BadInput("doctor: the recorded actor would be too long; ask an operator with an account") from None


async def carry_out_swap(services: Services, period: str, *, shift: str, giver: str, receiver: str, reason: str,
                         operator_actor: str) -> SwapResult:
    giver, receiver = valid_doctor_id(giver, "giver"), valid_doctor_id(receiver, "receiver")
    request = CarryOutSwapInput(
        shift=valid_shift_id(shift, "shift"), giver=giver, receiver=receiver,
        reason=free_text(reason, "reason", REASON_LIMIT), actor=carried_out_by(operator_actor, giver, receiver),
    )
    return await _operator_update(services, period_id(period, "period"), AllocationPeriodWorkflow.carry_out_swap,
                                  request)


# -- the signed-in operator serving the round's district (web)

async def approve(services: Services, principal: Principal | None, period: str, swap: str) -> SwapResult:
    """R-SWAP-2: approve a waiting swap; the round checks R-SWAP-1 again."""
    operator, _ = await serving_period(services, principal, period)
    return await approve_swap(services, period, swap, actor=operator.operator_actor())


async def reject(services: Services, principal: Principal | None, period: str, swap: str, reason: str) -> SwapResult:
    """R-SWAP-2: reject a waiting swap, with a reason (sent to both doctors)."""
    operator, _ = await serving_period(services, principal, period)
    return await reject_swap(services, period, swap, reason=reason, actor=operator.operator_actor())


async def carry_out(
    services: Services, principal: Principal | None, period: str, *, shift: str, giver: str, receiver: str,
    reason: str,
) -> SwapResult:
    """R-SWAP-2: hand `giver`'s shift to `receiver` for them, at once (R-SWAP-1's checks apply)."""
    operator, _ = await serving_period(services, principal, period)
    return await carry_out_swap(services, period, shift=shift, giver=giver, receiver=receiver, reason=reason,
                                operator_actor=operator.operator_actor())
