"""OpenID Connect sign-in against an identity provider this test serves (tests/web/fake_oidc_provider.py),
on a real server and PostgreSQL: the claims come from userinfo as a spec-compliant provider
serves them, the issuer is taken as written, the client authenticates as configured, the
provider's subject is bound to an address, a disabled account stays out, mailed links are off
for those who must use the provider, and every refusal is logged with its reason code and
explained in the page's language."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from app.identity.accounts import disable_account
from app.identity.sessions import signed_token
from app.identity.sign_in import LINK_PURPOSE, outgoing_mail
from infra.mailbox import read_maildir
from tests.helpers.mail import free_port
from tests.helpers.support import services_for
from tests.web.fake_oidc_provider import CLIENT, CLIENT_KEY, SECRET as CLIENT_SECRET, Provider
from tests.web.stack import OPERATOR, SECRET, Stack, email_of, serve
from tests.web.test_identity import _registry

DOCTOR = email_of("gp04")
VERIFIED = {"email_verified": True}


@asynccontextmanager
async def oidc_stack(database_url, data_dir, smtp=None, *, issuer_path="", provider_options=None, **env):
    """The web service signed in through a provider on another loopback port."""
    idp_port, port = free_port(), free_port()
    provider = Provider(f"http://127.0.0.1:{idp_port}{issuer_path}", **(provider_options or {}))
    idp_server, idp_task = await serve_app(provider.app(), idp_port)
    mail = {"VAKT_DEV_SMTP_PORT": str(smtp.port)} if smtp else {}
    settings = {"VAKT_PUBLIC_URL": f"http://127.0.0.1:{port}", "VAKT_SESSION_SECRET": SECRET,
                "VAKT_OIDC_ISSUER": provider.issuer, "VAKT_OIDC_CLIENT_ID": CLIENT,
                "VAKT_OIDC_CLIENT_SECRET": CLIENT_SECRET, "TEMPORAL_ADDRESS": "127.0.0.1:1", **mail, **env}
    services = services_for(database_url, data_dir, None, **settings)
    server, task = await serve(services, port)
    stack = Stack(services, f"http://127.0.0.1:{port}", smtp.maildir if smtp else data_dir / "mail")
    stack.provider = provider
    try:
        await _registry(stack)
        yield stack
    finally:
        for client in stack.clients:
            await client.aclose()
        for s, t in ((server, task), (idp_server, idp_task)):
            s.should_exit = True
            await t
        await services.aclose()


async def serve_app(app, port):
    import asyncio

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    return server, task


@pytest.fixture
async def oidc(app_database_url, tmp_path):
    async with oidc_stack(app_database_url, tmp_path) as stack:
        yield stack


async def _begin(stack, lang=None):
    client = stack.client()
    if lang:
        client.cookies.set("vakt_lang", lang)
    begun = await client.get("/sign-in/oidc")
    assert begun.status_code == 303, begun.text
    query = parse_qs(urlsplit(begun.headers["location"]).query)
    assert query["client_id"] == [CLIENT] and query["code_challenge_method"] == ["S256"]
    return client, query


async def sign_in(stack, code, *, lang=None, userinfo=None, **id_claims):
    """One sign-in: the provider yields `id_claims` in the ID token and `userinfo` from its endpoint."""
    client, query = await _begin(stack, lang)
    stack.provider.grant(code, query, userinfo=userinfo, **id_claims)
    answer = await client.get(f"/sign-in/oidc/callback?state={query['state'][0]}&code={code}")
    return client, answer


def refused_with(answer, caplog, code: str) -> bool:
    logged = [r.getMessage() for r in caplog.records if r.name == "app.identity.oidc"]
    return answer.status_code == 401 and f"({code})" in answer.text and any(code in m for m in logged)


async def test_claims_served_from_userinfo_sign_in_an_operator_and_a_doctor(oidc):
    # A spec-compliant provider puts e-mail, name and roles in userinfo, not in the ID token.
    client, back = await sign_in(oidc, "c1", userinfo={
        "email": "Kari.Nordmann@Klinikk.example.no", "email_verified": True, "name": "Kari N", "roles": ["operator"]})
    assert back.status_code == 303 and back.headers["location"] == "/operator", back.text
    me = (await client.get("/api/me")).json()
    assert me["roles"] == ["operator"] and me["via"] == "oidc"

    doctor, back = await sign_in(oidc, "c2", sub="user-2", userinfo={"email": DOCTOR, "email_verified": True})
    assert back.status_code == 303 and back.headers["location"] == "/"
    assert (await doctor.get("/api/me")).json()["doctors"] == [{"district": "demo", "doctor": "gp04"}]


async def test_userinfo_about_another_subject_is_refused(oidc, caplog):
    caplog.set_level(logging.INFO)
    client, query = await _begin(oidc)
    oidc.provider.grant("c1", query, userinfo={"email": DOCTOR, "email_verified": True})
    oidc.provider.grants["c1"]["userinfo"]["sub"] = "someone-else"
    back = await client.get(f"/sign-in/oidc/callback?state={query['state'][0]}&code=c1")
    assert refused_with(back, caplog, "oidc.userinfo_sub_mismatch")
    assert (await client.get("/api/me")).status_code == 401


async def test_an_unverified_or_unvouched_address_is_refused_and_the_page_says_why(oidc, caplog):
    caplog.set_level(logging.INFO)
    _, missing = await sign_in(oidc, "c1", userinfo={"email": DOCTOR})  # no email_verified: not verified
    assert refused_with(missing, caplog, "oidc.email_unverified")
    assert "ikke bekreftet" in missing.text  # Norwegian by default
    _, false = await sign_in(oidc, "c2", lang="en", userinfo={"email": DOCTOR, "email_verified": False})
    assert refused_with(false, caplog, "oidc.email_unverified") and "not verified" in false.text
    _, none = await sign_in(oidc, "c3", userinfo={"email_verified": True})
    assert refused_with(none, caplog, "oidc.email_missing")
    for record in caplog.records:  # no address, token or name in the log
        assert DOCTOR not in record.getMessage() and "at-c" not in record.getMessage()


async def test_an_unknown_person_a_forged_state_and_a_cancelled_sign_in_are_refused(oidc, caplog):
    caplog.set_level(logging.INFO)
    _, stranger = await sign_in(oidc, "c1", userinfo={"email": "stranger@example.no", **VERIFIED})
    assert refused_with(stranger, caplog, "oidc.unknown_person")
    client, query = await _begin(oidc)
    oidc.provider.grant("c2", query, userinfo={"email": DOCTOR, **VERIFIED})
    assert refused_with(await client.get("/sign-in/oidc/callback?state=forged&code=c2"), caplog, "oidc.state_mismatch")
    client, query = await _begin(oidc)
    cancelled = await client.get(f"/sign-in/oidc/callback?state={query['state'][0]}&error=access_denied")
    assert refused_with(cancelled, caplog, "oidc.provider_error")
    assert any("access_denied" in r.getMessage() for r in caplog.records)
    client, query = await _begin(oidc)
    oidc.provider.grant("c5", query, userinfo={"email": DOCTOR, **VERIFIED})
    mixed_up = await client.get(f"/sign-in/oidc/callback?state={query['state'][0]}&code=c5&iss=https://evil.example")
    assert mixed_up.status_code == 503 and "(oidc.issuer_mismatch)" in mixed_up.text
    assert (await client.get("/api/me")).status_code == 401
    _, bad_audience = await sign_in(oidc, "c3", audience="other", userinfo={"email": DOCTOR, **VERIFIED})
    assert refused_with(bad_audience, caplog, "oidc.id_token_invalid")
    _, no_azp = await sign_in(oidc, "c4", audience=[CLIENT, "other"], userinfo={"email": DOCTOR, **VERIFIED})
    assert refused_with(no_azp, caplog, "oidc.azp_mismatch")


async def test_a_subject_is_bound_to_its_address_on_first_sign_in(oidc, caplog):
    caplog.set_level(logging.INFO)
    first, back = await sign_in(oidc, "c1", sub="sub-a", userinfo={"email": DOCTOR, **VERIFIED})
    assert back.status_code == 303
    # Another account at the provider claiming the same (verified) address: refused.
    _, other = await sign_in(oidc, "c2", sub="sub-b", userinfo={"email": DOCTOR, **VERIFIED})
    assert refused_with(other, caplog, "oidc.sub_mismatch")
    # The bound subject whose address changed at the provider — even to an operator's — signs
    # in as the bound address, with what that address is here.
    again, back = await sign_in(oidc, "c3", sub="sub-a", userinfo={"email": OPERATOR[0], **VERIFIED})
    assert back.status_code == 303
    me = (await again.get("/api/me")).json()
    assert me["doctors"] == [{"district": "demo", "doctor": "gp04"}] and me["roles"] == ["doctor"]
    db = await oidc.services.database()
    assert await db.oidc_bindings.bound_address(oidc.provider.issuer, "sub-a") == DOCTOR
    assert await db.oidc_bindings.subject_of(oidc.provider.issuer, OPERATOR[0]) is None


async def test_a_disabled_account_stays_out_whatever_role_the_provider_gives(oidc, caplog):
    caplog.set_level(logging.INFO)
    await disable_account(oidc.services, OPERATOR[0], actor="admin:test")
    client, back = await sign_in(oidc, "c1", userinfo={"email": OPERATOR[0], "roles": ["admin", "operator"], **VERIFIED})
    assert refused_with(back, caplog, "oidc.account_disabled")
    assert (await client.get("/api/me")).status_code == 401


async def test_roles_and_districts_from_nested_claims_and_a_map(app_database_url, tmp_path):
    async with oidc_stack(
        app_database_url, tmp_path, VAKT_OIDC_EMAIL_CLAIM="preferred_username", VAKT_OIDC_ROLE_CLAIM="realm_access.roles",
        VAKT_OIDC_OPERATOR_ROLES="vakt-operator-moss,vakt-operator-rade", VAKT_OIDC_ADMIN_ROLES="vakt-admin",
        VAKT_OIDC_DISTRICTS_BY_ROLE="vakt-operator-moss=moss;vakt-operator-rade=rade,demo",
    ) as stack:
        from app.identity.oidc import principal_from_claims

        claims = {"sub": "kc-1", "preferred_username": "ola@klinikk.example.no", "email_verified": True,
                  "realm_access": {"roles": ["vakt-operator-rade", "offline_access"]}}
        principal = await principal_from_claims(stack.services, claims)
        assert principal.roles == ("operator",) and principal.districts == ("rade", "demo")
        client, back = await sign_in(stack, "c1", sub="kc-2", userinfo={
            "preferred_username": "ida@klinikk.example.no", "email_verified": True,
            "realm_access": {"roles": ["vakt-admin"]}})
        assert back.status_code == 303
        assert (await client.get("/api/me")).json()["roles"] == ["admin"]


async def test_an_issuer_ending_in_a_slash_works_and_another_issuer_is_refused(app_database_url, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    async with oidc_stack(app_database_url, tmp_path / "a", issuer_path="/") as stack:
        assert stack.provider.issuer.endswith("/")
        _, back = await sign_in(stack, "c1", userinfo={"email": DOCTOR, **VERIFIED})
        assert back.status_code == 303, back.text
    async with oidc_stack(app_database_url, tmp_path / "b",
                          provider_options={"metadata_issuer": "https://evil.example"}) as stack:
        begun = await stack.client().get("/sign-in/oidc", headers={"Accept": "text/html"})
        assert begun.status_code == 503 and "(oidc.issuer_mismatch)" in begun.text
        assert any("oidc.issuer_mismatch" in r.getMessage() for r in caplog.records)
    async with oidc_stack(app_database_url, tmp_path / "c",
                          provider_options={"insecure_userinfo": True}) as stack:
        begun = await stack.client().get("/sign-in/oidc", headers={"Accept": "text/html"})
        assert begun.status_code == 503 and "(oidc.insecure_endpoint)" in begun.text


async def test_the_client_authenticates_as_configured(app_database_url, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    # A wrong secret: the token endpoint refuses the client.
    async with oidc_stack(app_database_url, tmp_path / "a", VAKT_OIDC_CLIENT_SECRET="wrong") as stack:
        _, back = await sign_in(stack, "c1", userinfo={"email": DOCTOR, **VERIFIED})
        assert refused_with(back, caplog, "oidc.token_exchange_failed")
        assert any("invalid_client" in r.getMessage() for r in caplog.records)
        assert not any("wrong" in r.getMessage() for r in caplog.records)
    async with oidc_stack(app_database_url, tmp_path / "b", VAKT_OIDC_CLIENT_AUTH="client_secret_post",
                          provider_options={"client_auth": "client_secret_post"}) as stack:
        _, back = await sign_in(stack, "c1", userinfo={"email": DOCTOR, **VERIFIED})
        assert back.status_code == 303, back.text
    key_file = tmp_path / "client.pem"
    key_file.write_bytes(CLIENT_KEY.as_pem(private=True))
    key_file.chmod(0o600)
    async with oidc_stack(app_database_url, tmp_path / "c", VAKT_OIDC_CLIENT_AUTH="private_key_jwt",
                          VAKT_OIDC_CLIENT_SECRET="", VAKT_OIDC_PRIVATE_KEY_FILE=str(key_file), VAKT_OIDC_KEY_ID="vakt-1",
                          provider_options={"client_auth": "private_key_jwt"}) as stack:
        _, back = await sign_in(stack, "c1", userinfo={"email": DOCTOR, **VERIFIED})
        assert back.status_code == 303, back.text
        (header, claims), = stack.provider.auth_seen
        assert header["alg"] == "RS256" and claims["exp"] - claims["iat"] <= 60 and claims["jti"]


async def test_mailed_links_are_off_for_operators_and_for_doctors_unless_allowed(app_database_url, tmp_path,
                                                                                   smtp_server, caplog):
    caplog.set_level(logging.INFO)

    def mailed_to(address):
        return [m for m in read_maildir(smtp_server.maildir) if address in m.to]

    async with oidc_stack(app_database_url, tmp_path / "a", smtp_server) as stack:
        client = stack.client()
        form = await client.get("/sign-in")
        assert 'action="/sign-in"' not in form.text and 'href="/sign-in/oidc"' in form.text
        for address in (OPERATOR[0], DOCTOR):
            answer = await client.post("/api/sign-in", json={"email": address})
            assert answer.status_code == 202  # the usual answer …
        await outgoing_mail()
        assert not mailed_to(OPERATOR[0]) and not mailed_to(DOCTOR)  # … and nothing sent
        # A link mailed before the provider was configured no longer signs an operator in.
        token, stored = signed_token(SECRET, LINK_PURPOSE)
        db = await stack.services.database()
        await db.accounts.create_link(stored, OPERATOR[0], expires_at=stack.services.clock.now() + timedelta(minutes=15))
        used = await client.post("/sign-in/link", data={"token": token})
        assert used.status_code == 401 and "(link.oidc_required)" in used.text and "identitetstjeneste" in used.text
        assert (await client.get("/api/me")).status_code == 401
    async with oidc_stack(app_database_url, tmp_path / "b", smtp_server, VAKT_OIDC_ALLOW_DOCTOR_LINKS="true") as stack:
        assert 'action="/sign-in"' in (await stack.client().get("/sign-in")).text
        client = await stack.sign_in(DOCTOR)  # doctors may, when the clinic allows it
        assert (await client.get("/api/me")).json()["via"] == "link"
        await stack.client().post("/api/sign-in", json={"email": OPERATOR[0]})
        await outgoing_mail()
        assert not mailed_to(OPERATOR[0])


async def test_a_confirmed_address_change_moves_the_binding(oidc):
    """For the e-mail change flow: the subject follows its person to the new address; a forgotten
    binding is made afresh at the next sign-in."""
    _, back = await sign_in(oidc, "c1", sub="sub-a", userinfo={"email": DOCTOR, **VERIFIED})
    assert back.status_code == 303
    bindings, issuer = (await oidc.services.database()).oidc_bindings, oidc.provider.issuer
    assert await bindings.move_address(DOCTOR, "GP04.New@Legekontor.example.no") == 1
    assert await bindings.bound_address(issuer, "sub-a") == "gp04.new@legekontor.example.no"
    assert await bindings.subject_of(issuer, DOCTOR) is None
    assert await bindings.forget_address("gp04.new@legekontor.example.no") == 1
    _, back = await sign_in(oidc, "c2", sub="sub-a", userinfo={"email": DOCTOR, **VERIFIED})
    assert back.status_code == 303 and await bindings.bound_address(issuer, "sub-a") == DOCTOR


async def test_the_page_wanted_before_signing_in_survives_the_provider(oidc):
    """`next` rides in the signed pending cookie; a hostile one lands on the home page."""
    for wanted, landing in (("/periods/demo-1/wishes", "/periods/demo-1/wishes"), ("//evil.example", "/")):
        client = oidc.client()
        begun = await client.get("/sign-in/oidc", params={"next": wanted})
        query = parse_qs(urlsplit(begun.headers["location"]).query)
        oidc.provider.grant(f"n-{landing}", query, sub="user-n", userinfo={"email": DOCTOR, "email_verified": True})
        back = await client.get(f"/sign-in/oidc/callback?state={query['state'][0]}&code=n-{landing}")
        assert back.status_code == 303 and back.headers["location"] == landing, back.text
