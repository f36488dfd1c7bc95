"""The doctor's page and the doctor's JSON reads: their periods and, for one period,
their board (domain.period.doctor_board), folded from the stored events (no Temporal needed).

After an action the caller may ask for `at_least` a version: the read then waits (briefly) until
the workflow has stored it, so a page shown right after a claim shows the claim.
"""

from __future__ import annotations


from pydantic import BaseModel

from app.identity.access import doctor_district, own_doctor, period_district, signed_in
from app.bootstrap import Services
from app.errors import BadInput
from app.validate import period_id as valid_period_id
from domain.period.doctor_board import DoctorBoard, doctor_board
from domain.identity import Principal
from domain.clock import oslo_now, oslo_today
from domain.period.state import PeriodState
from domain.period.view import PeriodView

STORE_WAIT = 3.0  # seconds to wait for an accepted action to be stored


class PeriodLink(BaseModel):
    period: str
    district: str
    phase: str
    start: str
    end: str
    district_name: str = ""  # for the period's title on a page ("1. halvår 2027 – Mosseregionen")


class Colleague(BaseModel):
    doctor: str
    name: str


async def period_view(services: Services, period: str, at_least: int = 0) -> PeriodView | None:
    """The live period's state and its lookups, from this process's read model (waiting for
    `at_least`); None before the period is stored and opened."""
    db = await services.database()
    folded = await services.reads.folded(db.store, period, at_least=max(at_least, 1), wait=STORE_WAIT)
    if folded is None or folded.calendar is None:
        return None
    return folded.view


async def period_state(services: Services, period: str, at_least: int = 0) -> PeriodState:
    """The live period's state, folded from its stored events (waiting for `at_least`)."""
    view = await period_view(services, period, at_least)
    return view.state if view is not None else PeriodState()


async def my_periods(services: Services, principal: Principal | None) -> list[PeriodLink]:
    """The live rounds of every district the doctor is on the roll of, newest first."""
    principal = signed_in(principal)
    db = await services.database()
    reader = db.projections
    found = []
    for ref in principal.doctors:
        stored = await db.registry.district(ref.district)
        district_name = stored.record.name if stored else ref.district
        for row in await reader.district_rounds(ref.district):
            status = await reader.status_row(row["stream_id"])
            if status and not status["simulated"] and row["phase"] != "cancelled":
                found.append(PeriodLink(
                    period=row["stream_id"], district=ref.district, phase=row["phase"],
                    start=str(row["period_start"]), end=str(row["period_end"]), district_name=district_name,
                ))
    return found


def _month(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if len(value) != 7 or value[4] != "-" or not (value[:4] + value[5:]).isdigit():
        raise BadInput("month: not a month (YYYY-MM)")
    return value


async def board(
    services: Services, principal: Principal | None, period: str, *, month: str | None = None, at_least: int = 0,
    kind: str | None = None, day: str | None = None, about: str | None = None,
) -> DoctorBoard:
    """The signed-in doctor's view of one period (filtered by `kind`/`day`: an unknown value
    means no filter, so an old or hand-edited link still shows the board)."""
    period = valid_period_id(period, "period")
    district = await period_district(services, period)
    doctor = own_doctor(principal, district)
    view = await period_view(services, period, at_least)
    if view is None:
        PeriodState().require_config()  # not opened yet: as a read of an empty fold always said
    return doctor_board(view.state, view.calendar, doctor, oslo_now(services.clock), _month(month), kind=kind,
                        day=day, about=about, view=view)


async def colleagues(services: Services, principal: Principal | None, period: str) -> list[Colleague]:
    """The other doctors of the period's district (id and name), to name in a swap offer."""
    district = await period_district(services, period)
    me = own_doctor(principal, district)
    doctors = await (await services.database()).registry.doctors(district, as_of=oslo_today(services.clock))
    return [Colleague(doctor=d.id, name=d.name) for d in doctors if d.id != me and d.role.value != "staff"]


async def my_district(principal: Principal | None, district: str | None = None) -> tuple[str, str]:
    return await doctor_district(principal, district)
