"""Vacancies in Chromium (R-VAC-1..3): on a phone (390×844) a doctor declares one of their shifts
vacant with a reason, one tap from the shift; a colleague who may take it sees it first on their
board and takes it with one tap; the first doctor's page shows who took it. At the desk the
operator sees an escalated vacancy with the assign form offering only eligible doctors, and
assigns it. axe-core finds 0 violations and no English word shows, in each state."""

from __future__ import annotations

from domain.period.calendar import PeriodCalendar
from domain.period.vacancies import eligible_doctors
from tests.web.a11y import assert_accessible
from tests.web.norwegian import assert_norwegian
from tests.web.stack import OPERATOR, email_of, wait_phase
from tests.web.test_browser import sign_in
from tests.web.vacancy_rounds import DAY, published_round

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}
NAMES = {"gp01": "Ingrid Olsen", "gp02": "Ingrid Hagen", "gp03": "Ola Larsen", "gp04": "Tone Pedersen",
         "gp06": "Astrid Bakken", "gp07": "Tor Hansen", "gp09": "Liv Jensen", "gp10": "Marit Jensen",
         "gp11": "Hilde Larsen", "gp12": "Ingrid Andersen", "gp13": "Nils Berg", "gp14": "Nils Haugen",
         "sub01": "Ola Pedersen", "sub02": "Lars Nordmann"}


async def checked(page, state: str) -> None:
    await assert_accessible(page, state)
    await assert_norwegian(page, state)
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"], state


async def test_r_vac_2_declared_on_a_phone_taken_first_by_a_colleague_and_assigned_at_the_desk(web, browser):  # noqa: F811
    period = await published_round(web, alert_hours=2160)  # every January shift is within the lead time
    holder = await sign_in(browser, web, email_of("gp05"), viewport=PHONE)

    # One tap from the held shift, then the reason.
    await holder.goto(f"{web.base_url}/periods/{period}")
    await checked(holder, "the holder's board")
    await holder.click(f"#mine-list [data-shift='{DAY}'] a")
    await holder.wait_for_selector("[data-testid=declare]")
    await checked(holder, "the reason form")
    await holder.fill("#reason", "syk [feber]")
    await holder.click("[data-testid=declare] button[type=submit]")
    await holder.wait_for_selector("[data-testid=outcome]")
    assert "Vakten er meldt ledig" in await holder.inner_text("[data-testid=outcome]")
    assert "syk [feber]" in await holder.inner_text("[data-testid=vacancies-mine]")  # literally
    await checked(holder, "the holder's vacancies, declared")

    # A colleague who may take it: first thing on their board, one tap.
    state = await wait_phase(web, period, lambda s: bool(s.vacancies))
    calendar = PeriodCalendar.from_config(state.require_config())
    colleague = next(d for d in eligible_doctors(state, calendar, DAY) if d in NAMES)
    other = await sign_in(browser, web, email_of(colleague), viewport=PHONE)
    await other.goto(f"{web.base_url}/periods/{period}")
    await other.wait_for_selector("[data-testid=vacancies-open]")
    first = await other.evaluate("() => document.querySelector('main h2').id")
    assert first == "vacancies-heading", first  # before the swaps and the shifts
    assert "Ledige vakter (1)" in await other.inner_text("[data-testid=vacancies-open]")
    await checked(other, "the colleague's board with the vacancy first")
    await other.click(f"[data-testid=vacancies-open] [data-shift='{DAY}'] button")
    await other.wait_for_selector("[data-testid=outcome]")
    assert "Vakten er din nå" in await other.inner_text("[data-testid=outcome]")
    await checked(other, "the colleague's vacancies, taken")
    await wait_phase(web, period, lambda s: s.assignments[DAY].doctor == colleague)

    # The holder's page says who took it.
    await holder.goto(f"{web.base_url}/periods/{period}/vacancies")
    status = await holder.inner_text("[data-testid=vacancies-mine] [data-testid=vacancy-status]")
    assert status == f"Tatt av {NAMES[colleague]}", status
    await checked(holder, "the holder's vacancies, taken by a colleague")

    # The desk: a second vacancy of the holder, escalated at once; assigned to an eligible doctor.
    state = await wait_phase(web, period, lambda s: True)
    second = next(s for s in sorted(state.held_by("gp05")) if s != DAY)
    await holder.goto(f"{web.base_url}/periods/{period}/vacancies/new?shift={second}")
    await holder.fill("#reason", "akutt")
    await holder.click("[data-testid=declare] button[type=submit]")
    await holder.wait_for_selector("[data-testid=outcome]")
    kari = await sign_in(browser, web, OPERATOR[0], viewport=DESK)
    await kari.goto(f"{web.base_url}/operator/periods/{period}")
    await kari.wait_for_selector("[data-testid=vacancies-link]")
    for _ in range(50):  # the escalation is recorded a moment after the declaration
        if await kari.locator("[data-testid=vacancy-alert]").count():
            break
        await kari.wait_for_timeout(200)
        await kari.reload()
    await checked(kari, "the round page with the vacancy alert")
    await kari.click("[data-testid=vacancies-link]")
    await kari.wait_for_selector("[data-testid=assign]")
    await checked(kari, "the desk: an escalated vacancy and a taken one")
    state = await wait_phase(web, period, lambda s: len(s.vacancies) == 2)
    offered = await kari.eval_on_selector_all("[data-testid=assign] option", "os => os.map(o => o.value)")
    assert sorted(offered) == sorted(eligible_doctors(state, calendar, second))
    await kari.fill("[data-testid=assign] input[name=reason]", "ringt og avtalt")
    await kari.click("[data-testid=assign] button[type=submit]")
    await kari.wait_for_selector("[data-testid=outcome]")
    assert await kari.locator("[data-testid=assign]").count() == 0
    assert "Tildelt" in await kari.inner_text("[data-testid=vacancy-table]")
    await checked(kari, "the desk after assigning")


