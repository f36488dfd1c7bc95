"""OpenID Connect sign-in (the production option: HelseID, Entra ID …), configured from the
environment (infra.oidc_settings). Authorization code flow with PKCE, state and nonce (authlib
builds the request; joserfc checks the ID token); the userinfo claims merged in
(app/identity/oidc_client.py, oidc_claims.py).

Who signs in: the provider's subject (issuer + `sub`) is bound to an address at the first
sign-in (migration 013) and decides after that:
- a subject seen before signs in as its bound address, even when the provider's e-mail claim
  changed since: an address at the provider can be edited or reassigned, the subject cannot, and
  a clinic's registry address changes only through the clinic (moving the binding with it);
- a subject not seen before signs in as the address it claims (verified by the provider) if
  that address is someone's here, and no other subject of this provider is bound to it;
- a disabled account (`vakt account disable`) stays out, whatever role the provider gives.
Every refusal is an OidcRefused with a reason code, logged here without personal data.
"""

from __future__ import annotations

import logging

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from pydantic import BaseModel

from app.bootstrap import Services
from app.errors import BadInput
from app.identity import oidc_client
from app.identity.oidc_claims import (
    display_name, districts_of, email_of, merged_claims, roles_of, validate_id_token,
)
from app.identity.oidc_refusals import OidcRefused, log_refusal
from app.identity.sign_in import principal_for
from domain.identity import Principal
from infra.clock import SystemClock  # the pending sign-in's expiry: real time, like the provider's
from infra import metrics
from infra.oidc_settings import OidcSettings

log = logging.getLogger(__name__)
PENDING_LIFETIME = 600  # seconds from leaving for the provider to coming back


class PendingSignIn(BaseModel):
    """What the browser keeps (in a signed, short-lived cookie) between the two legs."""

    state: str
    nonce: str
    verifier: str
    expires: int
    next: str = "/"  # the page to land on after the provider (checked again at the callback)


def _settings(services: Services) -> OidcSettings:
    oidc = services.web_settings.oidc
    if oidc is None:
        raise BadInput("sign-in: OpenID Connect is not configured (VAKT_OIDC_ISSUER)")
    return oidc


async def begin(services: Services, redirect_uri: str, next_path: str = "/") -> tuple[str, PendingSignIn]:
    """The provider's authorization URL and what to keep until the callback."""
    oidc = _settings(services)
    try:
        meta = await oidc_client.discovery(oidc)
    except OidcRefused as refusal:
        log_refusal(refusal)
        raise
    pending = PendingSignIn(state=generate_token(32), nonce=generate_token(32), verifier=generate_token(64),
                            expires=int(SystemClock().now().timestamp()) + PENDING_LIFETIME, next=next_path)
    url = prepare_grant_uri(
        meta["authorization_endpoint"], oidc.client_id, "code", redirect_uri=redirect_uri, scope=oidc.scopes,
        state=pending.state, nonce=pending.nonce,
        code_challenge=create_s256_code_challenge(pending.verifier), code_challenge_method="S256",
    )
    return url, pending


async def complete(services: Services, pending: PendingSignIn | None, *, state: str, code: str, redirect_uri: str,
                   error: str = "", iss: str = "") -> Principal:
    """The callback: check the state, exchange the code, validate the ID token, merge the
    userinfo claims, find the person. OidcRefused (logged with its reason) otherwise."""
    try:
        principal = await _complete(services, pending, state=state, code=code, redirect_uri=redirect_uri, error=error,
                                    iss=iss)
    except OidcRefused as refusal:
        log_refusal(refusal)
        metrics.SIGN_INS.labels(method="oidc", outcome="refused").inc()
        raise
    metrics.SIGN_INS.labels(method="oidc", outcome="signed-in").inc()
    return principal


async def _complete(services: Services, pending: PendingSignIn | None, *, state: str, code: str, redirect_uri: str,
                    error: str, iss: str) -> Principal:
    oidc = _settings(services)
    if pending is None or pending.expires < SystemClock().now().timestamp() or not state or state != pending.state:
        raise OidcRefused("oidc.state_mismatch")
    if iss and iss != oidc.issuer:  # RFC 9207: an answer from another provider (a mix-up)
        raise OidcRefused("oidc.issuer_mismatch")
    if error or not code:
        raise OidcRefused("oidc.provider_error", error if oidc_client.OAUTH_ERROR.match(error or "") else None)
    meta = await oidc_client.discovery(oidc)
    tokens = await oidc_client.exchange_code(oidc, meta, code=code, redirect_uri=redirect_uri, verifier=pending.verifier)
    keys = await oidc_client.key_set(oidc, meta)
    id_claims = validate_id_token(tokens["id_token"], keys, issuer=oidc.issuer, client_id=oidc.client_id,
                                  nonce=pending.nonce)
    userinfo = await oidc_client.userinfo(meta, tokens.get("access_token"))
    if userinfo is not None and userinfo.get("sub") != id_claims["sub"]:
        raise OidcRefused("oidc.userinfo_sub_mismatch")
    return await principal_from_claims(services, merged_claims(id_claims, userinfo))


async def principal_from_claims(services: Services, claims: dict) -> Principal:
    """The person these (checked, merged) claims sign in, binding a new subject to its address."""
    oidc = _settings(services)
    db = await services.database()
    claimed = email_of(claims, oidc)
    bound = await db.oidc_bindings.bound_address(oidc.issuer, claims["sub"])
    if bound is None and await db.oidc_bindings.subject_of(oidc.issuer, claimed) not in (None, claims["sub"]):
        raise OidcRefused("oidc.sub_mismatch")
    email = bound or claimed
    if bound is not None and bound != claimed:
        log.info("OIDC sign-in: the provider's address changed; signed in as the bound one")
    if await db.accounts.is_disabled(email):
        raise OidcRefused("oidc.account_disabled")
    principal = await principal_for(
        services, email, via="oidc", extra_roles=roles_of(claims, oidc), extra_districts=districts_of(claims, oidc),
        name=display_name(claims),
    )
    if principal is None:
        raise OidcRefused("oidc.unknown_person")
    if bound is None and not await db.oidc_bindings.bind(oidc.issuer, claims["sub"], email):
        # A concurrent first sign-in bound it: the same subject (another tab) is fine.
        if await db.oidc_bindings.bound_address(oidc.issuer, claims["sub"]) != email:
            raise OidcRefused("oidc.sub_mismatch")
    return principal
