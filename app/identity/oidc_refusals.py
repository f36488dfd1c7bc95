"""Why a sign-in through the identity provider did not sign anyone in: a fixed reason code,
logged (never a token, an address or a name) and shown on the sign-in page in the page's
language (web/oidc_texts.py), so the person and the clinic's IT both know what to do."""

from __future__ import annotations

import logging

from app.errors import Unauthenticated

log = logging.getLogger("app.identity.oidc")

REASONS = (
    "oidc.provider_unavailable",  # discovery, keys: the provider did not answer
    "oidc.issuer_mismatch",  # its metadata names another issuer than VAKT_OIDC_ISSUER
    "oidc.insecure_endpoint",  # an endpoint not on https (loopback excepted)
    "oidc.provider_error",  # the provider answered the sign-in with an error (cancelled, denied)
    "oidc.state_mismatch",  # no sign-in under way in this browser, expired, or another one's answer
    "oidc.token_exchange_failed",  # the token endpoint refused the code or this client (wrong secret, key)
    "oidc.id_token_invalid",  # signature, issuer, audience, nonce or expiry
    "oidc.azp_mismatch",  # several audiences and no authorized party, or another one
    "oidc.userinfo_failed",  # the userinfo endpoint refused or answered nonsense
    "oidc.userinfo_sub_mismatch",  # userinfo speaks of another subject than the ID token
    "oidc.email_missing",  # no usable address in the configured e-mail claim
    "oidc.email_unverified",  # the provider does not vouch for the address
    "oidc.sub_mismatch",  # the address is bound to another account at this provider
    "oidc.account_disabled",  # `vakt account disable`: out, whatever the provider says
    "oidc.unknown_person",  # nobody on a roll and no account with this address
)


class OidcRefused(Unauthenticated):
    """A refused sign-in, with its reason code (one of REASONS)."""

    def __init__(self, code: str, detail: str | None = None) -> None:
        assert code in REASONS, code
        super().__init__(f"sign-in through the identity provider refused ({code})")
        self.code = code
        self.detail = detail  # a fixed token from the provider (an OAuth error code), never personal


def log_refusal(refusal: OidcRefused) -> None:
    if refusal.detail:
        log.warning("OIDC sign-in refused: %s (%s)", refusal.code, refusal.detail)
    else:
        log.warning("OIDC sign-in refused: %s", refusal.code)
