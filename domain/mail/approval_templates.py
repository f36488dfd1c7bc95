"""The wording of R-SWAP-2's notices (a swap an operator decides): Norwegian first, then English.
Colleagues by doctor id, as on the board; the operator unnamed ("the clinic")."""

from __future__ import annotations

from domain.mail.facts import MailMessage, PeriodLine, SwapDecisionFacts
from domain.mail.swap_templates import _subject
from domain.mail.templates import _bilingual, _footer, _greeting, _table, period_link, shift_line

_SUBJECTS = {
    "swap-waiting": ("Vaktbytte venter på godkjenning", "Shift swap awaiting approval"),
    "swap-approved": ("Vaktbytte godkjent", "Shift swap approved"),
    "swap-rejected": ("Vaktbytte avvist", "Shift swap rejected"),
    "swap-wait-expired": ("Vaktbytte ikke godkjent i tide", "Shift swap not approved in time"),
    "swap-carried-out": ("Vaktbytte gjennomført av legevakten", "Shift swap carried out by the clinic"),
    "swap-withdrawn": ("Vaktbytte trukket tilbake", "Shift swap withdrawn"),
}


def _what(facts: SwapDecisionFacts, nb: bool) -> list[str]:
    giver = facts.role == "giver"
    other = f"lege {facts.other}" if nb else f"doctor {facts.other}"
    match facts.kind:
        case "swap-waiting":
            return [f"{other.capitalize()} har tatt imot vakten du tilbød. Byttet venter på godkjenning fra "
                    "legevakten; til da er vakten fortsatt din (R-SWAP-2)." if nb else
                    f"{other.capitalize()} accepted the shift you offered. The swap waits for the clinic's approval; "
                    "until then the shift is still yours (R-SWAP-2)."]
        case "swap-approved":
            if giver:
                return [f"Legevakten har godkjent byttet: {other} har overtatt vakten, og den er ikke lenger din."
                        if nb else f"The clinic approved the swap: {other} has taken the shift over; it is no longer yours."]
            return [f"Legevakten har godkjent byttet: vakten er din nå (overtatt fra {other})." if nb
                    else f"The clinic approved the swap: the shift is yours now (taken over from {other})."]
        case "swap-rejected":
            keeps = "Vakten er fortsatt din." if nb and giver else (
                f"Vakten forblir hos {other}." if nb else ("The shift is still yours." if giver else f"The shift stays with {other}."))
            head = f"Legevakten har avvist byttet med {other}." if nb else f"The clinic rejected the swap with {other}."
            because = (f"Begrunnelse: {facts.reason}" if nb else f"Reason: {facts.reason}") if facts.reason else ""
            return [line for line in (head, because, keeps) if line]
        case "swap-wait-expired":
            return [f"Byttet med {other} ble ikke godkjent før vakten startet, og er ikke gjennomført. "
                    + ("Vakten er fortsatt din." if giver else f"Vakten er fortsatt hos {other}.") if nb else
                    f"The swap with {other} was not approved before the shift started and did not take place. "
                    + ("The shift is still yours." if giver else f"The shift stays with {other}.")]
        case "swap-withdrawn":
            return [f"{other.capitalize()} har trukket tilbake byttet du hadde tatt imot, før legevakten "
                    f"godkjente det. Vakten er fortsatt hos {other}, og den er ikke blitt din (R-SWAP-2)." if nb else
                    f"{other.capitalize()} withdrew the swap you had accepted, before the clinic approved it. "
                    f"The shift stays with {other}; it has not become yours (R-SWAP-2)."]
        case _:  # swap-carried-out
            if giver:
                return [f"Legevakten har gjennomført et vaktbytte for deg: {other} har overtatt vakten." if nb
                        else f"The clinic carried out a swap for you: {other} has taken the shift over."]
            return [f"Legevakten har gjennomført et vaktbytte for deg: vakten er din nå (overtatt fra {other})." if nb
                    else f"The clinic carried out a swap for you: the shift is yours now (taken over from {other})."]


def swap_decision(period: PeriodLine, facts: SwapDecisionFacts, *, name: str | None, public_url: str) -> MailMessage:
    link = period_link(public_url, period.period_id)

    def part(lang: str) -> list[str]:
        nb = lang == "nb"
        rows = [("Vakt" if nb else "Shift", shift_line(facts.shift, lang))]
        see = f"Vaktlista og vaktbytter:\n  {link}" if nb else f"The roster and swaps:\n  {link}"
        return [_greeting(name, lang), *_what(facts, nb), _table(rows), see, _footer(period, lang)]

    nb_subject, en_subject = _SUBJECTS[facts.kind]
    return MailMessage(subject=_subject(nb_subject, en_subject, facts, period), text=_bilingual(part("nb"), part("en")))
