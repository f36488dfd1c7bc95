"""What the sign-in page says, in its language, when the identity provider's answer signed
nobody in: one line per reason code (app/identity/oidc_refusals.py), saying what to do. The
code itself is shown too, for the clinic's IT."""

from __future__ import annotations

from app.identity.oidc_refusals import REASONS

_IT = ("Kontakt klinikkens IT med koden under.", "Contact the clinic's IT with the code below.")
REFUSALS: dict[str, tuple[str, str]] = {
    "oidc.provider_unavailable": ("Identitetstjenesten svarer ikke nå. Prøv igjen om litt.",
                                  "The identity provider does not answer right now. Try again shortly."),
    "oidc.issuer_mismatch": ("Identitetstjenesten er satt opp feil. " + _IT[0],
                             "The identity provider is set up wrongly. " + _IT[1]),
    "oidc.insecure_endpoint": ("Identitetstjenesten er ikke sikker (https). " + _IT[0],
                               "The identity provider is not secure (https). " + _IT[1]),
    "oidc.provider_error": ("Innloggingen ble avbrutt hos identitetstjenesten. Prøv igjen.",
                            "The sign-in was cancelled at the identity provider. Try again."),
    "oidc.state_mismatch": ("Innloggingen ble for gammel eller startet i en annen fane. Start på nytt her.",
                            "The sign-in took too long or was started in another tab. Start again here."),
    "oidc.token_exchange_failed": ("Identitetstjenesten godtok ikke denne tjenesten. " + _IT[0],
                                   "The identity provider did not accept this service. " + _IT[1]),
    "oidc.id_token_invalid": ("Svaret fra identitetstjenesten kunne ikke bekreftes. Prøv igjen; " + _IT[0].lower(),
                              "The identity provider's answer could not be verified. Try again; " + _IT[1].lower()),
    "oidc.azp_mismatch": ("Svaret fra identitetstjenesten var ment for en annen tjeneste. " + _IT[0],
                          "The identity provider's answer was meant for another service. " + _IT[1]),
    "oidc.userinfo_failed": ("Identitetstjenesten ga ikke opplysningene om deg. Prøv igjen; " + _IT[0].lower(),
                             "The identity provider did not give your details. Try again; " + _IT[1].lower()),
    "oidc.userinfo_sub_mismatch": ("Identitetstjenesten svarte om en annen person. " + _IT[0],
                                   "The identity provider answered about someone else. " + _IT[1]),
    "oidc.email_missing": ("Identitetstjenesten oppga ingen e-postadresse for deg. " + _IT[0],
                           "The identity provider gave no e-mail address for you. " + _IT[1]),
    "oidc.email_unverified": ("E-postadressen din er ikke bekreftet hos identitetstjenesten. Bekreft den der, og prøv igjen.",
                              "Your e-mail address is not verified at the identity provider. Verify it there, then try again."),
    "oidc.sub_mismatch": ("E-postadressen din er knyttet til en annen konto hos identitetstjenesten. Kontakt klinikken.",
                          "Your e-mail address is bound to another account at the identity provider. Contact the clinic."),
    "oidc.account_disabled": ("Kontoen din er deaktivert. Kontakt klinikken.",
                              "Your account is disabled. Contact the clinic."),
    "oidc.unknown_person": ("Klinikken har ikke registrert e-postadressen din. Kontakt klinikken.",
                            "The clinic has not registered your e-mail address. Contact the clinic."),
}
assert set(REFUSALS) == set(REASONS)
LINK_OFF = ("Innloggingslenker er slått av for deg: logg inn med klinikkens identitetstjeneste.",
            "Sign-in links are off for you: sign in with the clinic's identity provider.")


def link_off_text(lang: str) -> str:
    return f"{LINK_OFF[0] if lang == 'nb' else LINK_OFF[1]} (link.oidc_required)"


def refusal_text(code: str, lang: str) -> str:
    """The page's line for a refusal: what to do, then the code."""
    pair = REFUSALS.get(code, REFUSALS["oidc.provider_error"])
    return f"{pair[0] if lang == 'nb' else pair[1]} ({code})"