async def test_r_vac_3_the_desk_shows_open_escalated_taken_and_uncovered_vacancies(web_db, browser):  # noqa: F811
    """A round stored with every state of a vacancy (no Temporal: the events as a live round's):
    the desk lists each, alerts on the escalated and the uncovered ones, offers the assign form
    for the escalated one only; the round page carries the alert and the roster marks the
    uncovered shift. axe-core and Norwegian on each page."""
    import json
    from datetime import datetime, timedelta

    from app.identity.accounts import add_account
    from app.registry.districts import import_scenario
    from domain.model import OSLO_TZ
    from domain.period.vacancy_events import VacancyDeclared, VacancyEscalated, VacancyTaken, VacancyUncovered
    from domain.period.state import fold
    from tests.helpers.builders import drive_scenario
    from tests.integration.rounds import EXAMPLE, store_round

    await import_scenario(web_db.services, "demo", EXAMPLE, actor="admin:test")
    await add_account(web_db.services, OPERATOR[0], "operator", OPERATOR[1], actor="admin:test", districts=["demo"])
    outcome = drive_scenario(json.loads(EXAMPLE.read_text()))
    state, calendar = outcome.state, outcome.calendar
    period = state.require_config().period.id
    picked, holders = [], set()
    for shift, held in sorted(state.assignments.items()):
        if held.doctor.startswith("gp") and held.doctor not in holders and eligible_doctors(state, calendar, shift):
            picked.append((shift, held.doctor))
            holders.add(held.doctor)
        if len(picked) == 4:
            break
    at = datetime(2027, 1, 1, 12, tzinfo=OSLO_TZ)
    declared = [VacancyDeclared(vacancy=f"v{i}", shift=s, holder=h, reason=f"syk {i}", escalate_at=at + timedelta(hours=i),
                                offered=3) for i, (s, h) in enumerate(picked)]
    taker = next(d for d in eligible_doctors(state, calendar, picked[2][0]) if d not in holders)
    events = [*outcome.events, *declared,
              VacancyEscalated(vacancy="v0", shift=picked[0][0], lead_hours=48),
              VacancyUncovered(vacancy="v0", shift=picked[0][0], holder=picked[0][1]),
              VacancyEscalated(vacancy="v1", shift=picked[1][0], lead_hours=48),
              VacancyTaken(vacancy="v2", shift=picked[2][0], holder=picked[2][1], doctor=taker)]
    assert {v.status for v in fold(events).vacancies.values()} == {"open", "taken", "uncovered"}
    await store_round((await web_db.services.database()).store, events)

    kari = await sign_in(browser, web_db, OPERATOR[0], viewport=DESK)
    await kari.goto(f"{web_db.base_url}/operator/periods/{period}")
    await kari.wait_for_selector("[data-testid=vacancy-alert]")
    assert await kari.locator("[data-testid=vacancy-uncovered]").count() == 1
    await checked(kari, "the round page with the vacancy alerts")
    await kari.click("[data-testid=vacancies-link]")
    await kari.wait_for_selector("[data-testid=vacancy-table]")
    statuses = await kari.eval_on_selector_all("[data-testid=vacancy-table] tbody tr", "rs => rs.map(r => r.dataset.status)")
    assert sorted(statuses) == ["open", "open", "taken", "uncovered"]
    assert await kari.locator("[data-testid=assign]").count() == 1  # the escalated, open one only
    assert await kari.locator(f"[data-testid=vacancy-table] tr[data-shift='{picked[0][0]}'] b").inner_text() == "Udekket"
    await checked(kari, "the desk: open, escalated, taken and uncovered")
    await kari.goto(f"{web_db.base_url}/operator/periods/{period}/roster")
    await kari.wait_for_selector(f"[data-shift='{picked[0][0]}'].uncovered")
    await checked(kari, "the roster with the uncovered vacancy marked")
