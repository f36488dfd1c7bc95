"""Every page a signed-in person can reach by following links, in a real browser: a doctor on a
phone, the clinic head (operator) and an administrator at a desk, over a published round.

From the home page the crawl follows each same-origin link (GET only; downloads, the live
streams and sign-out left out), one page per route (ids, dates and the period's id folded into a
pattern, so a ledger sorted ten ways counts once). On every page: the answer is not an error,
axe-core finds 0 violations of WCAG 2.1 A/AA, a Norwegian page holds no English word, and nothing
scrolls sideways at the person's screen width. A new page is checked the day it is linked."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlsplit

from app.identity.accounts import add_account
from domain.model import Phase
from tests.web.a11y import describe, violations
from tests.web.norwegian import english_words
from tests.web.stack import OPERATOR, close_until, email_of, start_example_period
from tests.web.test_browser import DESKTOP, sign_in

PHONE = {"width": 390, "height": 844}
ADMIN = ("ada.admin@klinikk.example.no", "Ada Admin")
DOWNLOADS = (".csv", ".xlsx", ".ics", ".json", ".svg", ".txt", ".pdf", ".xml")
NOT_PAGES = ("/sign-out", "/live", "/metrics", "/openapi", "/static/", "/calendar/")
MOST = 80  # routes per person: a bound, so a link loop cannot run away


def route_of(path: str, period: str) -> str:
    """The route a path belongs to: the period's id and any segment with a digit folded."""
    parts = ["{period}" if p == period else ("*" if re.search(r"\d", p) else p) for p in path.split("/")]
    return "/".join(parts)


async def crawl(page, base: str, period: str, *, width: int) -> tuple[list[str], list[str]]:
    """(routes visited, problems found), breadth first from the home page."""
    queue, seen, visited, problems = [base + "/"], set(), [], []
    while queue and len(visited) < MOST:
        url = queue.pop(0)
        parts = urlsplit(url)
        key = route_of(parts.path, period)
        if key in seen:
            continue
        seen.add(key)
        answer = await page.goto(url)
        if answer is None or answer.status >= 400:
            problems.append(f"{url}: HTTP {answer.status if answer else 'none'}")
            continue
        visited.append(key)
        found = await violations(page)
        if found:
            problems.append(f"{url}: axe-core\n{describe(found)}")
        if await page.evaluate("() => document.documentElement.lang") == "nb":
            if english := await english_words(page):
                problems.append(f"{url}: English on a Norwegian page: {english}")
        if await page.evaluate("() => document.documentElement.scrollWidth") > width + 1:
            problems.append(f"{url}: scrolls sideways at {width} px")
        for href in await page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urldefrag(urljoin(page.url, href)).url
            path = urlsplit(target).path
            if (not target.startswith(base) or path.endswith(DOWNLOADS) or any(n in path for n in NOT_PAGES)
                    or route_of(path, period) in seen):
                continue
            queue.append(target)
    return visited, problems


async def test_every_linked_page_is_accessible_norwegian_and_fits(web, browser):  # noqa: F811
    period = await start_example_period(web)
    await add_account(web.services, ADMIN[0], "admin", ADMIN[1], actor="admin:test", districts=["demo"])
    await close_until(web, period, Phase.PUBLISHED)
    report = []
    for email, viewport, least in ((email_of("gp04"), PHONE, 5), (OPERATOR[0], DESKTOP, 12), (ADMIN[0], DESKTOP, 5)):
        page = await sign_in(browser, web, email, viewport=viewport)
        visited, problems = await crawl(page, web.base_url, period, width=viewport["width"])
        await page.context.close()
        report.append((email.split("@")[0], len(visited)))
        assert not problems, f"{email}: {len(problems)} problems on {len(visited)} routes:\n" + "\n".join(problems)
        assert len(visited) >= least, (email, visited)  # the crawl did reach the person's pages
    print("crawled routes:", report)
