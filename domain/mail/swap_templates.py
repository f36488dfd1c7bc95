"""The wording of the swap notices after publication (R-SWAP-1): Norwegian first, then English.

Built on the shared formatting of domain/mail/templates.py. Colleagues are named by their
doctor id, as on the board: a message's facts never carry another doctor's name or address.
"""

from __future__ import annotations

from domain.mail.ics import shifts_calendar
from domain.mail.facts import Attachment, MailMessage, PeriodLine, SwapAcceptedFacts, SwapLapsedFacts, SwapOfferedFacts
from domain.mail.templates import (
    _bilingual,
    _footer,
    _greeting,
    _table,
    ics_filename,
    period_link,
    shift_line,
    when_text,
)
from domain.model import OSLO_TZ


def _subject(nb: str, en: str, facts, period: PeriodLine) -> str:
    start = facts.shift.start.astimezone(OSLO_TZ)
    return f"{nb} / {en}: {facts.shift.name} {start:%d.%m.%Y %H:%M} – {period.district_name}"


def swap_offered(period: PeriodLine, facts: SwapOfferedFacts, *, name: str | None, public_url: str) -> MailMessage:
    """To the named receiver: who offers which shift, until when, and where to answer."""
    link = period_link(public_url, period.period_id)

    def part(lang: str) -> list[str]:
        nb = lang == "nb"
        rows = [
            ("Vakt" if nb else "Shift", shift_line(facts.shift, lang)),
            ("Tilbys av" if nb else "Offered by", f"{'lege' if nb else 'doctor'} {facts.giver}"),
            ("Tilbudet gjelder til" if nb else "The offer stands until", when_text(facts.expires_at, lang)),
        ]
        if nb:
            body = [
                f"En kollega tilbyr deg en vakt i {period.district_name}.",
                _table(rows),
                "Vakten er kollegaens til du tar den. Når du tar den, sjekkes kvalifikasjon og hviletid "
                "(R-SWAP-1); blir den avvist, beholder kollegaen vakten.",
                f"Ta vakten eller avslå her (under «Vaktbytte»):\n  {link}",
            ]
        else:
            body = [
                f"A colleague offers you a shift at {period.district_name}.",
                _table(rows),
                "The shift stays your colleague's until you take it. When you do, qualification and rest are "
                "checked (R-SWAP-1); if that refuses it, your colleague keeps the shift.",
                f"Take it or decline here (under \"Swaps\"):\n  {link}",
            ]
        return [_greeting(name, lang), *body, _footer(period, lang)]

    subject = _subject("Vaktbytte tilbudt", "Shift swap offered", facts, period)
    return MailMessage(subject=subject, text=_bilingual(part("nb"), part("en")))


def swap_accepted(period: PeriodLine, facts: SwapAcceptedFacts, *, name: str | None, public_url: str) -> MailMessage:
    """To the giver: the shift is the receiver's now; their shifts as they stand, as .ics too."""
    shifts = sorted(facts.shifts, key=lambda s: (s.start, s.shift_id))
    link = period_link(public_url, period.period_id)
    filename = ics_filename(period.period_id)

    def part(lang: str) -> list[str]:
        nb = lang == "nb"
        if nb:
            done = f"Vaktbyttet er fullført: lege {facts.receiver} har overtatt vakten, og den er ikke lenger din."
        else:
            done = f"The swap is complete: doctor {facts.receiver} has taken the shift over; it is no longer yours."
        rows = [("Vakt" if nb else "Shift", shift_line(facts.shift, lang))]
        if shifts:
            heading = "Dine vakter nå:" if nb else "Your shifts now:"
            listing = heading + "\n" + "\n".join(f"  {shift_line(s, lang)}" for s in shifts)
        else:
            listing = "Du har ingen vakter igjen i denne perioden." if nb else "You have no shifts left in this period."
        calendar = (
            f"Vedlegget {filename} oppdaterer kalenderen din: vakten du ga bort, blir fjernet."
            if nb else
            f"The attachment {filename} updates your calendar: the shift you gave away is removed."
        )
        see = f"Vaktlista og vaktbytter:\n  {link}" if nb else f"The roster and swaps:\n  {link}"
        return [_greeting(name, lang), done, _table(rows), listing, calendar, see, _footer(period, lang)]

    ics = shifts_calendar(period.period_id, period.district_name, shifts, stamp=facts.accepted_at,
                          sequence=facts.sequence, cancelled=(facts.shift,))
    attachment = Attachment(filename=filename, content_type="text/calendar", params={"method": "PUBLISH"}, data=ics)
    subject = _subject("Vaktbytte fullført", "Shift swap complete", facts, period)
    return MailMessage(subject=subject, text=_bilingual(part("nb"), part("en")), attachments=(attachment,))


def swap_lapsed(period: PeriodLine, facts: SwapLapsedFacts, *, name: str | None, public_url: str) -> MailMessage:
    """To the giver: no one took the shift (declined, or the offer expired); it is still theirs."""
    link = period_link(public_url, period.period_id)

    def part(lang: str) -> list[str]:
        nb = lang == "nb"
        if facts.outcome == "declined":
            what = (f"Lege {facts.receiver} har avslått tilbudet ditt." if nb
                    else f"Doctor {facts.receiver} declined your offer.")
        elif facts.receiver:
            what = (f"Tilbudet ditt til lege {facts.receiver} gikk ut uten svar." if nb
                    else f"Your offer to doctor {facts.receiver} expired without an answer.")
        else:
            what = "Ingen tok vakten før tilbudet gikk ut." if nb else "No one took the shift before the offer expired."
        rows = [("Vakt" if nb else "Shift", shift_line(facts.shift, lang))]
        still = "Vakten er fortsatt din (R-SWAP-1)." if nb else "The shift is still yours (R-SWAP-1)."
        again = (f"Du kan tilby den på nytt her:\n  {link}" if nb else f"You can offer it again here:\n  {link}")
        return [_greeting(name, lang), what, _table(rows), still, again, _footer(period, lang)]

    subject = _subject("Vaktbytte ikke gjennomført", "Shift swap not taken", facts, period)
    return MailMessage(subject=subject, text=_bilingual(part("nb"), part("en")))
