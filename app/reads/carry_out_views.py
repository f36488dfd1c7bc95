"""What the operator's carry-out form offers (R-SWAP-2): the district's doctors by name, and
for the chosen giver their shifts that have not started — read from the kept read model."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from app.bootstrap import Services
from app.errors import NotFound
from app.identity.access import serving_period
from app.reads.doctor_views import period_view
from app.reads.meeting_views import distinct_names
from app.validate import doctor_id as valid_doctor_id
from domain.clock import oslo_now
from domain.model import OSLO_TZ, Phase


class HeldShift(BaseModel):
    shift: str
    name: str
    start: datetime
    end: datetime


class CarryOutChoices(BaseModel):
    published: bool
    doctors: list[tuple[str, str]]  # (id, name), by name; staff doctors left out (R-PROC-2)
    giver: str | None = None
    giver_name: str | None = None
    shifts: list[HeldShift] = []  # the giver's shifts not yet started


async def carry_out_choices(services: Services, principal, period: str, giver: str | None) -> CarryOutChoices:
    _, district = await serving_period(services, principal, period)
    view = await period_view(services, period)
    if view is None:
        raise NotFound(f"no period {period!r}")
    roll = await (await services.database()).registry.doctors(district)
    names = distinct_names({d.id: d.name for d in roll if d.role.value != "staff"})
    doctors = sorted(names.items(), key=lambda pair: (pair[1].casefold(), pair[0]))
    choices = CarryOutChoices(published=view.state.phase is Phase.PUBLISHED, doctors=doctors)
    if giver:
        giver = valid_doctor_id(giver, "giver")
        now = oslo_now(services.clock)
        held = sorted((view.calendar.by_id[s] for s in view.state.held_by(giver)), key=lambda s: (s.start, s.id))
        choices.giver, choices.giver_name = giver, names.get(giver, giver)
        choices.shifts = [HeldShift(shift=s.id, name=s.name, start=s.start.astimezone(OSLO_TZ),
                                    end=s.end.astimezone(OSLO_TZ)) for s in held if s.start > now]
    return choices
