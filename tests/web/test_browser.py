"""The web service in a real browser: headless Chromium (Debian's package, driven by
Playwright through `executable_path`; nothing is downloaded). Doctors sign in through the link
in the local mailbox, claim in the offering, lose a race with R-PROC-7 on the page, swap after
publication with both pages and both calendar feeds following; an operator extends a deadline
with a reason and the event shows the operator's sign-in name, then closes the offering after
being told what the lottery will do. axe-core checks each state."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from icalendar import Calendar

from domain.model import OSLO_TZ, Phase
from tests.web.a11y import assert_accessible
from tests.web.stack import OPERATOR, close_until, email_of, start_example_period, wait_phase

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHIFT = "2027-01-07/evening"
PHONE = {"width": 412, "height": 915}
DESKTOP = {"width": 1200, "height": 900}


async def sign_in(browser, stack, email: str, viewport=PHONE):
    """A new browser context signed in as a person does: the form, the mailbox, the link."""
    return await sign_in_context(await browser.new_context(viewport=viewport, locale="nb-NO"), stack, email)


async def sign_in_context(context, stack, email: str):
    """Signs in within a given context (one without JavaScript too: forms only)."""
    page = await context.new_page()
    await page.goto(stack.base_url + "/")
    await page.fill("#email", email)
    await page.click("form[action='/sign-in'] button[type=submit]")
    await page.wait_for_selector("[data-testid=message]")
    await page.goto(await stack.link_for(email))
    await page.click("[data-testid=confirm]")
    await page.wait_for_selector("[data-testid=who]")
    return page


def _uids(body: bytes) -> set[str]:
    return {str(e["UID"]).split("/", 1)[1].rsplit("@", 1)[0] for e in Calendar.from_ical(body).walk("VEVENT")}


async def feed_url(page, stack) -> str:
    """Make the calendar link: the first one needs no confirmation; its address is in the field."""
    await page.goto(stack.base_url + "/")
    await page.click("form[action='/calendar-link/renew'] button")
    return (await page.input_value("#feed-url")).strip()


async def test_doctors_and_an_operator_in_the_browser(web, browser, tmp_path):
    period = await start_example_period(web)
    await close_until(web, period, Phase.OFFERING)
    board = f"{web.base_url}/periods/{period}"

    # The second doctor's page is open before the first doctor claims.
    second = await sign_in(browser, web, email_of("sub02"))
    await second.goto(board)
    first = await sign_in(browser, web, email_of("gp04"))
    await first.goto(board)
    await first.click(f"[data-live] [data-shift='{SHIFT}'] button")  # taken in place (web/static/board.js)
    await first.wait_for_selector(f"[data-testid=my-shifts] [data-shift='{SHIFT}']")
    await assert_accessible(first, "the board after a claim")

    # The second doctor's page loses the shift without a reload (web/static/live.js), and says when.
    await second.wait_for_selector(f"[data-live] [data-shift='{SHIFT}']", state="detached", timeout=3000)
    assert (await second.text_content("[data-testid=updated]")).startswith("oppdatert kl")
    assert await second.locator(f"[data-testid=my-shifts] [data-shift='{SHIFT}']").count() == 0
    await assert_accessible(second, "a board a colleague's claim has updated")

    # The operator extends the offering with a reason; the event names the operator's sign-in.
    operator = await sign_in(browser, web, OPERATOR[0], viewport=DESKTOP)
    await operator.goto(f"{web.base_url}/operator/periods/{period}")
    prefilled = await operator.input_value("#until")  # the deadline as it stands
    assert prefilled and prefilled[:4].isdigit(), prefilled
    until = (web.services.clock.now().astimezone(OSLO_TZ) + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
    await operator.fill("#until", until)
    await operator.fill("#extend-reason", "møterommet er opptatt <b>")
    await operator.click("form[action$='/extend'] button")
    await operator.wait_for_selector("[data-testid=outcome]")
    events = await operator.text_content("[data-testid=events]")
    assert OPERATOR[1] in events and "Frist utsatt" in events  # recorded by account id, shown by name, in words
    assert "møterommet er opptatt <b>" in events  # shown as typed, escaped
    await assert_accessible(operator, "the operator's round page after an extension")
    await operator.fill("#close-reason", "alle har fått tatt vakter")
    await operator.click("form[action$='/close'] button")
    consequence = await operator.text_content("[data-testid=consequence]")  # asked first, with what will happen
    assert consequence.startswith("Trekningen fordeler") and "publiserer vaktlisten" in consequence, consequence
    await assert_accessible(operator, "the operator confirming the close")
    await operator.click("[data-testid=confirm] button")
    await wait_phase(web, period, lambda s: s.phase is Phase.PUBLISHED)

    # A swap: offered on the first doctor's page to the second, accepted there; both pages and
    # both calendar feeds follow.
    feeds = {"first": await feed_url(first, web), "second": await feed_url(second, web)}
    public = web.client()
    before = {who: _uids((await public.get(url)).content) for who, url in feeds.items()}
    assert SHIFT in before["first"] and SHIFT not in before["second"]
    # On a phone: the offer is its own flow (my shift, then a colleague by name), no page overflows.
    await first.goto(f"{board}/swaps")
    await first.locator(f"[data-testid=offer-mine] li[data-shift='{SHIFT}'] a").click()
    await first.fill("#to", "Lars Nordmann")
    assert await first.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await first.click("form[data-testid=offer-named] button[type=submit]")
    await first.wait_for_selector("[data-testid=outcome]")
    assert await first.locator(f"[data-testid=swaps-out] li[data-shift='{SHIFT}']").count() == 1
    assert "Til Lars Nordmann" in await first.text_content("[data-testid=swaps-out]")
    await assert_accessible(first, "swaps: an offer sent")
    await second.set_viewport_size({"width": 390, "height": 844})
    await second.goto(f"{board}/swaps")
    assert await second.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await assert_accessible(second, "swaps: an offer received")
    accept = second.get_by_role("button", name="Ta over Kveld tor 7. jan 16–23")
    await accept.click()
    await second.wait_for_selector("[data-testid=outcome]")
    assert await second.locator(f"[data-testid=my-shifts] [data-shift='{SHIFT}']").count() == 1
    await first.goto(board)
    assert await first.locator(f"[data-testid=my-shifts] [data-shift='{SHIFT}']").count() == 0
    after = {who: _uids((await public.get(url)).content) for who, url in feeds.items()}
    assert after["first"] == before["first"] - {SHIFT} and after["second"] == before["second"] | {SHIFT}

    # Renewing the calendar link asks first: dismissed, nothing changes; accepted, a new address.
    await first.goto(web.base_url + "/")
    first.once("dialog", lambda dialog: dialog.dismiss())
    await first.click("form[action='/calendar-link/renew'] button")
    assert (await first.input_value("#feed-url")).strip() == feeds["first"]
    first.once("dialog", lambda dialog: dialog.accept())
    await first.click("form[action='/calendar-link/renew'] button")
    await first.wait_for_selector("#feed-url")
    for _ in range(50):
        if (await first.input_value("#feed-url")).strip() != feeds["first"]:
            break
        await asyncio.sleep(0.1)
    assert (await first.input_value("#feed-url")).strip() != feeds["first"]
