"""Sign-in through a real OpenID provider, in a real browser: node-oidc-provider (the certified
reference implementation, pinned in tests/oidc_provider/package-lock.json) with its default claim
behaviour — e-mail, name and roles served from userinfo, not the ID token — code flow with PKCE,
its development login and consent pages, an issuer ending in '/'. Headless Chromium (Debian's,
as in tests/web/test_browser.py) signs in an operator (by the provider's role) and a doctor (by
the roll's address); a wrong client secret, an unverified address and a disabled account are
refused, each with its reason code in the server's log and on the page. One provider process
serves the whole module."""

from __future__ import annotations

import json
import logging
import select
import shutil
import subprocess
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from app.identity.accounts import disable_account
from tests.helpers.mail import free_port
from tests.helpers.support import services_for
from tests.web.stack import OPERATOR, SECRET, Stack, email_of, serve
from tests.web.test_identity import _registry

PROVIDER_DIR = Path(__file__).resolve().parent.parent / "oidc_provider"
CLIENT, CLIENT_SECRET = "vakt-web", "provider-side-secret-0123456789"
ACCOUNTS = {
    "ola": {"email": "ola.operator@klinikk.example.no", "email_verified": True, "name": "Ola Operatør",
            "roles": ["operator"]},
    "gp04": {"email": email_of("gp04"), "email_verified": True, "name": "Dr. GP04"},
    "sub02": {"email": email_of("sub02"), "email_verified": False},
    "kari": {"email": OPERATOR[0], "email_verified": True, "roles": ["operator", "admin"]},
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """node-oidc-provider on a loopback port, with the web service's two callbacks registered."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed (Node.js 20 or later runs tests/oidc_provider)")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, check=True, capture_output=True,
                       timeout=300)
    port, web_ports = free_port(), {"right": free_port(), "wrong": free_port()}
    issuer = f"http://127.0.0.1:{port}/"
    config = tmp_path_factory.mktemp("oidc") / "provider.json"
    config.write_text(json.dumps({
        "port": port, "issuer": issuer, "accounts": ACCOUNTS,
        "clients": [{"client_id": CLIENT, "client_secret": CLIENT_SECRET, "grant_types": ["authorization_code"],
                     "response_types": ["code"], "token_endpoint_auth_method": "client_secret_basic",
                     "redirect_uris": [f"http://127.0.0.1:{p}/sign-in/oidc/callback" for p in web_ports.values()]}],
    }))
    process = subprocess.Popen([node, str(PROVIDER_DIR / "provider.mjs"), str(config)], cwd=PROVIDER_DIR,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 20)
        line = process.stdout.readline() if ready else ""
        assert line.startswith("listening"), f"the provider did not start: {line!r}"
        yield {"issuer": issuer, "web_ports": web_ports}
    finally:
        process.terminate()
        process.wait(timeout=10)


@asynccontextmanager
async def web_service(database_url, data_dir: Path, provider, which: str, secret: str):
    port = provider["web_ports"][which]
    services = services_for(
        database_url, data_dir, None, VAKT_PUBLIC_URL=f"http://127.0.0.1:{port}", VAKT_SESSION_SECRET=SECRET,
        TEMPORAL_ADDRESS="127.0.0.1:1", VAKT_OIDC_ISSUER=provider["issuer"], VAKT_OIDC_CLIENT_ID=CLIENT,
        VAKT_OIDC_CLIENT_SECRET=secret, VAKT_OIDC_SCOPES="openid email profile roles",
    )
    server, task = await serve(services, port)
    try:
        yield Stack(services, f"http://127.0.0.1:{port}", data_dir / "mail")
    finally:
        server.should_exit = True
        await task
        await services.aclose()


async def through_provider(browser, stack: Stack, login: str):
    """A fresh browser signs in at the provider's own pages, from the service's sign-in page;
    the page it ends on."""
    context = await browser.new_context(locale="nb-NO")
    page = await context.new_page()
    await page.goto(stack.base_url + "/sign-in")
    await page.click("a[href='/sign-in/oidc']")
    await page.fill("input[name=login]", login)
    await page.fill("input[name=password]", "any")
    await page.click("button[type=submit]")
    await page.click("button[type=submit]:has-text('Continue')")  # the consent page
    await page.wait_for_load_state()
    return page


def logged(caplog, code: str) -> bool:
    return any(r.name == "app.identity.oidc" and code in r.getMessage() for r in caplog.records)


async def test_an_operator_and_a_doctor_sign_in_through_a_real_provider(app_database_url, tmp_path, provider, browser):
    async with web_service(app_database_url, tmp_path, provider, "right", CLIENT_SECRET) as stack:
        await _registry(stack)
        operator = await through_provider(browser, stack, "ola")
        await operator.wait_for_url(stack.base_url + "/operator")
        assert "Ola Operatør" in await operator.text_content("[data-testid=who]")
        doctor = await through_provider(browser, stack, "gp04")
        await doctor.wait_for_url(stack.base_url + "/")
        assert "Dr. GP04" in await doctor.text_content("[data-testid=who]")
        me = await (await doctor.context.request.get(stack.base_url + "/api/me")).json()  # the page's cookies
        assert me["via"] == "oidc" and me["doctors"] == [{"district": "demo", "doctor": "gp04"}]
        db = await stack.services.database()
        assert await db.oidc_bindings.bound_address(provider["issuer"], "gp04") == email_of("gp04")


async def test_a_wrong_secret_an_unverified_address_and_a_disabled_account_are_refused(
    app_database_url, tmp_path, provider, browser, caplog
):
    caplog.set_level(logging.INFO)
    async with web_service(app_database_url, tmp_path / "a", provider, "wrong", "not-the-secret") as stack:
        await _registry(stack)
        page = await through_provider(browser, stack, "gp04")
        assert "(oidc.token_exchange_failed)" in await page.content()
        assert logged(caplog, "oidc.token_exchange_failed") and logged(caplog, "invalid_client")
    async with web_service(app_database_url, tmp_path / "b", provider, "right", CLIENT_SECRET) as stack:
        page = await through_provider(browser, stack, "sub02")
        assert "(oidc.email_unverified)" in await page.content() and "ikke bekreftet" in await page.content()
        assert logged(caplog, "oidc.email_unverified")
        await disable_account(stack.services, OPERATOR[0], actor="admin:test")
        page = await through_provider(browser, stack, "kari")
        assert "(oidc.account_disabled)" in await page.content() and "deaktivert" in await page.content()
        assert logged(caplog, "oidc.account_disabled")
    for record in caplog.records:  # the log names reasons, never an address
        assert "@" not in record.getMessage() or record.name.startswith("httpx")
