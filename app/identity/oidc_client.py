"""Talking to the OpenID provider: its metadata (discovery), the code exchange with the
configured client authentication (client_secret_basic, client_secret_post, or private_key_jwt:
a client assertion signed with the service's key, RFC 7523), its key set and userinfo.

Every endpoint must be https, except on this machine (a provider under test). A failure is an
OidcRefused with its reason code; an OAuth error code from the provider is kept beside it for
the log (a fixed word like `invalid_client`, never a token)."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from authlib.common.security import generate_token
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from app.identity.oidc_refusals import OidcRefused
from infra.clock import SystemClock
from infra.oidc_settings import OidcSettings, secure_url

HTTP_TIMEOUT = 10.0
MAX_ANSWER = 1_000_000
ASSERTION_LIFETIME = 60  # seconds
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")
OAUTH_ERROR = re.compile(r"^[a-z_]{1,40}$")
_discovery: dict[str, dict] = {}


class ProviderAnswer(Exception):
    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(status)
        self.status = status
        self.body = body

    def oauth_error(self) -> str | None:
        try:
            error = json.loads(self.body).get("error")
        except (ValueError, AttributeError):
            return None
        return error if isinstance(error, str) and OAUTH_ERROR.match(error) else None


def _fetch_json(url: str, data: dict | None = None, headers: dict | None = None) -> Any:
    headers = {"Accept": "application/json", **(headers or {})}
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 - the configured issuer's
            if "json" not in response.headers.get("Content-Type", "application/json"):
                raise ValueError("not JSON")  # e.g. a signed userinfo answer, which this client never asks for
            return json.loads(response.read(MAX_ANSWER))
    except urllib.error.HTTPError as e:
        raise ProviderAnswer(e.code, e.read(10_000)) from None


async def discovery(settings: OidcSettings) -> dict:
    """The issuer's metadata, fetched once: its `issuer` must be exactly the configured one,
    and every endpoint https (loopback excepted)."""
    if settings.issuer not in _discovery:
        url = settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            document = await asyncio.to_thread(_fetch_json, url)
        except (OSError, ValueError, ProviderAnswer):
            raise OidcRefused("oidc.provider_unavailable") from None
        if not isinstance(document, dict) or document.get("issuer") != settings.issuer:
            raise OidcRefused("oidc.issuer_mismatch")
        for name in ENDPOINTS:
            if name in document and not (isinstance(document[name], str) and secure_url(document[name])):
                raise OidcRefused("oidc.insecure_endpoint")
        if not all(isinstance(document.get(n), str) for n in ("authorization_endpoint", "token_endpoint")):
            raise OidcRefused("oidc.provider_unavailable")
        _discovery[settings.issuer] = document
    return _discovery[settings.issuer]


def client_assertion(settings: OidcSettings, token_endpoint: str, now: int | None = None) -> str:
    """A short-lived JWT naming this client, signed with its private key (RFC 7523 2.2)."""
    now = int(SystemClock().now().timestamp()) if now is None else now
    kind = ECKey if settings.assertion_alg.startswith("ES") else RSAKey
    key = kind.import_key(settings.private_key.get_secret_value())
    audience = settings.issuer if settings.assertion_audience == "issuer" else token_endpoint
    claims = {"iss": settings.client_id, "sub": settings.client_id, "aud": audience, "jti": generate_token(32),
              "iat": now, "nbf": now, "exp": now + ASSERTION_LIFETIME}
    header = {"alg": settings.assertion_alg, "kid": settings.key_id, "typ": "JWT"}
    return jwt.encode(header, claims, key, algorithms=[settings.assertion_alg])


def authenticated(settings: OidcSettings, token_endpoint: str, form: dict) -> tuple[dict, dict]:
    """The token request's form and headers with this client's authentication."""
    form, headers = {**form}, {}
    if settings.client_auth == "private_key_jwt":
        form.update(client_id=settings.client_id, client_assertion=client_assertion(settings, token_endpoint),
                    client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    elif settings.client_auth == "client_secret_post":
        form.update(client_id=settings.client_id, client_secret=settings.client_secret.get_secret_value())
    else:  # client_secret_basic: each part form-encoded first (RFC 6749 2.3.1)
        pair = ":".join(urllib.parse.quote(v, safe="") for v in
                        (settings.client_id, settings.client_secret.get_secret_value()))
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    return form, headers


async def exchange_code(settings: OidcSettings, meta: dict, *, code: str, redirect_uri: str, verifier: str) -> dict:
    """The token endpoint's answer to the code (with the PKCE verifier)."""
    form, headers = authenticated(settings, meta["token_endpoint"], {
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier})
    try:
        tokens = await asyncio.to_thread(_fetch_json, meta["token_endpoint"], form, headers)
    except ProviderAnswer as e:
        raise OidcRefused("oidc.token_exchange_failed", e.oauth_error()) from None
    except (OSError, ValueError):
        raise OidcRefused("oidc.token_exchange_failed") from None
    if not isinstance(tokens, dict) or not isinstance(tokens.get("id_token"), str):
        raise OidcRefused("oidc.token_exchange_failed")
    return tokens


async def key_set(settings: OidcSettings, meta: dict) -> dict:
    if settings.jwks is not None:
        return settings.jwks
    try:
        keys = await asyncio.to_thread(_fetch_json, meta["jwks_uri"])
    except (OSError, ValueError, KeyError, ProviderAnswer):
        raise OidcRefused("oidc.provider_unavailable") from None
    if not isinstance(keys, dict):
        raise OidcRefused("oidc.provider_unavailable")
    return keys


async def userinfo(meta: dict, access_token: Any) -> dict | None:
    """The userinfo endpoint's claims for this access token; None when the provider has none."""
    endpoint = meta.get("userinfo_endpoint")
    if not endpoint:
        return None
    if not isinstance(access_token, str) or not access_token:
        raise OidcRefused("oidc.userinfo_failed")
    try:
        claims = await asyncio.to_thread(_fetch_json, endpoint, None, {"Authorization": f"Bearer {access_token}"})
    except ProviderAnswer as e:
        raise OidcRefused("oidc.userinfo_failed", e.oauth_error()) from None
    except (OSError, ValueError):
        raise OidcRefused("oidc.userinfo_failed") from None
    if not isinstance(claims, dict):
        raise OidcRefused("oidc.userinfo_failed")
    return claims
