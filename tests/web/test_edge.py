"""The web edge (web/edge.py): a body limit before the body is read, login CSRF, secrets compared
as bytes, and the security headers on every answer, errors included."""

from __future__ import annotations

import asyncio
import re

import httpx2 as httpx

from app.identity.sign_in import outgoing_mail
from tests.web.stack import email_of
from tests.web.test_identity import _registry
from web.edge import DEFAULT_MAX_BODY
from web.service import create_app

CROSS_SITE = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}


def assert_security_headers(answer, *, api: bool = False) -> None:
    h = answer.headers
    csp = h["content-security-policy"]
    script = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script and "'unsafe-inline'" not in re.search(r"style-src ([^;]*)", csp).group(1)
    assert "frame-ancestors 'none'" in csp
    assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "no-referrer"
    assert h["x-frame-options"] == "DENY"
    assert h["cache-control"] == "no-store"
    assert "strict-transport-security" not in h  # plain http on loopback


async def test_a_big_body_is_413_before_it_is_read(web_db):
    client = web_db.client()
    big = b'{"email": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    answer = await client.post("/api/sign-in", content=big, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.json() == {"error": "request body too large", "status": 413}
    assert_security_headers(answer)
    page = await client.post("/sign-in", content=b"email=" + b"a" * 300_000,
                             headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"})
    assert page.status_code == 413 and "Forespørselen er for stor" in page.text


async def test_a_chunked_stream_is_cut_off_at_the_limit(web_db):
    """2 MB sent chunked (no Content-Length): the 413 comes after about 256 KiB, read as it arrives."""
    app = create_app(web_db.services)
    pulled = 0
    chunk = b"a" * 16384

    async def receive():
        nonlocal pulled
        if pulled >= 2 * 1024 * 1024:
            return {"type": "http.request", "body": b"", "more_body": False}
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/api/sign-in", "raw_path": b"/api/sign-in", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                         (b"transfer-encoding", b"chunked")], "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80)}
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413
    assert DEFAULT_MAX_BODY < pulled <= DEFAULT_MAX_BODY + len(chunk)  # never the whole 2 MB
    assert [m for m in sent if m["type"] == "http.response.start"] == [start]  # one answer only

    # On the wire too: the server answers while the client is still sending.
    host, port = web_db.base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"POST /api/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    written = 0
    first = b""
    while written < 2 * 1024 * 1024 and not first:
        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        written += len(chunk)
        try:
            await writer.drain()
            first = await asyncio.wait_for(reader.read(12), 0.005)
        except (TimeoutError, ConnectionError):
            pass
    writer.close()
    assert first.startswith(b"HTTP/1.1 413"), first
    assert written < 2 * 1024 * 1024


