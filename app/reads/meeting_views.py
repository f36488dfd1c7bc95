"""The allocation meeting for an operator: the desk where picks called out in the room are
entered for the doctors, and the room's screen (the projector view). Both read the round as
stored and name doctors from the registry; entering goes through `act_for_doctor`
(app.periods.doctor_actions), recorded as `operator:<id> for doctor:<id>`."""

from __future__ import annotations

from pydantic import BaseModel

from app.bootstrap import Services
from app.identity.access import serving_period
from app.errors import NotFound
from app.reads.doctor_views import period_view
from domain.identity import Principal
from domain.model import Phase, Shift
from domain.period.meeting_desk import MeetingDesk, meeting_desk


class MeetingView(BaseModel):
    period: str
    phase: Phase
    meeting_open: bool
    version: int
    district_name: str
    start: str
    end: str
    desk: MeetingDesk
    names: dict[str, str]  # doctor id → name (registry), for the page only
    kinds: list[str]  # the district's shift names, for the filter
    done: Shift | None = None  # the shift just entered, named in the banner


async def meeting_view(services: Services, principal: Principal | None, period: str, *,
                       kind: str | None = None, at_least: int = 0, done: str | None = None) -> MeetingView:
    _, district = await serving_period(services, principal, period)
    view = await period_view(services, period, at_least)  # the read model: its calendar is built once
    if view is None:
        raise NotFound(f"period {period!r} is not opened yet")
    state, calendar = view.state, view.calendar
    config = state.require_config()
    db = await services.database()
    stored = await db.registry.district(district)
    names = distinct_names(await db.registry.doctor_names(district))
    kinds = sorted({s.name for s in calendar.shifts})
    return MeetingView(
        period=period, phase=state.phase, meeting_open=state.meeting_open, version=state.version,
        district_name=stored.record.name if stored else district,
        start=str(config.period.start), end=str(config.period.end),
        desk=meeting_desk(state, calendar, kind=kind if kind in kinds else None), names=names, kinds=kinds,
        done=calendar.by_id.get(done) if done else None,
    )


def distinct_names(names: dict[str, str]) -> dict[str, str]:
    """Two doctors with one name are told apart at the desk by their roll id (`Tone Bakken
    (gp08)`): the operator must pick the right one by ear."""
    seen: dict[str, int] = {}
    for name in names.values():
        seen[name] = seen.get(name, 0) + 1
    return {i: f"{n} ({i})" if seen[n] > 1 else n for i, n in names.items()}
