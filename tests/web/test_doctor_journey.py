"""A GP's whole journey on a phone (390×844, Chromium), in Norwegian, checked at every state
with axe-core (WCAG 2.1 A/AA and best practices: 0 violations) and for English words:

signed out → a deep link through sign-in → the board before the meeting → home and the calendar
→ the offering's board, filtered, after a claim, after a refusal (a page without its script:
post-redirect-get) → details and requests, with their errors → the published board, the swaps
page, the offer flow and its confirmation, an offer received. The screenshots of each state go to
the test's temporary folder, or to `VAKT_SCREENSHOTS` (the README's come from
`VAKT_SCREENSHOTS=docs/screenshots`)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from domain.model import Phase
from tests.web.a11y import assert_accessible
from tests.web.norwegian import ENGLISH, RULE_ID, english_words
from tests.web.stack import close_until, email_of, start_example_period, wait_phase
from tests.web.test_browser import sign_in, sign_in_context

PHONE = {"width": 390, "height": 844}


class Journey:
    def __init__(self, page, screenshots: Path) -> None:
        self.page, self.screenshots, self.states = page, screenshots, []

    async def check(self, state: str, *, shot: str | None = None) -> None:
        """axe-core's 0 violations, no English word and no sideways scroll on this state."""
        await assert_accessible(self.page, state, self.states)
        assert await self.page.evaluate("() => document.documentElement.lang") == "nb", state
        english = await english_words(self.page)
        assert not english, f"{state}: English on a Norwegian page: {english}"
        assert await self.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), state
        if shot:
            await self.page.screenshot(path=str(self.screenshots / f"{shot}.png"))


