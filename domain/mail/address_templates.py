"""The messages of a doctor's change of e-mail address: the confirmation link to the new address
and the notice to the old one. Norwegian first, then English, like every message
(domain/mail/templates.py). Neither names the other address."""

from __future__ import annotations

from domain.mail.facts import MailMessage
from domain.mail.templates import _bilingual


def confirm_address(link: str, *, expires_hours: int) -> MailMessage:
    """To the new address: the change takes effect only when this link is used."""
    nb = [
        "Hei,",
        "Du har bedt om å bruke denne e-postadressen i Vaktfordeling. Bekreft endringen med denne lenken:"
        f"\n  {link}",
        f"Lenken virker én gang og går ut om {expires_hours} timer. Til du bekrefter, brukes den gamle adressen. "
        "Har du ikke bedt om dette, kan du se bort fra denne e-posten.",
    ]
    en = [
        "Hello,",
        f"You asked to use this e-mail address in Vaktfordeling. Confirm the change with this link:\n  {link}",
        f"The link works once and expires in {expires_hours} hours. Until you confirm, the old address is used. "
        "If you did not ask for this, you can ignore this e-mail.",
    ]
    return MailMessage(subject="Bekreft ny e-postadresse / Confirm your new e-mail address", text=_bilingual(nb, en))


def address_change_notice() -> MailMessage:
    """To the old address: a change was asked for; what to do if it was not them."""
    nb = [
        "Hei,",
        "Noen har bedt om å endre e-postadressen din i Vaktfordeling til en annen adresse. Endringen skjer først "
        "når den bekreftes fra den nye adressen; da logges alle økter med denne adressen ut.",
        "Var det ikke deg, kontakt legevaktens administrasjon straks, og logg ut overalt i Vaktfordeling.",
    ]
    en = [
        "Hello,",
        "Someone asked to change your e-mail address in Vaktfordeling to another address. The change takes effect "
        "only when it is confirmed from the new address; then every session with this address is signed out.",
        "If it was not you, contact the clinic's administration at once, and sign out everywhere in Vaktfordeling.",
    ]
    return MailMessage(subject="Endring av e-postadresse / Change of e-mail address", text=_bilingual(nb, en))
