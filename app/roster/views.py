"""The operator's roster reads: one round's roster with people named by name, its fairness
ledger, the same across the district's rounds, the payroll, the lottery's check and each draw.

Every use case first checks that the signed-in operator serves the round's district
(app.identity.access.serving_period): another district's round is refused, simulations are not
served. Names come from the district's registry (numbered when two share one, as on the swap
pages); a doctor no longer on the roll is shown by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.bootstrap import Services
from app.errors import NotFound
from app.identity.access import serving_period
from app.reads import stored
from app.reads.swap_views import labels
from app.roster.source import RoundSource, round_source
from app.validate import doctor_id as valid_doctor_id
from domain.identity import Principal
from domain.lottery.explain import Explanation
from domain.period.events import LotteryDrawn
from domain.period.ledger import Standing, payroll, standings
from domain.period.roster import over_cap


@dataclass
class RoundRoster:
    """A round as the roster pages and exports show it."""

    source: RoundSource
    district: str
    district_name: str
    names: dict[str, str]  # doctor id → the name shown (numbered when two share a name)

    @property
    def period(self) -> str:
        return self.source.period

    @property
    def start(self) -> date:
        return self.source.state.require_config().period.start

    @property
    def end(self) -> date:
        return self.source.state.require_config().period.end

    def name(self, doctor: str | None) -> str:
        return "" if doctor is None else self.names.get(doctor, doctor)


async def _names(services: Services, district: str, doctors: list[str]) -> tuple[str, dict[str, str]]:
    db = await services.database()
    stored_district = await db.registry.district(district)
    on_roll = await db.registry.doctors(district, as_of=None)
    names = {doctor: label for label, doctor in labels([(d.id, d.name) for d in on_roll]).items()}
    for doctor in doctors:
        names.setdefault(doctor, doctor)
    return (stored_district.record.name if stored_district else district), names


async def round_roster(services: Services, principal: Principal | None, period: str) -> RoundRoster:
    _, district = await serving_period(services, principal, period)
    source = await round_source(services, period)
    config = source.state.require_config()
    district_name, names = await _names(services, district, [d.id for d in config.doctors])
    return RoundRoster(source=source, district=district, district_name=district_name or config.district.name,
                       names=names)


async def fairness(services: Services, principal: Principal | None, period: str) -> tuple[RoundRoster, list[Standing]]:
    """The round and its ledger: one line per doctor of the period."""
    roster = await round_roster(services, principal, period)
    s = roster.source
    return roster, standings(s.state, s.calendar, s.events)


def over_cap_of(roster: RoundRoster) -> tuple[int | None, list[tuple[str, dict]]]:
    """R-LOAD-3: the weekly cap and every window above it, as (doctor, window), by name."""
    cap, report = over_cap(roster.source.state, roster.source.calendar)
    rows = [(doctor, w) for doctor, windows in report.items() for w in windows]
    return cap, sorted(rows, key=lambda r: (roster.name(r[0]).casefold(), r[0], r[1]["first"]))


async def payroll_of(services: Services, principal: Principal | None, period: str):
    """The round and its payroll: doctor → month → (shifts worked, points)."""
    roster = await round_roster(services, principal, period)
    return roster, payroll(roster.source.state, roster.source.calendar)


@dataclass
class PastRound:
    period: str
    start: date
    end: date
    phase: str
    standings: dict[str, Standing]


async def history(services: Services, principal: Principal | None, period: str) -> tuple[RoundRoster, list[PastRound]]:
    """The district's rounds up to and including this one (not cancelled), oldest first, each
    with its ledger from the event store: fairness across the years (R-LOAD-1)."""
    roster = await round_roster(services, principal, period)
    rows = await (await services.database()).projections.district_rounds(roster.district)
    found = []
    for row in sorted(rows, key=lambda r: r["period_start"]):
        if row["phase"] == "cancelled" or row["period_start"] > roster.start:
            continue
        s = await round_source(services, row["stream_id"])
        if s.state.config is None or s.state.simulated:
            continue
        found.append(PastRound(period=s.period, start=row["period_start"], end=row["period_end"], phase=row["phase"],
                               standings={r.doctor: r for r in standings(s.state, s.calendar, s.events)}))
    for past in found:
        for doctor in past.standings:
            roster.names.setdefault(doctor, doctor)
    return roster, found


async def draw(services: Services, principal: Principal | None, period: str, number: int) -> tuple[RoundRoster, LotteryDrawn]:
    roster = await round_roster(services, principal, period)
    found = roster.source.draws.get(number)
    if found is None:
        raise NotFound(f"draw: no draw #{number} in {roster.period}")
    return roster, found


async def verify(services: Services, principal: Principal | None, period: str) -> stored.Verification:
    """`vakt verify`: the log's hash chain and every draw recomputed from the stored events."""
    await serving_period(services, principal, period)
    return await stored.verify(services, period)


async def explain(services: Services, principal: Principal | None, period: str, doctor: str) -> Explanation:
    """`vakt explain` for one doctor of the round."""
    await serving_period(services, principal, period)
    return await stored.explain(services, period, valid_doctor_id(doctor, "doctor"))
