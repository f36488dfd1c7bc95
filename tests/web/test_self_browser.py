"""The doctor's own pages in a real browser on a phone-sized screen (390×844): the page wanted
before signing in is where the mailed link lands; the requests page fits, labels every field,
shows only the chosen kind's reasons, and shows a decision without a reload; the home page's
copy button works (or selects the address to copy by hand)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from domain.model import OSLO_TZ

from tests.web.a11y import assert_accessible
from tests.web.stack import OPERATOR, email_of
from tests.web.test_home_page import _half_year
from tests.web.test_identity import _registry

async def until(read, wanted, timeout: float = 5.0):
    """Poll `read()` until it gives `wanted` (or, with None, anything), as a person would wait.
    (Playwright's wait_for_function evaluates a string, which the pages' CSP forbids.)"""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while True:
        value = await read()
        if (value if wanted is None else value == wanted) or loop.time() > give_up:
            return value
        await asyncio.sleep(0.2)


PHONE = {"width": 390, "height": 844}
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(f => !f.disabled && f.offsetParent !== null && !(f.labels && f.labels.length) && !f.getAttribute('aria-label'))
  .map(f => f.name)"""
OVERFLOWS = "document.documentElement.scrollWidth > window.innerWidth"


async def test_a_doctor_on_a_phone_lands_where_they_wanted_and_sees_a_decision_arrive(web_db, browser):  # noqa: F811
    await _registry(web_db)
    await _half_year(web_db, "phone-h1")
    today = web_db.services.clock.now().astimezone(OSLO_TZ).date()
    context = await browser.new_context(viewport=PHONE, locale="nb-NO")
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web_db.base_url)
    page = await context.new_page()
    await page.goto(web_db.base_url + "/requests")  # signed out: the sign-in form, remembering /requests
    await page.fill("#email", email_of("gp04"))
    await page.click("form[action='/sign-in'] button[type=submit]")
    await page.wait_for_selector("[data-testid=message]")
    await page.goto(await web_db.link_for(email_of("gp04")))
    await page.click("[data-testid=confirm]")
    await page.wait_for_selector("[data-testid=request-form]")
    assert page.url == web_db.base_url + "/requests"

    assert not await page.evaluate(OVERFLOWS) and await page.evaluate(UNLABELLED) == []
    await page.select_option("#kind", "meeting_absence")
    assert await page.locator("#reason option[value=pregnancy]").is_disabled()
    assert not await page.locator("#reason option[value=illness]").is_disabled()
    assert await page.locator("#substitute").is_disabled()
    await page.select_option("#reason", "illness")
    await page.fill("#from", str(today))
    await page.fill("#to", "")
    await page.click("form[data-testid=request-form] button[type=submit]")
    await page.wait_for_selector("[data-testid=errors]")
    assert "Til: må fylles ut" in await page.text_content("[data-testid=errors]")
    assert await page.input_value("#reason") == "illness" and await page.input_value("#kind") == "meeting_absence"
    await assert_accessible(page, "requests: a field missing")
    await page.fill("#to", str(today + timedelta(days=2)))
    await page.click("form[data-testid=request-form] button[type=submit]")
    await page.wait_for_selector("[data-testid=saved]")
    cell = page.locator("td[data-request]").first
    assert "venter" in await cell.text_content()

    kari = await web_db.sign_in(OPERATOR[0])
    number = await cell.get_attribute("data-request")
    assert (await kari.post(f"/api/operator/requests/{number}/decision", json={"grant": True})).status_code == 200
    await until(lambda: cell.get_attribute("data-status"), "granted", timeout=15)
    assert "innvilget" in await cell.text_content()
    await assert_accessible(page, "requests: a decision arrived")

    await page.goto(web_db.base_url + "/")
    await page.click("form[action='/calendar-link/renew'] button")  # the first link: no confirmation
    assert not await page.evaluate(OVERFLOWS) and await page.evaluate(UNLABELLED) == []
    await page.click("[data-testid=copy]")
    copied = await until(lambda: page.evaluate(
        "() => document.querySelector('[data-copy-status]').textContent || document.activeElement.id"), None)
    assert copied in ("Lenken er kopiert.", "feed-url"), copied
    assert (await page.get_attribute("[data-testid=webcal]", "href")).startswith("webcal://")
    await assert_accessible(page, "home: the calendar link copied")
    await context.close()
