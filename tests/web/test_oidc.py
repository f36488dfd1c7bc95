"""OpenID Connect sign-in (issue 9's production option), configured from the environment and
tested against an identity provider this test serves, with RSA keys this test makes: the ID
token must be signed by the provider's key, for this client, from this issuer, with this
sign-in's nonce, unexpired; roles come from the configured claim."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI, Request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from app.errors import Unauthenticated
from app.identity.oidc import validate_id_token
from tests.helpers.mail import free_port
from tests.helpers.support import services_for
from tests.web.stack import SECRET, Stack, serve
from tests.web.test_identity import _registry

CLIENT = "vakt-web"
KEY = RSAKey.generate_key(2048, parameters={"kid": "idp-1"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "idp-1"})
PUBLIC_KEYS = KeySet([KEY]).as_dict(private=False)


def id_token(issuer: str, nonce: str, *, key=KEY, audience=CLIENT, expires_in=300, **claims) -> str:
    now = int(time.time())
    payload = {"iss": issuer, "aud": audience, "sub": "user-1", "iat": now, "exp": now + expires_in, "nonce": nonce,
               **claims}
    return jwt.encode({"alg": "RS256", "kid": "idp-1"}, payload, key)


def test_id_token_validation_refuses_every_bad_token():
    issuer = "https://idp.example.no"
    good = id_token(issuer, "n1", email="kari@klinikk.example.no")
    assert validate_id_token(good, PUBLIC_KEYS, issuer=issuer, client_id=CLIENT, nonce="n1")["sub"] == "user-1"
    bad = {
        "other key": id_token(issuer, "n1", key=OTHER_KEY),
        "other audience": id_token(issuer, "n1", audience="someone-else"),
        "other issuer": id_token("https://evil.example", "n1"),
        "expired": id_token(issuer, "n1", expires_in=-600),
        "not a token": "abc.def.ghi",
    }
    for what, token in bad.items():
        with pytest.raises(Unauthenticated):
            validate_id_token(token, PUBLIC_KEYS, issuer=issuer, client_id=CLIENT, nonce="n1")
    with pytest.raises(Unauthenticated):  # another sign-in's nonce
        validate_id_token(good, PUBLIC_KEYS, issuer=issuer, client_id=CLIENT, nonce="n2")


def identity_provider(issuer: str, issued: dict) -> FastAPI:
    idp = FastAPI()

    @idp.get("/.well-known/openid-configuration")
    async def metadata():
        return {"issuer": issuer, "authorization_endpoint": f"{issuer}/authorize", "token_endpoint": f"{issuer}/token",
                "jwks_uri": f"{issuer}/jwks"}

    @idp.get("/jwks")
    async def jwks():
        return PUBLIC_KEYS

    @idp.post("/token")
    async def token(request: Request):
        form = parse_qs((await request.body()).decode())
        grant = issued[form["code"][0]]
        challenge = base64.urlsafe_b64encode(hashlib.sha256(form["code_verifier"][0].encode()).digest()).rstrip(b"=")
        assert challenge.decode() == grant["challenge"]  # PKCE
        assert request.headers["authorization"].startswith("Basic ")
        return {"access_token": "x", "token_type": "Bearer", "id_token": grant["id_token"]}

    return idp


@pytest.fixture
async def oidc_stack(app_database_url, tmp_path):
    idp_port, port = free_port(), free_port()
    issuer = f"http://127.0.0.1:{idp_port}"
    issued: dict = {}
    idp_server, idp_task = await serve_app(identity_provider(issuer, issued), idp_port)
    services = services_for(
        app_database_url, tmp_path, None, VAKT_PUBLIC_URL=f"http://127.0.0.1:{port}", VAKT_SESSION_SECRET=SECRET,
        VAKT_OIDC_ISSUER=issuer, VAKT_OIDC_CLIENT_ID=CLIENT, VAKT_OIDC_CLIENT_SECRET="s3cret", TEMPORAL_ADDRESS="127.0.0.1:1",
    )
    server, task = await serve(services, port)
    stack = Stack(services, f"http://127.0.0.1:{port}", tmp_path / "mail")
    try:
        yield stack, issuer, issued
    finally:
        for client in stack.clients:
            await client.aclose()
        for s, t in ((server, task), (idp_server, idp_task)):
            s.should_exit = True
            await t
        await services.aclose()


async def serve_app(app, port):
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    return server, task


async def _begin(stack):
    client = stack.client()
    begun = await client.get("/sign-in/oidc")
    assert begun.status_code == 303
    query = parse_qs(urlsplit(begun.headers["location"]).query)
    assert query["client_id"] == [CLIENT] and query["code_challenge_method"] == ["S256"]
    return client, query


async def test_oidc_signs_in_an_operator_by_role_claim_and_a_doctor_by_address(oidc_stack):
    stack, issuer, issued = oidc_stack
    await _registry(stack)
    client, query = await _begin(stack)
    issued["c1"] = {"challenge": query["code_challenge"][0], "id_token": id_token(
        issuer, query["nonce"][0], email="Ola.Operator@Klinikk.example.no", name="Ola Operatør", roles=["operator"])}
    back = await client.get(f"/sign-in/oidc/callback?state={query['state'][0]}&code=c1")
    assert back.status_code == 303, back.text
    me = (await client.get("/api/me")).json()
    assert me["roles"] == ["operator"] and me["name"] == "Ola Operatør" and me["via"] == "oidc"

    doctor, query = await _begin(stack)
    issued["c2"] = {"challenge": query["code_challenge"][0],
                    "id_token": id_token(issuer, query["nonce"][0], email="gp04@legekontor.example.no")}
    assert (await doctor.get(f"/sign-in/oidc/callback?state={query['state'][0]}&code=c2")).status_code == 303
    assert (await doctor.get("/api/me")).json()["doctors"] == [{"district": "demo", "doctor": "gp04"}]


async def test_oidc_refuses_a_wrong_state_a_bad_token_and_an_unknown_person(oidc_stack):
    stack, issuer, issued = oidc_stack
    await _registry(stack)
    client, query = await _begin(stack)
    issued["c3"] = {"challenge": query["code_challenge"][0],
                    "id_token": id_token(issuer, query["nonce"][0], email="gp04@legekontor.example.no")}
    assert (await client.get("/sign-in/oidc/callback?state=forged&code=c3")).status_code == 401
    client, query = await _begin(stack)
    issued["c4"] = {"challenge": query["code_challenge"][0],
                    "id_token": id_token(issuer, query["nonce"][0], audience="other", email="gp04@legekontor.example.no")}
    assert (await client.get(f"/sign-in/oidc/callback?state={query['state'][0]}&code=c4")).status_code == 401
    client, query = await _begin(stack)
    issued["c5"] = {"challenge": query["code_challenge"][0],
                    "id_token": id_token(issuer, query["nonce"][0], email="stranger@example.no")}
    refused = await client.get(f"/sign-in/oidc/callback?state={query['state'][0]}&code=c5")
    assert refused.status_code == 401 and (await client.get("/api/me")).status_code == 401
