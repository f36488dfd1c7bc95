"""R-SWAP-2 in Chromium: under the approval policy a doctor on a phone (390×844) offers a late
shift, a colleague accepts it and both see "venter på godkjenning"; the operator at the desk
(1366×900) opens the queue from her home page and approves with one click; the shift has moved.
Then she carries out a swap for the two doctors (one is ill) from the round's page. axe-core
finds nothing and no English word shows, at every state."""

from __future__ import annotations

from tests.web.a11y import assert_accessible
from tests.web.approval_rounds import DAY, RECEIVER_NAME, published_under_approval
from tests.web.norwegian import assert_norwegian
from tests.web.stack import OPERATOR, email_of, wait_phase
from tests.web.test_browser import sign_in

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}


async def check(page, state: str) -> None:
    await assert_accessible(page, state)
    await assert_norwegian(page, state)
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"], state


async def test_r_swap_2_a_late_swap_waits_and_the_desk_approves_it_with_one_click(web, browser):  # noqa: F811
    period = await published_under_approval(web)
    swaps = f"{web.base_url}/periods/{period}/swaps"

    giver = await sign_in(browser, web, email_of("gp05"), viewport=PHONE)
    await giver.goto(f"{swaps}/new?shift={DAY}")
    await giver.fill("#to", RECEIVER_NAME)
    await giver.click("[data-testid=offer-named] button[type=submit]")
    await giver.wait_for_selector("[data-testid=swaps-out] [data-shift='2027-01-09/day']")
    await check(giver, "the giver's swaps after offering a late shift")

    receiver = await sign_in(browser, web, email_of("sub02"), viewport=PHONE)
    await receiver.goto(swaps)
    await receiver.click(f"[data-testid=swaps-in] [data-shift='{DAY}'] form[action$='/accept'] button")
    await receiver.wait_for_selector("[data-testid=outcome]")
    assert "venter på godkjenning" in await receiver.inner_text("[data-testid=outcome]")
    await check(receiver, "the receiver's swaps just after accepting")
    state = await wait_phase(web, period, lambda s: any(o.accepted_by == "sub02" for o in s.swaps.values()))
    assert state.assignments[DAY].doctor == "gp05"  # the giver holds it while it waits
    await receiver.goto(swaps)
    waiting = receiver.locator(f"[data-testid=swaps-in] [data-shift='{DAY}'] [data-testid=awaiting-approval]")
    assert (await waiting.inner_text()).strip() == "venter på godkjenning"
    await check(receiver, "the receiver's swaps while the swap waits")
    await giver.goto(swaps)
    waiting = giver.locator(f"[data-testid=swaps-out] [data-shift='{DAY}'] [data-testid=awaiting-approval]")
    assert (await waiting.inner_text()).strip() == "venter på godkjenning"
    await check(giver, "the giver's swaps while the swap waits")

    desk = await sign_in(browser, web, OPERATOR[0], viewport=DESK)
    await desk.goto(f"{web.base_url}/operator")
    link = desk.locator("[data-testid=approvals-link]")
    assert "(1)" in await link.inner_text()
    await check(desk, "the operator's home with one swap to approve")
    await link.click()
    await desk.wait_for_selector("[data-testid=approval-queue]")
    card = desk.locator(f"[data-testid=approval-queue] [data-shift='{DAY}']")
    assert "Lars Nordmann" in await card.inner_text()
    await check(desk, "the approval queue")
    await card.locator("form[action$='/approve'] button").click()  # one click
    await desk.wait_for_selector("[data-testid=outcome]")
    assert "godkjent" in await desk.inner_text("[data-testid=outcome]")
    await desk.wait_for_selector("[data-testid=queue-empty]")
    await check(desk, "the queue after the approval")
    await wait_phase(web, period, lambda s: s.assignments[DAY].doctor == "sub02")

    await receiver.goto(swaps)
    assert await receiver.locator(f"[data-testid=offer-mine] [data-shift='{DAY}']").count() == 1
    await check(receiver, "the receiver's swaps once the shift is theirs")

    # The two doctors agree to swap back, and sub02 is ill: the desk carries it out for them.
    await desk.goto(f"{web.base_url}/operator/periods/{period}")
    await desk.click("[data-testid=carry-out-link]")
    await check(desk, "carry out a swap: choose the giver")
    await desk.select_option("#giver", "sub02")
    await desk.click("[data-testid=carry-giver] button")
    await desk.wait_for_selector("[data-testid=carry-out]")
    await desk.select_option("#shift", DAY)
    await desk.select_option("#receiver", "gp05")
    await check(desk, "carry out a swap: the form")
    await desk.click("[data-testid=carry-out] button[type=submit]")  # no reason yet
    assert await desk.evaluate("() => document.querySelector('#reason').validity.valid") is True
    await desk.wait_for_selector("[data-testid=errors]")
    assert "Grunn: må fylles ut" in await desk.inner_text("[data-testid=errors]")
    await check(desk, "carry out a swap: the reason missing")
    await desk.fill("#reason", "Legen er syk")
    await desk.click("[data-testid=carry-out] button[type=submit]")
    await desk.wait_for_selector("[data-testid=outcome]")
    await check(desk, "the round after a carried-out swap")
    await wait_phase(web, period, lambda s: s.assignments[DAY].doctor == "gp05")
