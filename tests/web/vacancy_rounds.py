"""A published round of the example district for the vacancy tests (R-VAC-1..3), with the
district's lead time as the test needs it: 2,160 hours puts a January shift inside it at once, so
a vacancy is escalated as soon as it is declared (a dev server's clock cannot be skipped)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from app.identity.accounts import add_account
from app.periods.live import start_period
from app.registry.districts import import_scenario
from domain.model import Phase
from tests.integration.rounds import EXAMPLE, example_config
from tests.web.stack import OPERATOR, Stack, close_until, email_of, wait_phase

DAY = "2027-01-09/day"  # gp05 claims it in the offering: a shift they surely hold


async def published_round(web: Stack, *, alert_hours: float = 48.0) -> str:
    services = web.services
    await import_scenario(services, "demo", EXAMPLE, actor="admin:test")
    await add_account(services, OPERATOR[0], "operator", OPERATOR[1], actor="admin:test", districts=["demo"])
    period = f"web-{uuid.uuid4().hex[:6]}"
    config = example_config(period, meeting_in=timedelta(seconds=3))
    policy = config.district.policy.model_copy(update={"vacancy_alert_hours": alert_hours})
    config = config.model_copy(update={"district": config.district.model_copy(update={"policy": policy})})
    await start_period(services, config, started_by="operator:test")
    await wait_phase(web, period, lambda s: s.opened)
    web.period = period
    await close_until(web, period, Phase.OFFERING)
    gp05 = await web.sign_in(email_of("gp05"))
    answer = await gp05.post(f"/api/periods/{period}/actions", json={"verb": "claim", "shift": DAY})
    assert answer.status_code == 200 and answer.json()["accepted"], answer.text
    kari = await web.sign_in(OPERATOR[0])
    assert (await kari.post(f"/api/operator/rounds/{period}/close", json={"reason": "ferdig"})).status_code == 200
    await wait_phase(web, period, lambda s: s.phase is Phase.PUBLISHED)
    return period
