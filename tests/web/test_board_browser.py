"""The doctor's board on a phone (390×844) in Chromium, with its script: a claim in a later
week keeps the scroll position, the visible week and the filters; a claim someone else won
first shows a Norwegian refusal by the shift, naming no colleague; the sample's January opens
with the standing line and shifts to take, and fits three screens with the blocked ones folded."""

from __future__ import annotations

import uuid

from app.demo.samples import SAMPLE_DISTRICT_NAME, sample_doctor, sample_roll, sample_trial_round, start_sample_round
from domain.clock import oslo_today
from domain.district import DistrictPolicy, trial_round_dates
from domain.registry.records import RegistryImport
from domain.model import Phase
from tests.web.a11y import assert_accessible
from tests.web.stack import close_until, email_of, start_example_period, wait_phase
from tests.web.test_browser import sign_in

PHONE = {"width": 390, "height": 844}
WEEK_AT_TOP = """() => {
  const weeks = [...document.querySelectorAll('.week')];
  const seen = weeks.filter(w => w.getBoundingClientRect().bottom > 60);
  return seen.length ? seen[0].id : null;
}"""


async def _later_week_button(page):
    """The last take-button of the second week, scrolled to the middle of the screen."""
    button = page.locator("#uke-2027-02 form.take button").last
    shift = await button.locator("xpath=ancestor::form").get_attribute("data-shift")
    await button.evaluate("b => b.scrollIntoView({block: 'center'})")
    await page.wait_for_timeout(100)
    return button, shift


async def test_a_claim_in_a_later_week_keeps_the_place_and_a_lost_race_says_why(web, browser):  # noqa: F811
    period = await start_example_period(web)
    await close_until(web, period, Phase.OFFERING)
    board = f"{web.base_url}/periods/{period}?kind=night"

    page = await sign_in(browser, web, email_of("gp04"), viewport=PHONE)
    await page.goto(board)
    button, shift = await _later_week_button(page)
    before = await page.evaluate("() => window.scrollY")
    week = await page.evaluate(WEEK_AT_TOP)
    assert before > 100 and week is not None
    await button.click()
    await page.wait_for_selector(f"#mine-list [data-shift='{shift}']")
    assert abs(await page.evaluate("() => window.scrollY") - before) <= 4
    assert await page.evaluate(WEEK_AT_TOP) == week
    assert await page.eval_on_selector("#kind", "s => s.value") == "night"
    assert "kind=night" in page.url
    assert await page.locator(f"[data-live] [data-shift='{shift}']").count() == 0  # moved out of the live list
    await page.wait_for_function("() => document.getElementById('board-status').textContent.startsWith('Registrert')")
    await assert_accessible(page, "the board after a claim in a later week, filtered")
    await wait_phase(web, period, lambda s: shift in s.assignments)

    # A second doctor's page, open before a colleague takes the shift they then press.
    other = await sign_in(browser, web, email_of("sub02"), viewport=PHONE)
    await other.route("**/live?*", lambda route: route.abort())  # a stale page: its live stream is cut
    await other.goto(board)
    target, contested = await _later_week_button(other)
    colleague = await web.sign_in(email_of("gp05"))
    taken = await colleague.post(f"/periods/{period}/act", data={
        "verb": "claim", "shift": contested, "csrf": colleague.headers["X-CSRF-Token"]})
    assert taken.status_code == 303 and "done=" in taken.headers["location"]
    await target.click()
    note = other.locator("p.refusal")
    await note.wait_for()
    said = await note.text_content()
    assert "Allerede tatt" in said and "R-PROC-7" in said and "gp05" not in said
    assert "gp05" not in await other.content()
    await other.wait_for_function("() => document.getElementById('board-status').textContent.startsWith('Avvist')")
    await assert_accessible(other, "the board after a lost race")


async def test_the_samples_january_on_a_phone(web, browser):  # noqa: F811
    # The sample district as `vakt dev` imports it (app.demo.samples), under a district id of its
    # own: the sample's round starter has a fixed workflow id per district, and another test
    # (test_sample_round) starts the sample's own on the same Temporal server.
    district = f"mosse{uuid.uuid4().hex[:4]}"
    dates = trial_round_dates(district, web.services.clock.now(), DistrictPolicy().rounds)
    roll = sample_trial_round(sample_roll(dates.start), dates)
    db = await web.services.database()
    await db.registry.import_district(district, RegistryImport(doctors=roll, name=SAMPLE_DISTRICT_NAME),
                                      actor="system:test", today=oslo_today(web.services.clock))
    started = await start_sample_round(web.services, district, dates)
    assert started.outcome == "started", started.outcome
    period = web.period = started.period_id
    await wait_phase(web, period, lambda s: s.opened)

    page = await sign_in(browser, web, sample_doctor(roll).email, viewport=PHONE)
    await page.goto(f"{web.base_url}/periods/{period}")
    standing = await page.locator("[data-testid=standing]").bounding_box()
    assert standing["y"] + standing["height"] <= PHONE["height"]
    assert (await page.text_content("[data-testid=standing]")).startswith("Du har 0")
    boxes = [await b.bounding_box() for b in await page.locator("form.take button").all()]
    assert sum(1 for b in boxes if b["y"] + b["height"] <= PHONE["height"]) >= 3
    assert len(boxes) > 60  # the month's shifts are there, not hidden
    height = await page.evaluate("() => document.documentElement.scrollHeight")
    assert height <= 3 * PHONE["height"], height
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert await page.locator("select[data-autosubmit]").count() == 0  # WCAG 3.2.2: paging by links
    await assert_accessible(page, "the sample's January, nothing taken yet")

    # Each button names its shift, its visible words inside its name (WCAG 2.5.3); the keyboard
    # reaches the first shift in three presses: the skip link, Enter, Tab.
    named = page.get_by_role("button", name=f"Ønsk: Kveld 16–23 · fre 1. jan, {SAMPLE_DISTRICT_NAME}", exact=True)
    assert await named.count() == 1
    await page.keyboard.press("Tab")
    assert await page.evaluate("() => document.activeElement.className") == "skip"
    await page.keyboard.press("Enter")
    await page.keyboard.press("Tab")
    assert await page.evaluate("() => document.activeElement.closest('form.take') !== null")
