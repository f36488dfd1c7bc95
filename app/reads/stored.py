"""Read use cases over the stored events alone (no Temporal): roster, verify, explain.

A period is looked up among the live periods first, then among the simulations, which live in
their own schema (adapters/postgres/schema.py); the answer says which.
"""

from __future__ import annotations

from pydantic import BaseModel

from adapters.drand import signature_valid
from adapters.postgres.chain import ChainReport, verify_chain
from adapters.postgres.event_store import EventStore
from app.bootstrap import Services
from app.errors import NotFound
from app.validate import doctor_id, period_id
from domain.lottery.audit import VerifyReport, verify_lottery
from domain.lottery.beacon import SeedCheck, check_seed
from domain.period.calendar import PeriodCalendar
from domain.period.events import DomainEvent, parse_event
from domain.lottery.explain import Explanation, RejectedAction, explain_doctor
from domain.period.roster import roster_document
from domain.period.state import fold, lottery_draws


class StoredPeriod(BaseModel):
    model_config = {"arbitrary_types_allowed": True}

    period: str
    simulated: bool
    events: list[DomainEvent]


async def store_of(services: Services, period: str) -> tuple[EventStore, bool]:
    """The store holding the period: (store, simulated). NotFound when neither has it."""
    live = await services.database()
    if await live.store.stream_kind(period) is not None:
        return live.store, False
    simulation = await services.simulation_database()
    if await simulation.store.stream_kind(period) is not None:
        return simulation.store, True
    raise NotFound(f"no period {period!r} in the database ({live.urls.redacted()})")


async def stored_period(services: Services, period: str) -> StoredPeriod:
    period = period_id(period)
    store, simulated = await store_of(services, period)
    events = [parse_event(e.data) for e in await store.read_stream(period)]
    return StoredPeriod(period=period, simulated=simulated, events=events)


async def roster(services: Services, period: str) -> dict:
    """The roster document (docs/scenario-format.md's result), folded from the stored events."""
    stored = await stored_period(services, period)
    state = fold(stored.events)
    return roster_document(state, PeriodCalendar.from_config(state.require_config()), lottery_draws(stored.events))


class Verification(BaseModel):
    """`vakt verify`: the hash chain of the log (tamper evidence) and every lottery draw
    recomputed from the stored events (R-LOT-4)."""

    period: str
    ok: bool
    chain: ChainReport
    lottery: VerifyReport
    seed: SeedCheck | None = None  # R-LOT-5: where the seed came from, checked


async def verify(services: Services, period: str) -> Verification:
    period = period_id(period)
    store, _ = await store_of(services, period)
    chain = verify_chain(period, await store.read_chain(period))
    events = [parse_event(e.data) for e in await store.read_stream(period)]
    lottery = verify_lottery(events)
    held = lottery.seed is not None  # a round before its lottery has no draws to check yet
    seed = check_seed(events, signature_valid)  # R-LOT-5: the beacon's signature, or the secret
    ok = chain.ok and (lottery.ok or not held) and seed.ok
    return Verification(period=period, ok=ok, chain=chain, lottery=lottery, seed=seed)


async def explain(services: Services, period: str, doctor: str) -> Explanation:
    period, doctor = period_id(period), doctor_id(doctor)
    store, simulated = await store_of(services, period)
    db = await (services.simulation_database() if simulated else services.database())
    events = [parse_event(e.data) for e in await store.read_stream(period)]
    rejected = [RejectedAction(**r) for r in await db.rejections.for_doctor(period, doctor)]
    try:
        return explain_doctor(events, doctor, rejected)
    except LookupError as e:
        raise NotFound(str(e)) from None