async def test_a_cross_site_post_to_the_sign_in_routes_is_refused(web_db):
    await _registry(web_db)
    client = web_db.client()
    await client.post("/api/sign-in", json={"email": email_of("gp04")})
    await outgoing_mail()
    token = httpx.URL(await web_db.link_for(email_of("gp04"))).params["token"]
    for headers in (CROSS_SITE, {"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "same-site"}):
        refused = await client.post("/sign-in/link", data={"token": token}, headers={**headers, "Accept": "text/html"})
        assert refused.status_code == 403 and "set-cookie" not in refused.headers
        assert "annet nettsted" in refused.text  # Norwegian by default
        assert_security_headers(refused)
    english = await client.post("/sign-in/link?lang=en", data={"token": token}, headers={**CROSS_SITE, "Accept": "text/html"})
    assert english.status_code == 403 and "came from another site" in english.text
    for path in ("/api/sign-in", "/sign-in", "/sign-out"):
        answer = await client.post(path, json={"email": email_of("gp04")}, headers=CROSS_SITE)
        assert answer.status_code == 403, path
    assert (await client.get("/api/me")).status_code == 401  # not signed in
    # The same link, from the page itself (same-origin), or from a client without either header.
    same = await client.post("/sign-in/link", data={"token": token},
                             headers={"Sec-Fetch-Site": "same-origin", "Origin": web_db.base_url})
    assert same.status_code == 303 and "vakt_session=" in same.headers["set-cookie"]
    origin_only = await client.post("/api/sign-in", json={"email": email_of("gp05")}, headers={"Origin": web_db.base_url})
    assert origin_only.status_code == 202


async def test_non_ascii_secrets_are_4xx_never_500(web_db):
    await _registry(web_db)
    doctor = await web_db.sign_in(email_of("gp04"))
    csrf = await doctor.post("/api/me/calendar-link", headers={"X-CSRF-Token": "ø".encode()})
    assert csrf.status_code == 403
    form = await doctor.post("/me", content="csrf=%C3%B8&mobile=1".encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 403
    stranger = web_db.client()
    cookie = await stranger.get("/api/me", headers={"Cookie": "vakt_session=eyJhIjoxfQ.øøø".encode()})
    assert cookie.status_code == 401
    link = await stranger.post("/sign-in/link", data={"token": "abc.øøø"})
    assert link.status_code == 401
    feed = await stranger.get("/calendar/" + "ø" * 30 + ".ics")
    assert feed.status_code == 404
    oidc = await stranger.get("/sign-in/oidc/callback?state=x&code=y", headers={"Cookie": "vakt_oidc=00.ø".encode()})
    assert 400 <= oidc.status_code < 500


async def test_every_answer_carries_the_security_headers(web_db, monkeypatch):
    import web.api_doctor

    await _registry(web_db)
    stranger = web_db.client()
    assert_security_headers(await stranger.get("/api/me"))  # the gatekeeper's early 401
    assert_security_headers(await stranger.get("/periods/x", headers={"Accept": "text/html"}))
    assert_security_headers(await stranger.get("/sign-in"))  # a page
    assert_security_headers(await stranger.get("/calendar/" + "a" * 40 + ".ics"))  # 404
    doctor = await web_db.sign_in(email_of("gp04"))
    assert_security_headers(await doctor.get("/api/nothing-here"))  # 404 from the router
    assert_security_headers(await doctor.get("/", headers={"Accept": "text/html"}))  # a signed-in page

    def broken(*args, **kwargs):
        raise RuntimeError("planted")

    monkeypatch.setattr(web.api_doctor, "signed_in", broken)
    error = await doctor.get("/api/me")
    assert error.status_code == 500
    assert_security_headers(error)
    static = await stranger.get("/static/app.js")
    assert static.status_code == 200 and static.headers["cache-control"] == "no-cache"


async def test_the_api_docs_load_nothing_from_another_host(web_db):
    client = web_db.client()
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "<script>" not in docs.text and "cdn" not in docs.text.lower()
    references = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert references and all(r.startswith("/") and not r.startswith("//") for r in references)
    for reference in references:
        assert (await client.get(reference)).status_code == 200, reference
    assert_security_headers(docs)


async def test_on_https_hsts_is_sent_and_the_session_cookie_is_host_bound(app_database_url, tmp_path, smtp_server):
    from tests.helpers.support import services_for
    from tests.web.stack import SECRET, Stack

    services = services_for(app_database_url, tmp_path, None, VAKT_DEV_SMTP_PORT=str(smtp_server.port),
                            VAKT_PUBLIC_URL="https://vakt.example.no", VAKT_SESSION_SECRET=SECRET,
                            TEMPORAL_ADDRESS="127.0.0.1:1")
    stack = Stack(services, "https://vakt.example.no", smtp_server.maildir)
    try:
        await _registry(stack)
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="https://vakt.example.no") as client:
            early = await client.get("/api/me")
            assert early.status_code == 401 and early.headers["strict-transport-security"] == "max-age=31536000"
            await client.post("/api/sign-in", json={"email": email_of("gp04")})
            await outgoing_mail()
            token = httpx.URL(await stack.link_for(email_of("gp04"))).params["token"]
            signed = await client.post("/sign-in/link", data={"token": token})
            cookie = signed.headers["set-cookie"]
            assert cookie.startswith("__Host-vakt_session=") and "Secure" in cookie and "Path=/" in cookie
            assert "domain" not in cookie.lower()
            assert (await client.get("/api/me")).status_code == 200
            value = client.cookies.get("__Host-vakt_session")
            client.cookies.clear()
            planted = await client.get("/api/me", headers={"Cookie": f"vakt_session={value}"})
            assert planted.status_code == 401  # on https a plain-named cookie does not count
    finally:
        await services.aclose()
