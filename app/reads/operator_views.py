"""The operator's use cases over HTTP: the existing steering and reads, called with
the signed-in operator as the actor — never a name typed into the request.

Rounds and their verdicts (app.reads.status), a round's events (app.reads.events), close / extend / cancel
with a reason (app.periods.live), the schedules (app.periods.schedules), what `vakt restart` would do and
doing it (app.periods.restart). Each round is one of a district the operator's account serves
(app.identity.access.serving_period); lists show only those districts. Steps are recorded as
`operator:<account id>`, with the operator's name beside it in the event where the event has one.
"""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel

from app.periods import live as periods, restart, schedules
from app.reads import status
from app.identity.access import require_operator, serving, serving_period
from app.bootstrap import Services
from app.reads.events import event_log, wait_until_stored
from app.reads.meeting_views import distinct_names
from app.reads.stored import store_of
from app.reads.status_models import StatusList
from app.validate import district_id, period_id
from domain.actors import FOR
from domain.model import OSLO_TZ
from domain.identity import Principal


async def rounds(services: Services, principal: Principal | None):
    principal = require_operator(principal)
    listed = await status.round_status(services, None)
    if isinstance(listed, StatusList):
        listed = listed.model_copy(update={"rounds": [
            r for r in listed.rounds if r.district is not None and principal.serves(r.district)]})
    return listed


async def round_detail(services: Services, principal: Principal | None, period: str):
    await serving_period(services, principal, period)
    return await status.round_status(services, period_id(period, "period"))


async def round_events(services: Services, principal: Principal | None, period: str, *, after_version: int = 0,
                       limit: int = 50, doctor: str | None = None, types: list[str] | None = None,
                       at_least: int = 0) -> dict:
    await serving_period(services, principal, period)
    page = await event_log(services, period, types=types, doctor=doctor, after_version=after_version, limit=limit,
                           at_least=at_least)
    return await with_actor_names(services, page)


def _staff_id(actor: str) -> str | None:
    kind, _, rest = actor.partition(":")
    return rest.split(FOR, 1)[0] if kind in ("operator", "admin") else None


async def with_actor_names(services: Services, page: dict) -> dict:
    """Each event's `actor_shown`: an operator's or admin's name looked up by the account id the
    event records (`Kari Nordmann for doctor:gp05`); any other actor as recorded."""
    ids = sorted({i for e in page["events"] if (i := _staff_id(e["actor"]))})
    names = await (await services.database()).accounts.names_by_id(ids)
    for e in page["events"]:
        who = _staff_id(e["actor"])
        e["actor_shown"] = e["actor"] if who not in names else (
            names[who] + e["actor"].partition(":")[2].removeprefix(who))
    return page


async def wait_for_version(services: Services, principal: Principal | None, period: str, version: int) -> int:
    """Read your own writes: wait (briefly) until the round's `version` is stored."""
    await serving_period(services, principal, period)
    if version <= 0:
        return 0
    store, _ = await store_of(services, period_id(period, "period"))
    return await wait_until_stored(store, period, version)


async def close(services: Services, principal: Principal | None, period: str, reason: str):
    operator, _ = await serving_period(services, principal, period)
    return await periods.close_phase(services, period, operator=operator.name, reason=reason,
                                     actor=operator.operator_actor())


async def extend(services: Services, principal: Principal | None, period: str, until: datetime, reason: str):
    operator, _ = await serving_period(services, principal, period)
    return await periods.extend_deadline(services, period, until=until, operator=operator.name, reason=reason,
                                         actor=operator.operator_actor())


async def cancel(services: Services, principal: Principal | None, period: str, reason: str):
    operator, _ = await serving_period(services, principal, period)
    return await periods.cancel_round(services, period, operator=operator.name, reason=reason,
                                      actor=operator.operator_actor())


async def restart_plan(services: Services, principal: Principal | None, period: str, diagnosis=None):
    """What `vakt restart PERIOD` would do (a dry run: nothing changes). `diagnosis`: the
    round's, when the caller has just made it (the round's page shows both)."""
    await serving_period(services, principal, period)
    plan, _ = await restart.restart_round(services, period, apply_plan=False, diagnosis=diagnosis)
    return plan


async def restart_apply(services: Services, principal: Principal | None, period: str, reason: str):
    operator, _ = await serving_period(services, principal, period)
    return await restart.restart_round(services, period, apply_plan=True, operator=operator.name, reason=reason,
                                       actor=operator.operator_actor())


async def schedule_list(services: Services, principal: Principal | None):
    principal = require_operator(principal)
    return [s for s in await schedules.list_schedules(services) if principal.serves(s.district)]


def _serving_district(principal: Principal | None, district: str) -> Principal:
    return serving(principal, district_id(district, "district"))


async def pause_schedule(services: Services, principal: Principal | None, district: str, reason: str):
    operator = _serving_district(principal, district)
    return await schedules.pause_schedule(services, district, operator=operator.name, reason=reason)


async def resume_schedule(services: Services, principal: Principal | None, district: str):
    operator = _serving_district(principal, district)
    return await schedules.resume_schedule(services, district, operator=operator.name)


async def trigger_schedule(services: Services, principal: Principal | None, district: str):
    """Start the district's next round now, as the schedule would (it reports what it did)."""
    _serving_district(principal, district)
    return await schedules.trigger_schedule(services, district)


class RoundHeading(BaseModel):
    """What the round page is headed by: the period's dates (its title) and the district's name,
    and the doctors on the roll by name (for the events' filter and their actors)."""

    start: date | None = None
    end: date | None = None
    district_name: str | None = None
    doctors: dict[str, str] = {}  # id → name, by name


async def round_heading(services: Services, principal: Principal | None, period: str) -> RoundHeading:
    _, district = await serving_period(services, principal, period)
    db = await services.database()
    stored = await db.registry.district(district)
    heading = RoundHeading(district_name=stored.record.name if stored else district)
    for row in await db.projections.district_rounds(district):
        if row["stream_id"] == period:
            heading.start, heading.end = row["period_start"], row["period_end"]
    names = distinct_names(await db.registry.doctor_names(district))
    heading.doctors = dict(sorted(names.items(), key=lambda pair: pair[1]))
    return heading


async def round_dates(services: Services, principal: Principal | None, districts: set[str]) -> dict[str, tuple]:
    """Each round's (start, end) by period id, for naming rounds by title in the lists."""
    principal = require_operator(principal)
    projections = (await services.database()).projections
    dates: dict[str, tuple] = {}
    for district in sorted(d for d in districts if d and principal.serves(d)):
        for row in await projections.district_rounds(district):
            dates[row["stream_id"]] = (row["period_start"], row["period_end"])
    return dates


async def events_from(services: Services, principal: Principal | None, period: str, day: date) -> int:
    """The page of a round's events that starts at a day (Europe/Oslo): the version before it."""
    await serving_period(services, principal, period)
    store, _ = await store_of(services, period_id(period, "period"))
    return await store.version_before(period, datetime.combine(day, time(0, 0), tzinfo=OSLO_TZ))
