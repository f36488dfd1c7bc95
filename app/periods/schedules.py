"""Scheduled rounds (R-PROC-5): one Temporal Schedule per district starts each of its rounds.

The schedule fires at the invitation time of each coming round (the district's RoundPolicy,
Europe/Oslo wall-clock, DST-correct: the spec carries the time zone); its action is the
ScheduledRoundWorkflow (workflows/rounds.py), which builds the round from the registry and starts
it — once: a period id exists only once. Operators see, pause, resume and trigger a schedule
here or in the Temporal Web UI (Schedules), after temporalio/samples-python `schedules/`.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from pydantic import BaseModel
from temporalio.client import (
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleHandle,
    SchedulePolicy,
    ScheduleOverlapPolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from app.bootstrap import Services
from app.errors import NotFound, Unavailable
from app.validate import free_text, period_id, person_name
from domain.district import RoundPolicy, invitation_at, next_period_start, period_start_for, round_dates
from domain.clock import oslo_today
from domain.model import OSLO, OSLO_TZ
from infra.clock import SystemClock
from workflows.rounds import RoundStarterInput, RoundStarterResult, ScheduledRoundWorkflow

PREFIX = "vakt-rounds-"
YEARS_AHEAD = 10  # the spec lists each coming invitation time explicitly, this far ahead


def schedule_id(district_id: str) -> str:
    return f"{PREFIX}{district_id}"


def coming_rounds(district_id: str, policy: RoundPolicy, today: date, years: int = YEARS_AHEAD) -> list[tuple[str, datetime]]:
    """(period id, invitation time) of each round whose invitation is after `today`."""
    start = next_period_start(period_start_for(today, policy.months), policy.months)
    out = []
    while start.year <= today.year + years:
        dates = round_dates(district_id, start, policy)
        at = invitation_at(dates, policy)
        if at.date() > today:
            out.append((dates.id, at))
        start = next_period_start(start, policy.months)
    return out


def spec_for(district_id: str, policy: RoundPolicy, today: date) -> ScheduleSpec:
    """One calendar entry per coming invitation: the meeting's weekday alignment makes the dates
    irregular, so they are listed rather than expressed as a cron rule."""
    calendars = [
        ScheduleCalendarSpec(
            year=[ScheduleRange(at.year)], month=[ScheduleRange(at.month)], day_of_month=[ScheduleRange(at.day)],
            hour=[ScheduleRange(at.hour)], minute=[ScheduleRange(at.minute)], second=[ScheduleRange(0)],
            comment=f"invitation for {period}",
        )
        for period, at in coming_rounds(district_id, policy, today)
    ]
    return ScheduleSpec(calendars=calendars, time_zone_name=OSLO)


def clock_offset_seconds(services: Services) -> float:
    """How far the services' clock is from the wall clock (0 in production): a schedule made
    under another clock (a test's, `VAKT_NOW`) has its starter see that clock's time too."""
    offset = (services.clock.now() - SystemClock().now()).total_seconds()
    return float(round(offset)) if abs(offset) >= 1 else 0.0


async def sync_schedule(services: Services, district_id: str, policy: RoundPolicy) -> str:
    """Create the district's schedule, or bring its spec in line with the policy (idempotent)."""
    client = await services.temporal()
    today = oslo_today(services.clock)
    action = ScheduleActionStartWorkflow(
        ScheduledRoundWorkflow.run,
        RoundStarterInput(district_id=district_id, clock_offset_seconds=clock_offset_seconds(services)),
        id=f"vakt-round-starter-{district_id}",
        task_queue=services.settings.temporal_task_queue,
    )
    schedule = Schedule(
        action=action,
        spec=spec_for(district_id, policy, today),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=timedelta(days=7)),
        state=ScheduleState(note=f"rounds of district {district_id} (R-PROC-5)"),
    )
    sid = schedule_id(district_id)
    try:
        await client.create_schedule(sid, schedule)
        return "created"
    except ScheduleAlreadyRunningError:
        def update(inp: ScheduleUpdateInput) -> ScheduleUpdate:
            current = inp.description.schedule
            return ScheduleUpdate(
                schedule=Schedule(action=action, spec=schedule.spec, policy=schedule.policy, state=current.state)
            )

        await client.get_schedule_handle(sid).update(update)
        return "updated"


