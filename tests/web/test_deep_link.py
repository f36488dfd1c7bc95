"""The invitation's link survives signing in (web/next_path.py, web/auth_routes.py): a signed-out
GET of a doctor's page shows the sign-in form carrying the page as `next`; the mailed link carries
it signed together with its token; the link lands on the page. Anything but a same-site path —
or a target changed in the link — lands on the home page."""

from __future__ import annotations

import re

import httpx2 as httpx
import pytest

from tests.web.stack import email_of
from tests.web.test_identity import _registry

HTML = {"Accept": "text/html"}
TARGET = "/periods/demo-2027-h1/wishes"


async def _mailed_link(stack, client, email: str, next_value: str) -> httpx.URL:
    from infra.mailbox import read_maildir

    for message in read_maildir(stack.maildir):
        (stack.maildir / "new" / message.key).unlink(missing_ok=True)
        (stack.maildir / "cur" / message.key).unlink(missing_ok=True)
    asked = await client.post("/sign-in", data={"email": email, "next": next_value}, headers=HTML)
    assert asked.status_code == 200
    return httpx.URL(await stack.link_for(email))


async def _follow(client, link: httpx.URL, **changed) -> httpx.Response:
    """Open the mailed link's page, then press its button (with the form's hidden fields)."""
    opened = await client.get(link.path, params={**dict(link.params), **changed}, headers=HTML)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', opened.text))
    return await client.post("/sign-in/link", data={k: v.replace("&amp;", "&") for k, v in fields.items()})


async def test_the_invitations_link_lands_on_its_page_after_signing_in(web_db):
    await _registry(web_db)
    client = web_db.client()
    asked = await client.get(TARGET, headers=HTML)
    assert asked.status_code == 401 and 'action="/sign-in"' in asked.text
    assert f'<input type="hidden" name="next" value="{TARGET}">' in asked.text
    link = await _mailed_link(web_db, client, email_of("gp04"), TARGET)
    assert link.params["next"] == TARGET and link.params["sig"]
    signed = await _follow(client, link)
    assert signed.status_code == 303 and signed.headers["location"] == TARGET


async def test_a_target_changed_in_the_link_is_not_followed(web_db):
    await _registry(web_db)
    client = web_db.client()
    link = await _mailed_link(web_db, client, email_of("gp04"), TARGET)
    signed = await _follow(client, link, next="/requests")
    assert signed.status_code == 303 and signed.headers["location"] == "/"


@pytest.mark.parametrize("hostile", ["//evil.example", "https://evil.example", "/\\evil", "javascript:alert(1)"])
async def test_a_hostile_next_lands_on_the_home_page(web_db, hostile):
    await _registry(web_db)
    client = web_db.client()
    page = await client.get("/sign-in", params={"next": hostile}, headers=HTML)
    assert "evil" not in page.text and "javascript" not in page.text
    link = await _mailed_link(web_db, client, email_of("gp04"), hostile)
    assert "next" not in link.params
    signed = await _follow(client, link, next=hostile, sig="x")
    assert signed.status_code == 303 and signed.headers["location"] == "/"
