"""The operator's use cases over HTTP: the existing steering and reads, called with
the signed-in operator as the actor — never a name typed into the request.

Rounds and their verdicts (app.reads.status), a round's events (app.reads.events), close / extend / cancel
with a reason (app.periods.live), the schedules (app.periods.schedules), what `vakt restart` would do and
doing it (app.periods.restart), and entering a doctor's action for them (recorded as the operator).
"""

from __future__ import annotations

from datetime import datetime

from app.periods import live as periods, restart, schedules
from app.reads import status
from app.identity.access import require_operator
from app.bootstrap import Services
from app.reads.events import event_log, wait_until_stored
from app.reads.stored import store_of
from app.validate import period_id
from domain.identity import Principal


async def rounds(services: Services, principal: Principal | None):
    require_operator(principal)
    return await status.round_status(services, None)


async def round_detail(services: Services, principal: Principal | None, period: str):
    require_operator(principal)
    return await status.round_status(services, period_id(period, "period"))


async def round_events(services: Services, principal: Principal | None, period: str, *, after_version: int = 0,
                       limit: int = 50, doctor: str | None = None, types: list[str] | None = None,
                       at_least: int = 0) -> dict:
    require_operator(principal)
    return await event_log(services, period, types=types, doctor=doctor, after_version=after_version, limit=limit,
                           at_least=at_least)


async def wait_for_version(services: Services, principal: Principal | None, period: str, version: int) -> int:
    """Read your own writes: wait (briefly) until the round's `version` is stored."""
    require_operator(principal)
    if version <= 0:
        return 0
    store, _ = await store_of(services, period_id(period, "period"))
    return await wait_until_stored(store, period, version)


async def close(services: Services, principal: Principal | None, period: str, reason: str):
    operator = require_operator(principal)
    return await periods.close_phase(services, period, operator=operator.name, reason=reason)


async def extend(services: Services, principal: Principal | None, period: str, until: datetime, reason: str):
    operator = require_operator(principal)
    return await periods.extend_deadline(services, period, until=until, operator=operator.name, reason=reason)


async def cancel(services: Services, principal: Principal | None, period: str, reason: str):
    operator = require_operator(principal)
    return await periods.cancel_round(services, period, operator=operator.name, reason=reason)


async def restart_plan(services: Services, principal: Principal | None, period: str):
    """What `vakt restart PERIOD` would do (a dry run: nothing changes)."""
    require_operator(principal)
    plan, _ = await restart.restart_round(services, period, apply_plan=False)
    return plan


async def restart_apply(services: Services, principal: Principal | None, period: str, reason: str):
    operator = require_operator(principal)
    return await restart.restart_round(services, period, apply_plan=True, operator=operator.name, reason=reason)


async def schedule_list(services: Services, principal: Principal | None):
    require_operator(principal)
    return await schedules.list_schedules(services)
