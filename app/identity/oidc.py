"""OpenID Connect sign-in (the production option: HelseID, Entra ID …), configured from
the environment (infra.web_settings). Authorization code flow with PKCE, state and nonce
(authlib builds the request; joserfc, authlib's JOSE library, checks the ID token).

The ID token must be signed by a key of the issuer's key set (RS256/ES256/PS256), name this
service as its audience, come from the configured issuer, carry the nonce this sign-in sent, and
be unexpired. Roles come from the configured claim (`operator`, `admin`); a doctor is whoever
the registry lists with the token's e-mail address. A token that fails any check signs nobody in.
"""

from __future__ import annotations

import asyncio
import json
import urllib.parse
import urllib.request
from typing import Any

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry
from pydantic import BaseModel

from app.bootstrap import Services
from app.errors import BadInput, Unauthenticated, Unavailable
from app.identity.sign_in import normal_address, principal_for
from domain.identity import Principal
from infra.clock import SystemClock  # tokens are judged by real time: the provider's clock
from infra.web_settings import OidcSettings
import base64

ALGORITHMS = ["RS256", "ES256", "PS256"]
LEEWAY = 60  # seconds of clock difference allowed
HTTP_TIMEOUT = 10.0
REFUSED = "the identity provider's answer did not sign you in; try again"
_discovery: dict[str, dict] = {}


class PendingSignIn(BaseModel):
    """What the browser keeps (in a signed, short-lived cookie) between the two legs."""

    state: str
    nonce: str
    verifier: str
    expires: int


def _fetch_json(url: str, data: dict | None = None, auth: tuple[str, str] | None = None) -> Any:
    headers = {"Accept": "application/json"}
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if auth is not None:
        pair = f"{urllib.parse.quote(auth[0], safe='')}:{urllib.parse.quote(auth[1], safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    request = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 - the configured issuer
        return json.loads(response.read(1_000_000))


async def discovery(settings: OidcSettings) -> dict:
    """The issuer's metadata (/.well-known/openid-configuration), fetched once."""
    if settings.issuer not in _discovery:
        try:
            document = await asyncio.to_thread(_fetch_json, f"{settings.issuer}/.well-known/openid-configuration")
        except (OSError, ValueError) as e:
            raise Unavailable(f"the identity provider did not answer ({type(e).__name__})") from None
        if document.get("issuer", "").rstrip("/") != settings.issuer:
            raise Unavailable("the identity provider's metadata names another issuer")
        _discovery[settings.issuer] = document
    return _discovery[settings.issuer]


def _settings(services: Services) -> OidcSettings:
    oidc = services.web_settings.oidc
    if oidc is None:
        raise BadInput("sign-in: OpenID Connect is not configured (VAKT_OIDC_ISSUER)")
    return oidc


async def begin(services: Services, redirect_uri: str) -> tuple[str, PendingSignIn]:
    """The provider's authorization URL and what to keep until the callback."""
    oidc = _settings(services)
    meta = await discovery(oidc)
    pending = PendingSignIn(
        state=generate_token(32), nonce=generate_token(32), verifier=generate_token(64), expires=int(SystemClock().now().timestamp()) + 600
    )
    url = prepare_grant_uri(
        meta["authorization_endpoint"], oidc.client_id, "code", redirect_uri=redirect_uri, scope=oidc.scopes,
        state=pending.state, nonce=pending.nonce,
        code_challenge=create_s256_code_challenge(pending.verifier), code_challenge_method="S256",
    )
    return url, pending


def validate_id_token(
    id_token: str, keys: dict, *, issuer: str, client_id: str, nonce: str, now: float | None = None
) -> dict:
    """The ID token's claims, once every check holds; Unauthenticated otherwise (one message)."""
    try:
        token = jwt.decode(id_token, KeySet.import_key_set(keys), algorithms=ALGORITHMS)
        registry = JWTClaimsRegistry(
            now=int(now if now is not None else SystemClock().now().timestamp()),
            leeway=LEEWAY,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": client_id},
            nonce={"essential": True, "value": nonce},
            exp={"essential": True},
            sub={"essential": True},
        )
        registry.validate(token.claims)
    except (JoseError, ValueError, TypeError, KeyError):
        raise Unauthenticated(REFUSED) from None
    return dict(token.claims)


def roles_from(claims: dict, claim: str) -> tuple[str, ...]:
    value = claims.get(claim)
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return tuple(r for r in ("operator", "admin") if r in {str(v).lower() for v in values})


async def principal_from_claims(services: Services, claims: dict) -> Principal:
    oidc = _settings(services)
    if claims.get("email_verified") is False:
        raise Unauthenticated(REFUSED)
    try:
        email = normal_address(str(claims.get("email") or ""))
    except BadInput:
        raise Unauthenticated(REFUSED) from None
    name = str(claims.get("name") or "").strip()[:100] or None
    principal = await principal_for(services, email, via="oidc", extra_roles=roles_from(claims, oidc.role_claim), name=name)
    if principal is None:
        raise Unauthenticated(REFUSED)
    return principal


async def complete(services: Services, pending: PendingSignIn | None, *, state: str, code: str, redirect_uri: str) -> Principal:
    """The callback: check the state, exchange the code, validate the ID token, find the person."""
    oidc = _settings(services)
    if pending is None or pending.expires < SystemClock().now().timestamp() or not state or state != pending.state or not code:
        raise Unauthenticated(REFUSED)
    meta = await discovery(oidc)
    try:
        tokens = await asyncio.to_thread(
            _fetch_json,
            meta["token_endpoint"],
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
             "code_verifier": pending.verifier},
            (oidc.client_id, oidc.client_secret.get_secret_value()),
        )
        keys = oidc.jwks or await asyncio.to_thread(_fetch_json, meta["jwks_uri"])
    except (OSError, ValueError, KeyError):
        raise Unauthenticated(REFUSED) from None
    claims = validate_id_token(
        str(tokens.get("id_token", "")), keys, issuer=oidc.issuer, client_id=oidc.client_id, nonce=pending.nonce
    )
    return await principal_from_claims(services, claims)
