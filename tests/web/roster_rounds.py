"""Published rounds of the sample district for the roster and fairness tests: the registry
imported (names), the sample operator's account, and two rounds driven by the pure domain
decisions (no Temporal) and stored as a live round's events — the half-year before the sample's
with only the lottery, and the sample's own with its picks, claims, draws and one swap after
publication (R-SWAP-1), so every column of the fairness ledger and the history has something."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from app.bootstrap import Services
from app.demo.samples import SAMPLE_DISTRICT, SAMPLE_DISTRICT_NAME, SAMPLE_OPERATOR, SAMPLE_PATH, sample_roll
from app.identity.accounts import add_account
from domain.clock import oslo_today
from domain.model import OSLO_TZ
from domain.period.events import SwapAccepted, SwapOffered
from domain.period.state import fold
from domain.registry.records import RegistryImport
from tests.helpers.builders import drive, drive_scenario
from tests.integration.rounds import store_round

CURRENT = "mosse-2027-h1"
PREVIOUS = "mosse-2026-h2"


def _previous_config(config):
    """The half-year before: the same doctors and template, dated July–December 2026."""
    shift = config.period.start - date(2026, 7, 6)  # a Monday, like the sample's first day
    dates = config.period.model_copy(update={
        "id": PREVIOUS, "start": config.period.start - shift, "end": date(2026, 12, 27),
        "wishes_due": config.period.wishes_due - shift, "meeting_at": config.period.meeting_at - shift,
        "offering_closes": config.period.offering_closes - shift,
    })
    return config.model_copy(update={"period": dates})


def with_a_swap(events):
    """After publication, the first drawn shift is given to a colleague who holds no shift that
    day (R-SWAP-1): one swap out, one swap in."""
    state = fold(events)
    drawn = next(s for s, a in state.assignments.items() if a.source.value == "lottery")
    giver = state.assignments[drawn].doctor
    day = drawn[:10]
    busy = {a.doctor for s, a in state.assignments.items() if s[:10] == day}
    receiver = next(d.id for d in state.require_config().doctors if d.role.value == "gp" and d.id not in busy | {giver})
    expires = datetime(2027, 1, 1, 12, tzinfo=OSLO_TZ)
    return [*events, SwapOffered(swap="swap-1", shift=drawn, giver=giver, receiver=receiver, expires_at=expires),
            SwapAccepted(swap="swap-1", shift=drawn, giver=giver, receiver=receiver)], (drawn, giver, receiver)


async def store_sample_rounds(services: Services) -> dict:
    db = await services.database()
    roll = sample_roll(date(2027, 1, 1))
    await db.registry.import_district(SAMPLE_DISTRICT, RegistryImport(doctors=roll, name=SAMPLE_DISTRICT_NAME),
                                      actor="admin:test", today=oslo_today(services.clock))
    await add_account(services, SAMPLE_OPERATOR[0], "operator", SAMPLE_OPERATOR[1], actor="admin:test",
                      districts=[SAMPLE_DISTRICT])
    current = drive_scenario(json.loads(SAMPLE_PATH.read_text()))
    previous = drive(_previous_config(current.config), seed=2026)
    await store_round(db.store, previous.events, at=datetime.now(OSLO_TZ) - timedelta(days=200))
    events, swap = with_a_swap(current.events)
    await store_round(db.store, events)
    return {"current": CURRENT, "previous": PREVIOUS, "swap": swap, "roll": roll, "events": events,
            "operator": SAMPLE_OPERATOR}
