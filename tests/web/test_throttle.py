"""Sign-in throttling: per client address and for the whole process, for requests for a link,
uses of a link and OpenID Connect starts; 429 with Retry-After, a page in the page's language.
X-Forwarded-For names the client only behind a trusted proxy."""

from __future__ import annotations

from contextlib import asynccontextmanager

import httpx2 as httpx
import pytest

from app.errors import TooManyRequests
from app.identity.throttle import SlidingWindow
from tests.helpers.support import services_for
from tests.web.stack import SECRET, email_of
from web.service import create_app


@asynccontextmanager
async def edge_client(app_database_url, tmp_path, smtp_server, **env):
    services = services_for(app_database_url, tmp_path, None, VAKT_DEV_SMTP_PORT=str(smtp_server.port),
                            VAKT_PUBLIC_URL="http://127.0.0.1:9", VAKT_SESSION_SECRET=SECRET,
                            TEMPORAL_ADDRESS="127.0.0.1:1", **env)
    try:
        transport = httpx.ASGITransport(app=create_app(services), client=("192.0.2.10", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:9") as client:
            yield client
    finally:
        await services.aclose()


def test_a_sliding_window_counts_each_limit_and_says_when_to_come_back():
    now = [1000.0]
    window = SlidingWindow(((2, 60.0), (3, 3600.0)), clock=lambda: now[0])
    window.admit("a")
    window.admit("a")
    with pytest.raises(TooManyRequests) as refused:
        window.admit("a")
    assert refused.value.retry_after == 60
    window.admit("b")  # another client is not held up
    now[0] += 61
    window.admit("a")
    with pytest.raises(TooManyRequests) as refused:
        window.admit("a")  # the hour's 3 are used
    assert 3400 < refused.value.retry_after <= 3600


async def test_one_client_cannot_make_the_service_mail_links_without_end(app_database_url, tmp_path, smtp_server):
    async with edge_client(app_database_url, tmp_path, smtp_server, VAKT_SIGN_IN_LIMIT_CLIENT="3/15m") as client:
        for n in range(3):
            assert (await client.post("/api/sign-in", json={"email": email_of(f"gp{n:02d}")})).status_code == 202
        refused = await client.post("/api/sign-in", json={"email": email_of("gp09")})
        assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 900
        assert refused.headers["x-content-type-options"] == "nosniff"
        page = await client.post("/sign-in", data={"email": email_of("gp09")}, headers={"Accept": "text/html"})
        assert page.status_code == 429 and "For mange forsøk" in page.text and "retry-after" in page.headers
        english = await client.post("/sign-in?lang=en", data={"email": email_of("gp09")}, headers={"Accept": "text/html"})
        assert "Too many attempts" in english.text


async def test_the_global_limit_holds_across_clients_named_by_a_trusted_proxy(app_database_url, tmp_path, smtp_server):
    async with edge_client(app_database_url, tmp_path, smtp_server, VAKT_SIGN_IN_LIMIT_CLIENT="2/15m",
                           VAKT_SIGN_IN_LIMIT_GLOBAL="4/1m", VAKT_TRUSTED_PROXIES="192.0.2.10") as client:
        for n in range(4):  # four clients behind the proxy, one request each
            answer = await client.post("/api/sign-in", json={"email": email_of("gp01")},
                                       headers={"X-Forwarded-For": f"198.51.100.{n}"})
            assert answer.status_code == 202
        fifth = await client.post("/api/sign-in", json={"email": email_of("gp01")},
                                  headers={"X-Forwarded-For": "198.51.100.99"})
        assert fifth.status_code == 429  # the process's limit


async def test_forwarded_for_is_ignored_without_a_trusted_proxy(app_database_url, tmp_path, smtp_server):
    async with edge_client(app_database_url, tmp_path, smtp_server, VAKT_SIGN_IN_LIMIT_CLIENT="2/15m") as client:
        for n in range(2):
            await client.post("/api/sign-in", json={"email": email_of("gp01")}, headers={"X-Forwarded-For": f"203.0.113.{n}"})
        spoofed = await client.post("/api/sign-in", json={"email": email_of("gp01")},
                                    headers={"X-Forwarded-For": "203.0.113.77"})
        assert spoofed.status_code == 429  # still the connection's address


async def test_link_uses_and_oidc_starts_are_throttled_per_client(app_database_url, tmp_path, smtp_server):
    async with edge_client(app_database_url, tmp_path, smtp_server, VAKT_SIGN_IN_ATTEMPT_LIMIT_CLIENT="3/15m") as client:
        for _ in range(2):
            assert (await client.post("/sign-in/link", data={"token": "forged.token"})).status_code == 401
        assert (await client.get("/sign-in/oidc", headers={"Accept": "application/json"})).status_code == 422
        refused = await client.post("/sign-in/link", data={"token": "forged.token"}, headers={"Accept": "text/html"})
        assert refused.status_code == 429 and "retry-after" in refused.headers and "For mange forsøk" in refused.text
        oidc = await client.get("/sign-in/oidc", headers={"Accept": "application/json"})
        assert oidc.status_code == 429


async def test_an_address_gets_at_most_a_days_limit_of_links(web_db):
    from datetime import timedelta

    from app.identity.sign_in import DAY_LIMIT, outgoing_mail, request_link
    from tests.web.test_identity import _registry

    await _registry(web_db)
    start = web_db.services.clock.now()
    for hour in range(DAY_LIMIT + 3):  # one an hour: never over the 15-minute limit
        await request_link(web_db.services, email_of("gp04"), now=start + timedelta(minutes=50 * hour))
    await outgoing_mail()
    pool = (await web_db.services.database()).pool
    assert await pool.fetchval("SELECT count(*) FROM sign_in_links") == DAY_LIMIT


async def test_the_api_docs_can_be_turned_off(app_database_url, tmp_path, smtp_server):
    async with edge_client(app_database_url, tmp_path, smtp_server, VAKT_API_DOCS="off") as client:
        assert (await client.get("/docs")).status_code in (401, 404)
        assert (await client.get("/static/swagger-ui/swagger-ui-bundle.js")).status_code == 404
        assert (await client.get("/openapi.json")).status_code == 200  # the contract stays
