"""What the pages show of a round's vacancies (R-VAC-1..3), read from the stored events.

- A doctor: the open vacancies they may take (first on their board), the vacancies they declared
  and what became of them (who took it, by name: the holder may know), and the held shifts they
  could still declare vacant. Another doctor's id never reaches the page; a colleague's reason
  is not shown either (it may be about their health).
- An operator serving the district: every vacancy with its state, the holder and taker by name,
  the reason, and for an open, escalated one the doctors who may legally take it (the assign
  form offers only those).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from app.bootstrap import Services
from app.identity.access import own_doctor, period_district, serving_period
from app.reads.doctor_views import period_view
from app.reads.swap_views import labels
from app.validate import period_id as valid_period_id
from domain.clock import oslo_now
from domain.identity import Principal
from domain.period.vacancies import eligible_doctors, is_live, may_take


class VacancyLine(BaseModel):
    vacancy: str
    shift: str
    name: str  # the shift's template name (evening, night …), for web.shift_names
    start: datetime
    end: datetime
    status: str  # open | taken | assigned | uncovered
    escalated: bool
    holder: str | None = None  # a name (the operators' page, or "you" left to the page)
    taken_by: str | None = None  # a name
    reason: str | None = None  # the holder's own, or for the operators
    eligible: list[tuple[str, str]] = []  # (doctor id, name): operators only


class DeclarableShift(BaseModel):
    shift: str
    name: str
    start: datetime
    end: datetime


class DoctorVacancies(BaseModel):
    period: str
    open: list[VacancyLine]  # ones I may take, soonest first
    mine: list[VacancyLine]  # ones I declared
    declarable: list[DeclarableShift]  # my held shifts not started, not vacant, not on offer


class RoundVacancies(BaseModel):
    period: str
    district: str
    lines: list[VacancyLine]

    def count(self, status: str) -> int:
        return sum(1 for v in self.lines if v.status == status)

    @property
    def escalated_open(self) -> int:
        return sum(1 for v in self.lines if v.status == "open" and v.escalated)


async def _names(services: Services, district: str) -> dict[str, str]:
    doctors = await (await services.database()).registry.doctors(district, as_of=None)
    return {doctor: label for label, doctor in labels([(d.id, d.name) for d in doctors]).items()}


def _line(vid: str, v, state, calendar, names: dict[str, str], **extra) -> VacancyLine:
    s = calendar.by_id[v.shift]
    status = "moved" if v.open and not is_live(state, v) else v.status  # swapped away meanwhile
    return VacancyLine(vacancy=vid, shift=v.shift, name=s.name, start=s.start, end=s.end, status=status,
                       escalated=v.escalated, taken_by=names.get(v.taken_by) if v.taken_by else None, **extra)


async def for_doctor(services: Services, principal: Principal | None, period: str, at_least: int = 0) -> DoctorVacancies:
    period = valid_period_id(period, "period")
    district = await period_district(services, period)
    me = own_doctor(principal, district)
    view = await period_view(services, period, at_least)
    state, calendar = view.state, view.calendar
    now = oslo_now(services.clock)
    names = await _names(services, district) if any(v.holder == me for v in state.vacancies.values()) else {}
    ordered = sorted(state.vacancies.items(), key=lambda kv: (calendar.by_id[kv[1].shift].start, kv[0]))
    open_lines = [
        _line(vid, v, state, calendar, names) for vid, v in ordered
        if is_live(state, v) and v.holder != me and calendar.by_id[v.shift].start > now
        and may_take(state, calendar, me, calendar.by_id[v.shift]) is None
    ]
    mine = [_line(vid, v, state, calendar, names, reason=v.reason) for vid, v in ordered if v.holder == me]
    busy = {v.shift for v in state.vacancies.values() if is_live(state, v)} | {o.shift for o in state.swaps.values()}
    declarable = [
        DeclarableShift(shift=s.id, name=s.name, start=s.start, end=s.end)
        for s in sorted((calendar.by_id[sid] for sid in state.held_by(me)), key=lambda s: (s.start, s.id))
        if s.start > now and s.id not in busy
    ] if state.phase.value == "published" else []
    return DoctorVacancies(period=period, open=open_lines, mine=mine, declarable=declarable)


async def for_round(services: Services, principal: Principal | None, period: str, at_least: int = 0) -> RoundVacancies:
    """The operators' view: every vacancy of a round of a district they serve."""
    period = valid_period_id(period, "period")
    _, district = await serving_period(services, principal, period)
    return await round_vacancies(services, period, district, at_least)


async def round_vacancies(services: Services, period: str, district: str | None = None,
                          at_least: int = 0) -> RoundVacancies:
    """Every vacancy of a round (the CLI's `vakt vacancy list`, which runs where the database is)."""
    period = valid_period_id(period, "period")
    district = district or await period_district(services, period)
    view = await period_view(services, period, at_least)
    state, calendar = view.state, view.calendar
    names = await _names(services, district) if state.vacancies else {}
    lines = []
    for vid, v in sorted(state.vacancies.items(), key=lambda kv: (calendar.by_id[kv[1].shift].start, kv[0])):
        eligible = ([(d, names.get(d, d)) for d in eligible_doctors(state, calendar, v.shift)]
                    if is_live(state, v) and v.escalated else [])
        lines.append(_line(vid, v, state, calendar, names, holder=names.get(v.holder, v.holder), reason=v.reason,
                           eligible=sorted(eligible, key=lambda p: (p[1].casefold(), p[0]))))
    return RoundVacancies(period=period, district=district, lines=lines)
