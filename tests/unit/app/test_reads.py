"""Reads over the stored events alone: the roster, and a period nobody stored."""

from __future__ import annotations

import pytest

from app.errors import NotFound
from app.reads.stored import roster, stored_period
from domain.period.calendar import PeriodCalendar
from domain.period.roster import roster_document
from domain.period.state import lottery_draws
from tests.helpers.builders import drive, gp, make_config, staff


async def test_the_roster_is_folded_from_the_stored_events(services):
    config = make_config([gp("gp01"), gp("gp02"), staff("st01")])
    outcome = drive(config, seed=7)
    (await services.database()).store.add_stream(config.period.id, outcome.events)
    document = await roster(services, config.period.id)
    assert document == roster_document(outcome.state, PeriodCalendar.from_config(config), lottery_draws(outcome.events))
    stored = await stored_period(services, config.period.id)
    assert not stored.simulated and len(stored.events) == len(outcome.events)


async def test_a_simulated_period_says_so(services):
    config = make_config([gp("gp01"), gp("gp02")])
    outcome = drive(config, seed=3)
    services.simulation_db.store.add_stream(config.period.id, outcome.events)
    assert (await stored_period(services, config.period.id)).simulated


async def test_a_period_nobody_stored_is_not_found(services):
    with pytest.raises(NotFound):
        await roster(services, "2027-h1-nowhere")