class ScheduleView(BaseModel):
    district: str
    schedule_id: str
    paused: bool
    note: str | None
    next_runs: list[datetime]  # Europe/Oslo
    recent: list[tuple[datetime, str]]  # (started at, workflow id of the starter)


async def _handle(services: Services, district_id: str) -> ScheduleHandle:
    client = await services.temporal()
    return client.get_schedule_handle(schedule_id(period_id(district_id, "DISTRICT")))


async def show_schedule(services: Services, district_id: str) -> ScheduleView:
    handle = await _handle(services, district_id)
    try:
        d = await handle.describe()
    except RPCError as e:
        if e.status == RPCStatusCode.NOT_FOUND:
            raise NotFound(f"no schedule for district {district_id!r} (import the district, then `vakt schedule sync`)") from None
        raise Unavailable(f"Temporal refused to describe the schedule ({e.status.name})") from None
    return ScheduleView(
        district=district_id,
        schedule_id=handle.id,
        paused=d.schedule.state.paused,
        note=d.schedule.state.note,
        next_runs=[t.astimezone(OSLO_TZ) for t in d.info.next_action_times[:4]],
        recent=[(a.started_at.astimezone(OSLO_TZ), a.action.workflow_id) for a in d.info.recent_actions[-5:]],
    )


async def list_schedules(services: Services) -> list[ScheduleView]:
    client = await services.temporal()
    districts = []
    async for entry in await client.list_schedules():
        if entry.id.startswith(PREFIX):
            districts.append(entry.id.removeprefix(PREFIX))
    return [await show_schedule(services, d) for d in sorted(districts)]


async def pause_schedule(services: Services, district_id: str, *, operator: str, reason: str) -> ScheduleView:
    note = f"paused by {person_name(operator)}: {free_text(reason, '--reason')}"
    await (await _handle(services, district_id)).pause(note=note)
    return await show_schedule(services, district_id)


async def resume_schedule(services: Services, district_id: str, *, operator: str) -> ScheduleView:
    await (await _handle(services, district_id)).unpause(note=f"resumed by {person_name(operator)}")
    return await show_schedule(services, district_id)


async def trigger_schedule(services: Services, district_id: str, *, timeout: float = 60) -> RoundStarterResult:
    """Run the schedule's action now and report what it did: the round it started, or why none."""
    handle = await _handle(services, district_id)
    before = len((await show_schedule(services, district_id)).recent)
    seen = {wid for _, wid in (await show_schedule(services, district_id)).recent}
    await handle.trigger(overlap=ScheduleOverlapPolicy.ALLOW_ALL)
    client = await services.temporal()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        view = await show_schedule(services, district_id)
        fresh = [wid for _, wid in view.recent if wid not in seen]
        if fresh or len(view.recent) > before:
            starter = client.get_workflow_handle_for(ScheduledRoundWorkflow.run, fresh[-1] if fresh else view.recent[-1][1])
            return await starter.result()
        await asyncio.sleep(0.2)
    raise Unavailable(f"the schedule of {district_id} did not run its action within {timeout:.0f} s (is a worker running?)")


async def sync_schedules(services: Services, district_id: str | None = None) -> list[tuple[str, str]]:
    """Bring the schedules in line with the registry: one per district (or the one named)."""
    db = await services.database()
    districts = await db.registry.districts()
    if district_id is not None:
        districts = [d for d in districts if d.id == period_id(district_id, "DISTRICT")]
        if not districts:
            raise NotFound(f"no district {district_id!r} in the registry")
    return [(d.id, await sync_schedule(services, d.id, d.policy.rounds)) for d in districts]
