"""What an OpenID provider's answer says, checked and mapped to this service's terms: the ID
token (signature, issuer, audience and authorized party, nonce, expiry), the userinfo claims
merged in, the address (from the configured claim, vouched for by the provider), the roles
(the configured claim, a dotted path for nested ones) and the districts an operator serves."""

from __future__ import annotations

import re
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from app.errors import BadInput
from app.identity.oidc_refusals import OidcRefused
from app.identity.sign_in import normal_address
from infra.clock import SystemClock  # tokens are judged by real time: the provider's clock
from infra.oidc_settings import OidcSettings

ALGORITHMS = ["RS256", "ES256", "PS256"]
LEEWAY = 60  # seconds of clock difference allowed
# What only the ID token may say: the userinfo answer never overrides these.
PROTOCOL_CLAIMS = ("iss", "sub", "aud", "azp", "exp", "iat", "nbf", "nonce", "auth_time", "acr", "amr", "at_hash",
                   "c_hash", "sid", "jti")
DISTRICT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def validate_id_token(
    id_token: str, keys: dict, *, issuer: str, client_id: str, nonce: str, now: float | None = None
) -> dict:
    """The ID token's claims, once every check holds; OidcRefused otherwise."""
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
        raise OidcRefused("oidc.id_token_invalid") from None
    claims = dict(token.claims)
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    # With several audiences the token must say it was issued to this client; an azp naming
    # another client is refused in every case (OpenID Connect Core 3.1.3.7).
    if (len(audiences) > 1 and "azp" not in claims) or ("azp" in claims and claims["azp"] != client_id):
        raise OidcRefused("oidc.azp_mismatch")
    if not isinstance(claims["sub"], str) or not claims["sub"] or len(claims["sub"]) > 255:
        raise OidcRefused("oidc.id_token_invalid")
    return claims


def merged_claims(id_claims: dict, userinfo: dict | None) -> dict:
    """The userinfo claims over the ID token's (the provider's current answer), except the
    protocol claims, which only the validated ID token gives."""
    merged = {**id_claims, **(userinfo or {})}
    for name in PROTOCOL_CLAIMS:
        if name in id_claims:
            merged[name] = id_claims[name]
        else:
            merged.pop(name, None)
    return merged


def claim_at(claims: dict, path: str) -> Any:
    """A claim by its name, or by a dotted path into nested objects (`realm_access.roles`).
    A name holding dots itself (a URL-like claim name) is tried whole first."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _values(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def email_of(claims: dict, settings: OidcSettings) -> str:
    """The address the provider vouches for, normalised; OidcRefused when missing or unverified."""
    value = claim_at(claims, settings.email_claim)
    try:
        email = normal_address(value if isinstance(value, str) else "")
    except BadInput:
        raise OidcRefused("oidc.email_missing") from None
    if settings.email_verified_claim is not None:
        verified = claim_at(claims, settings.email_verified_claim)
        # A missing claim is not a verification; some providers send the string "true".
        if not (verified is True or (isinstance(verified, str) and verified.lower() == "true")):
            raise OidcRefused("oidc.email_unverified")
    return email


def role_values(claims: dict, settings: OidcSettings) -> set[str]:
    return {v.lower() for v in _values(claim_at(claims, settings.role_claim))}


def roles_of(claims: dict, settings: OidcSettings) -> tuple[str, ...]:
    """`operator`, `admin`: the provider's role values the settings map to them."""
    values = role_values(claims, settings)
    roles = []
    if values & {r.lower() for r in settings.operator_roles}:
        roles.append("operator")
    if values & {r.lower() for r in settings.admin_roles}:
        roles.append("admin")
    return tuple(roles)


def districts_of(claims: dict, settings: OidcSettings) -> tuple[str, ...]:
    """The districts an operator or admin serves, from the district claim and the configured
    map from role values; empty for anyone the provider gives no role."""
    if not roles_of(claims, settings):
        return ()
    found: list[str] = []
    if settings.district_claim:
        found.extend(_values(claim_at(claims, settings.district_claim)))
    values = role_values(claims, settings)
    for role, districts in settings.districts_by_role.items():
        if role.lower() in values:
            found.extend(districts)
    return tuple(dict.fromkeys(d for d in found if DISTRICT_ID.match(d)))


def display_name(claims: dict) -> str | None:
    name = claims.get("name")
    return name.strip()[:100] or None if isinstance(name, str) else None
