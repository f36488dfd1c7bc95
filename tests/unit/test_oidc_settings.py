"""The identity provider's settings (infra/oidc_settings.py) and the checks on its answer
(app/identity/oidc_claims.py, oidc_client.client_assertion), without a network."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from app.identity.oidc_claims import (
    claim_at, districts_of, email_of, merged_claims, roles_of, validate_id_token,
)
from app.identity.oidc_client import authenticated, client_assertion
from app.identity.oidc_refusals import OidcRefused
from infra.oidc_settings import oidc_settings_from_env, secure_url
from infra.web_settings import WebSettings, WebSettingsError
from tests.web.fake_oidc_provider import CLIENT, CLIENT_KEY, OTHER_KEY, PUBLIC_KEYS, id_token

ISSUER = "https://idp.example.no"
PEM = CLIENT_KEY.as_pem(private=True).decode()


def settings(**env):
    values = {"VAKT_OIDC_ISSUER": ISSUER, "VAKT_OIDC_CLIENT_ID": CLIENT, "VAKT_OIDC_CLIENT_SECRET": "s3cret-value", **env}
    return oidc_settings_from_env(lambda name: values.get(name) or None)


def refusal(call) -> str:
    with pytest.raises(OidcRefused) as caught:
        call()
    return caught.value.code


def test_https_is_required_except_on_loopback_and_the_issuer_is_kept_as_written():
    assert settings(VAKT_OIDC_ISSUER="https://helseid-sts.nhn.no/").issuer == "https://helseid-sts.nhn.no/"
    for loopback in ("http://127.0.0.1:9000", "http://localhost:9000/", "http://[::1]:9000"):
        assert settings(VAKT_OIDC_ISSUER=loopback).issuer == loopback
    for insecure in ("http://idp.example.no", "http://10.0.0.5", "ftp://idp.example.no", "idp.example.no"):
        with pytest.raises(ValueError, match="VAKT_OIDC_ISSUER: must be an https URL"):
            settings(VAKT_OIDC_ISSUER=insecure)
    assert not secure_url("http://127.0.0.1.evil.example/token") and secure_url("https://login.microsoftonline.com/x")


def test_every_setting_names_its_variable_and_never_shows_a_secret(tmp_path: Path):
    with pytest.raises(ValueError, match="VAKT_OIDC_CLIENT_AUTH"):
        settings(VAKT_OIDC_CLIENT_AUTH="client_secret_jwt")
    with pytest.raises(ValueError, match="VAKT_OIDC_CLIENT_SECRET: required"):
        settings(VAKT_OIDC_CLIENT_SECRET="")
    with pytest.raises(ValueError, match="VAKT_OIDC_KEY_ID"):
        settings(VAKT_OIDC_CLIENT_AUTH="private_key_jwt", VAKT_OIDC_PRIVATE_KEY=PEM)
    with pytest.raises(ValueError, match=r"VAKT_OIDC_PRIVATE_KEY\(_FILE\): not a PEM") as bad:
        settings(VAKT_OIDC_CLIENT_AUTH="private_key_jwt", VAKT_OIDC_PRIVATE_KEY="-----BEGIN junk-----", VAKT_OIDC_KEY_ID="k")
    assert "junk" not in str(bad.value)
    with pytest.raises(ValueError, match="VAKT_OIDC_PRIVATE_KEY_FILE: cannot be read"):
        settings(VAKT_OIDC_CLIENT_AUTH="private_key_jwt", VAKT_OIDC_PRIVATE_KEY_FILE=str(tmp_path / "none"),
                 VAKT_OIDC_KEY_ID="k")
    shared = tmp_path / "shared.pem"
    shared.write_text(PEM)
    shared.chmod(0o644)
    with pytest.raises(ValueError, match="VAKT_OIDC_PRIVATE_KEY_FILE: readable by others"):
        settings(VAKT_OIDC_CLIENT_AUTH="private_key_jwt", VAKT_OIDC_PRIVATE_KEY_FILE=str(shared), VAKT_OIDC_KEY_ID="k")
    shared.chmod(0o600)
    assert settings(VAKT_OIDC_CLIENT_AUTH="private_key_jwt", VAKT_OIDC_PRIVATE_KEY_FILE=str(shared),
                    VAKT_OIDC_KEY_ID="k").private_key.get_secret_value() == PEM
    with pytest.raises(ValueError, match="VAKT_OIDC_DISTRICTS_BY_ROLE"):
        settings(VAKT_OIDC_DISTRICTS_BY_ROLE="operator")
    with pytest.raises(ValueError, match="VAKT_OIDC_ALLOW_DOCTOR_LINKS"):
        settings(VAKT_OIDC_ALLOW_DOCTOR_LINKS="maybe")
    keyed = settings(VAKT_OIDC_CLIENT_AUTH="private_key_jwt", VAKT_OIDC_PRIVATE_KEY=PEM, VAKT_OIDC_KEY_ID="vakt-1")
    assert "PRIVATE KEY" not in repr(keyed) and "s3cret-value" not in repr(settings())
    env = {"VAKT_OIDC_ISSUER": "http://idp.example.no", "VAKT_OIDC_CLIENT_ID": CLIENT, "VAKT_OIDC_CLIENT_SECRET": "x",
           "VAKT_SESSION_SECRET": "y" * 40}
    with pytest.raises(WebSettingsError, match="VAKT_OIDC_ISSUER"):
        WebSettings.from_env(tmp_path, "http://127.0.0.1:8000", env)


def test_the_id_token_checks_signature_issuer_audience_azp_nonce_and_expiry():
    good = id_token(ISSUER, "n1", email="kari@klinikk.example.no")
    assert validate_id_token(good, PUBLIC_KEYS, issuer=ISSUER, client_id=CLIENT, nonce="n1")["sub"] == "user-1"
    several = id_token(ISSUER, "n1", audience=[CLIENT, "api"], azp=CLIENT)
    assert validate_id_token(several, PUBLIC_KEYS, issuer=ISSUER, client_id=CLIENT, nonce="n1")["azp"] == CLIENT
    bad = {
        "oidc.id_token_invalid": [id_token(ISSUER, "n1", key=OTHER_KEY), id_token(ISSUER, "n1", audience="other"),
                                  id_token("https://evil.example", "n1"), id_token(ISSUER, "n1", expires_in=-600),
                                  id_token(ISSUER + "/", "n1"), id_token(ISSUER, "n2"), "abc.def.ghi"],
        "oidc.azp_mismatch": [id_token(ISSUER, "n1", audience=[CLIENT, "api"]),
                              id_token(ISSUER, "n1", audience=[CLIENT, "api"], azp="api"),
                              id_token(ISSUER, "n1", azp="another-client")],
    }
    for code, tokens in bad.items():
        for token in tokens:
            assert refusal(lambda: validate_id_token(token, PUBLIC_KEYS, issuer=ISSUER, client_id=CLIENT,
                                                     nonce="n1")) == code


def test_userinfo_claims_merge_but_never_replace_the_id_tokens_protocol_claims():
    merged = merged_claims({"iss": ISSUER, "sub": "u1", "aud": CLIENT, "email": "old@x.no"},
                           {"sub": "u1", "email": "new@x.no", "iss": "https://evil.example", "nonce": "x"})
    assert merged == {"iss": ISSUER, "sub": "u1", "aud": CLIENT, "email": "new@x.no"}


def test_the_address_must_be_vouched_for_from_the_configured_claim():
    plain = settings()
    assert email_of({"email": "Kari@Klinikk.Example.no", "email_verified": True}, plain) == "kari@klinikk.example.no"
    assert email_of({"email": "kari@klinikk.example.no", "email_verified": "true"}, plain)
    for unverified in ({"email": "kari@klinikk.example.no"}, {"email": "kari@klinikk.example.no", "email_verified": False},
                       {"email": "kari@klinikk.example.no", "email_verified": "yes please"}):
        assert refusal(lambda: email_of(unverified, plain)) == "oidc.email_unverified"
    assert refusal(lambda: email_of({"email": "not an address", "email_verified": True}, plain)) == "oidc.email_missing"
    assert refusal(lambda: email_of({"email": ["a@b.no"], "email_verified": True}, plain)) == "oidc.email_missing"
    entra = settings(VAKT_OIDC_EMAIL_CLAIM="preferred_username", VAKT_OIDC_EMAIL_VERIFIED_CLAIM="xms_edov")
    assert email_of({"preferred_username": "ola@klinikk.no", "xms_edov": True}, entra) == "ola@klinikk.no"
    assert refusal(lambda: email_of({"preferred_username": "ola@klinikk.no"}, entra)) == "oidc.email_unverified"


def test_roles_and_districts_come_from_the_configured_claims_and_map():
    keycloak = settings(VAKT_OIDC_ROLE_CLAIM="realm_access.roles", VAKT_OIDC_OPERATOR_ROLES="Vakt.Operator",
                        VAKT_OIDC_ADMIN_ROLES="Vakt.Admin", VAKT_OIDC_DISTRICT_CLAIM="vakt_districts",
                        VAKT_OIDC_DISTRICTS_BY_ROLE="Vakt.Admin=moss,rade; Vakt.Operator=demo")
    claims = {"realm_access": {"roles": ["vakt.operator", "uma_authorization"]}, "vakt_districts": ["moss", "../x", 3]}
    assert roles_of(claims, keycloak) == ("operator",)
    assert districts_of(claims, keycloak) == ("moss", "demo")  # the claim's valid ids, then the map's
    assert roles_of({"realm_access": {"roles": "Vakt.Admin"}}, keycloak) == ("admin",)
    assert districts_of({"vakt_districts": ["moss"]}, keycloak) == ()  # no role: no districts
    assert claim_at({"https://x.example/roles": ["a"]}, "https://x.example/roles") == ["a"]  # a dotted name, whole
    assert roles_of({"roles": ["operator", "admin"]}, settings()) == ("operator", "admin")


def test_private_key_jwt_sends_a_signed_short_lived_client_assertion():
    keyed = settings(VAKT_OIDC_CLIENT_AUTH="private_key_jwt", VAKT_OIDC_PRIVATE_KEY=PEM, VAKT_OIDC_KEY_ID="vakt-1",
                     VAKT_OIDC_CLIENT_SECRET="")
    form, headers = authenticated(keyed, f"{ISSUER}/connect/token", {"code": "c"})
    assert not headers and "client_secret" not in form and form["client_id"] == CLIENT
    token = jwt.decode(form["client_assertion"], RSAKey.import_key(CLIENT_KEY.as_dict(private=False)))
    now = time.time()
    assert token.header == {"alg": "RS256", "kid": "vakt-1", "typ": "JWT"}
    assert token.claims["iss"] == token.claims["sub"] == CLIENT and token.claims["aud"] == f"{ISSUER}/connect/token"
    assert now - 5 <= token.claims["iat"] <= now + 5 and token.claims["exp"] == token.claims["iat"] + 60
    helseid = settings(VAKT_OIDC_CLIENT_AUTH="private_key_jwt", VAKT_OIDC_PRIVATE_KEY=PEM, VAKT_OIDC_KEY_ID="vakt-1",
                       VAKT_OIDC_CLIENT_ASSERTION_AUDIENCE="issuer")
    other = jwt.decode(client_assertion(helseid, f"{ISSUER}/connect/token"), RSAKey.import_key(CLIENT_KEY.as_dict()))
    assert other.claims["aud"] == ISSUER and other.claims["jti"] != token.claims["jti"]
    form, headers = authenticated(settings(VAKT_OIDC_CLIENT_AUTH="client_secret_post"), "t", {})
    assert form == {"client_id": CLIENT, "client_secret": "s3cret-value"} and not headers
    form, headers = authenticated(settings(VAKT_OIDC_CLIENT_SECRET="a:b/c"), "t", {})
    assert not form and headers["Authorization"] == "Basic dmFrdC13ZWI6YSUzQWIlMkZj"  # each part form-encoded
