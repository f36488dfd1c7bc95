"""The doctor's home page (web/templates/home.html): periods by title and phase in words, no ids
shown; the calendar as a tappable webcal link with a copy button and short steps; renewing the
link is secondary, warns that the old subscription stops, and asks for a confirmation."""

from __future__ import annotations

import re
from datetime import date, timedelta

from domain.period.events import MeetingOpened, PeriodOpened, RosterPublished, ShiftTaken, Source
from domain.period.quota import QuotaSnapshot
from tests.integration.rounds import example_config, store_round
from tests.web.stack import email_of
from tests.web.test_identity import _registry

HTML = {"Accept": "text/html"}


async def _half_year(stack, period: str) -> None:
    config = example_config(period, meeting_in=timedelta(days=2))
    config = config.model_copy(update={"period": config.period.model_copy(
        update={"start": date(2027, 1, 1), "end": date(2027, 6, 30)})})
    await store_round((await stack.services.database()).store, [
        PeriodOpened(config=config),
        MeetingOpened(quota=QuotaSnapshot(base=2, shared=10, participants=5, per_doctor={"gp04": 2})),
        ShiftTaken(shift="2027-03-27/night", doctor="gp04", source=Source.OFFERING),
        RosterPublished(assigned=1, uncovered=0, unsafe=[]),
    ])


async def test_periods_by_title_and_the_calendar_as_a_link_to_tap(web_db):
    await _registry(web_db)
    await _half_year(web_db, "home-h1")
    gp04 = await web_db.sign_in(email_of("gp04"))
    home = await gp04.get("/", headers=HTML)
    assert home.status_code == 200
    assert "1. halvår 2027 – Testdistrikt legevakt" in home.text and "Fase: publisert" in home.text
    shown = re.sub(r'href="[^"]*"', "", home.text)
    assert "home-h1" not in shown and "gp04" not in shown and "demo" not in shown
    assert "Kalenderadressen" not in home.text and "Lag kalenderlenke" in home.text  # no link yet
    assert "1st half of 2027" in (await gp04.get("/?lang=en", headers=HTML)).text

    url = (await gp04.post("/api/me/calendar", json={})).json()["url"]
    home = await gp04.get("/?lang=nb", headers=HTML)
    webcal = url.replace("http://", "webcal://")
    assert f'href="{webcal}"' in home.text and "Abonner i kalenderen" in home.text
    assert f'data-copy="{url}"' in home.text and "Kopier lenken" in home.text and '/static/calendar.js' in home.text
    assert f'readonly value="{url}"' in home.text  # the fallback: the address to copy by hand
    assert home.text.count('<details class="steps">') == 3 and "iPhone" in home.text and "Google Kalender" in home.text
    renew = re.search(r'<form class="inline" method="post" action="/calendar-link/renew"([^>]*)>.*?</form>', home.text)
    assert 'data-confirm="Det gamle kalenderabonnementet slutter å virke' in renew.group(1)
    assert '<button class="secondary" type="submit">Lag ny lenke</button>' in renew.group(0)
    assert "det gamle abonnementet slutter å virke" in home.text
    script = await gp04.get("/static/calendar.js")
    assert script.status_code == 200 and "clipboard" in script.text
