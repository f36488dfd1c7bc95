"""What the sign-in page says, in its language, when the identity provider's answer signed
nobody in: one line per reason code (app/identity/oidc_refusals.py; the catalogue's `oidc`
domain), saying what to do. The code itself is shown too, for the clinic's IT."""

from __future__ import annotations

from web.i18n import has, text


def link_off_text(lang: str) -> str:
    return f"{text('link.oidc_required', lang)} (link.oidc_required)"


def refusal_text(code: str, lang: str) -> str:
    """The page's line for a refusal: what to do, then the code."""
    said = text(code if has(code) else "oidc.provider_error", lang)
    return f"{said} ({code})"