async def test_a_gps_journey_in_norwegian_passes_axe_at_every_state(web, browser, tmp_path):  # noqa: F811
    screenshots = Path(os.environ.get("VAKT_SCREENSHOTS") or tmp_path)
    screenshots.mkdir(parents=True, exist_ok=True)
    period = await start_example_period(web)
    board = f"{web.base_url}/periods/{period}"

    # Signed out: the invitation's link leads through sign-in to the board.
    context = await browser.new_context(viewport=PHONE, locale="nb-NO")
    page = await context.new_page()
    journey = Journey(page, screenshots)
    await page.goto(f"{board}/wishes")
    await journey.check("sign-in", shot="phone-1-sign-in")
    await page.fill("#email", email_of("gp04"))
    await page.click("form[action='/sign-in'] button[type=submit]")
    await page.wait_for_selector("[data-testid=message]")
    await journey.check("sign-in: link sent")
    await page.goto(await web.link_for(email_of("gp04")))
    await journey.check("sign-in: confirm the link")
    await page.click("[data-testid=confirm]")
    await page.wait_for_url(re.compile(rf".*/periods/{period}/wishes$"))
    await journey.check("board before the meeting (no action yet)", shot="phone-2-before-meeting")

    await page.goto(web.base_url + "/")
    await journey.check("home")
    await page.click("form[action='/calendar-link/renew'] button")
    await page.wait_for_selector("[data-testid=webcal]")
    assert (await page.get_attribute("[data-testid=webcal]", "href")).startswith("webcal://")
    await journey.check("home with a calendar link", shot="phone-3-home")

    # The offering: the board, a filter, a claim, and a refusal on a page without its script.
    await close_until(web, period, Phase.OFFERING)
    await page.goto(board)
    await journey.check("offering: the board", shot="phone-4-board")
    standing = await page.text_content("[data-testid=standing]")
    assert standing.startswith("Du har") and "vakter" in standing
    await page.select_option("#kind", "night")
    await page.click("form.filters button[type=submit]")
    await page.wait_for_url(re.compile(r".*kind=night.*"))
    await journey.check("offering: nights only")
    button = page.locator("[data-live] form.take button").nth(3)
    shift = await button.locator("xpath=ancestor::form").get_attribute("data-shift")
    await button.click()
    await page.wait_for_selector(f"#mine-list [data-shift='{shift}']")
    await journey.check("offering: after a claim", shot="phone-5-claimed")
    await page.goto(board)  # every kind: the night taken blocks the backup beside it (R-REST-1)
    await page.locator("details.blocked summary").first.click()
    await journey.check("offering: the blocked shifts unfolded")

    stale_context = await browser.new_context(viewport=PHONE, locale="nb-NO", java_script_enabled=False)
    other = await sign_in_context(stale_context, web, email_of("sub02"))
    await other.goto(board + "?kind=night")
    contested = other.locator("[data-live] form.take").nth(5)
    taken = await contested.get_attribute("data-shift")
    colleague = await web.sign_in(email_of("gp05"))
    answer = await colleague.post(f"/periods/{period}/act", data={
        "verb": "claim", "shift": taken, "csrf": colleague.headers["X-CSRF-Token"]})
    assert answer.status_code == 303
    await contested.locator("button").click()
    await other.wait_for_selector("[data-testid=outcome]")
    assert "refused=" in other.url and "kind=night" in other.url  # post-redirect-get: a reload is safe
    said = await other.inner_text("body")  # scripts are off here, so axe runs on the same address below
    assert "R-PROC-7" in said and "gp05" not in said and "Tone Bakken" not in said
    assert not ENGLISH.findall(RULE_ID.sub("", said)), said[:1500]
    await page.goto(other.url)
    await journey.check("offering: a refused claim", shot="phone-6-refused")
    await other.reload()
    assert "R-PROC-7" in await other.text_content("[data-testid=outcome]")

    # Details and requests, each with a mistake: the field named in Norwegian, the input kept.
    await page.goto(web.base_url + "/me")
    await journey.check("details")
    await page.fill("#mobile", "12345")
    await page.click("form[action='/me'] button[type=submit]")
    await page.wait_for_selector("[aria-invalid=true]")
    assert await page.input_value("#mobile") == "12345"
    await journey.check("details: a wrong mobile number", shot="phone-7-details-error")
    await page.goto(web.base_url + "/requests")
    await journey.check("requests")
    await page.fill("#from", "2027-03-10")
    await page.fill("#to", "2027-03-01")
    await page.fill("#note", "reiser bort <b>")
    await page.click("[data-testid=request-form] button[type=submit]")
    await page.wait_for_selector("[aria-invalid=true]")
    assert await page.input_value("#note") == "reiser bort <b>"
    await journey.check("requests: the end before the start", shot="phone-8-request-error")

    # Published: the board, the swaps page, offering a shift to a colleague by name or to everyone.
    await close_until(web, period, Phase.PUBLISHED)
    await wait_phase(web, period, lambda s: s.phase is Phase.PUBLISHED)
    await page.goto(board)
    await journey.check("published: the board", shot="phone-9-published")
    await page.goto(f"{board}/swaps")
    await journey.check("published: swaps")
    await page.locator(f"[data-testid=offer-mine] li[data-shift='{shift}'] a").click()
    await journey.check("swap: choose a colleague")
    await page.click("[data-testid=to-everyone]")
    await journey.check("swap: confirm offering to everyone", shot="phone-10-swap-confirm")
    await page.click("[data-testid=offer-everyone] button")
    await page.wait_for_selector("[data-testid=outcome]")
    await journey.check("swap: offered", shot="phone-11-swap-offered")
    receiver = await sign_in(browser, web, email_of("gp06"), viewport=PHONE)
    await receiver.goto(f"{board}/swaps")
    assert await receiver.locator(f"[data-testid=swaps-in] [data-shift='{shift}']").count() == 1
    await Journey(receiver, screenshots).check("swap: an offer received", shot="phone-12-offer-received")

    assert len(journey.states) >= 18, journey.states
    await stale_context.close()
    await context.close()
