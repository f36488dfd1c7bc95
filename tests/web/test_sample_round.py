"""`vakt dev`'s sample round, dated from today, and reads that show the writer's own action.

The sample district is imported and its round started as `vakt dev` does (app.demo.samples) on a
Temporal dev server with a worker: the round waits for its meeting with every deadline ahead,
and the sample doctor — away on a course on the meeting's day (R-MEET-1) — gives an advance
wish (R-MEET-2) in Chromium. An operator who extends a deadline or closes a phase sees it in the
round's events at once, on the page and through the API, however busy the machine.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from app.demo.samples import ensure_sample_district, start_sample_round
from domain.model import OSLO_TZ, Phase
from tests.web.stack import OPERATOR, close_until, start_example_period, wait_phase
from tests.web.test_browser import sign_in


async def test_the_sample_doctor_gives_an_advance_wish_in_the_browser(web, browser):  # noqa: F811
    sample = await ensure_sample_district(web.services)
    started = await start_sample_round(web.services, sample["district"], sample["dates"])
    assert started.outcome == "started", started.outcome
    period = web.period = started.period_id
    state = await wait_phase(web, period, lambda s: s.opened)
    now = datetime.now(OSLO_TZ)
    assert state.phase is Phase.MEETING and not state.meeting_open
    assert now < state.require_config().period.wishes_due < state.require_config().period.meeting_at

    page = await sign_in(browser, web, sample["doctor"])
    await page.goto(f"{web.base_url}/periods/{period}/wishes")  # the invitation's link
    first = page.locator("[data-live] form.take button").first
    shift = await first.locator("xpath=ancestor::form").get_attribute("data-shift")
    await first.click()  # given in place (web/static/board.js)
    await page.wait_for_selector(f"[data-testid=my-shifts] [data-shift='{shift}']")
    state = await wait_phase(web, period, lambda s: shift in s.assignments)
    assert state.assignments[shift].source.value == "advance_wish"


async def test_an_operators_steering_shows_in_the_rounds_events_at_once(web):
    period = await start_example_period(web)
    await close_until(web, period, Phase.OFFERING)
    kari = await web.sign_in(OPERATOR[0])
    csrf = kari.headers["X-CSRF-Token"]
    for n in range(1, 6):
        until = (datetime.now(OSLO_TZ) + timedelta(days=4 + n)).strftime("%Y-%m-%dT%H:%M")
        answer = await kari.post(f"/operator/periods/{period}/extend",
                                 data={"csrf": csrf, "until": until, "reason": f"forlenget {n}"})
        assert answer.status_code == 303, answer.text
        target = answer.headers["location"]
        version = int(parse_qs(urlsplit(target).query)["v"][0])
        assert version > 0
        # The page the browser is sent to shows the extension, whatever the append's delay.
        shown = await kari.get(target)
        assert shown.status_code == 200 and f"forlenget {n}" in shown.text and "DeadlineExtended" in shown.text

    # Through the API: the answer's version, asked for, is the last event of the page.
    extended = await kari.post(f"/api/operator/rounds/{period}/extend",
                               json={"until": (datetime.now(OSLO_TZ) + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
                                     "reason": "siste forlengelse"})
    assert extended.status_code == 200, extended.text
    version = extended.json()["version"]
    page = await kari.get(f"/api/operator/rounds/{period}/events",
                          params={"at_least": version, "after_version": version - 1})
    events = page.json()["events"]
    assert [(e["version"], e["type"]) for e in events] == [(version, "DeadlineExtended")]
