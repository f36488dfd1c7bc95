"""The wording of the vacancy messages (R-VAC-2/3): Norwegian first, then English. Colleagues
are named by doctor id, as in the swap notices: facts carry no names."""

from __future__ import annotations

from domain.mail.facts import MailMessage, PeriodLine
from domain.mail.swap_templates import _subject
from domain.mail.templates import _bilingual, _footer, _greeting, _table, period_link, shift_line
from domain.mail.vacancy_facts import VacancyAlertFacts, VacancyAssignedFacts, VacancyFilledFacts, VacancyOfferedFacts


def _operator_link(public_url: str, period_id: str) -> str:
    return f"{public_url.rstrip('/')}/operator/periods/{period_id}/vacancies"


def vacancy_offered(period: PeriodLine, facts: VacancyOfferedFacts, *, name: str | None, public_url: str) -> MailMessage:
    """To each doctor who may take it (R-VAC-2): the shift, and one link to take it."""
    link = period_link(public_url, period.period_id, "vacancies")

    def part(lang: str) -> list[str]:
        nb = lang == "nb"
        rows = [("Vakt" if nb else "Shift", shift_line(facts.shift, lang))]
        if nb:
            body = [f"En vakt i {period.district_name} er ledig, og du kan ta den.", _table(rows),
                    "Den første som tar vakten, får den (R-VAC-2).", f"Ta vakten her:\n  {link}"]
        else:
            body = [f"A shift at {period.district_name} is vacant, and you may take it.", _table(rows),
                    "The first to take it gets it (R-VAC-2).", f"Take it here:\n  {link}"]
        return [_greeting(name, lang), *body, _footer(period, lang)]

    return MailMessage(subject=_subject("Ledig vakt", "Vacant shift", facts, period),
                       text=_bilingual(part("nb"), part("en")))


def vacancy_filled(period: PeriodLine, facts: VacancyFilledFacts, *, name: str | None, public_url: str) -> MailMessage:
    """To the holder and the operators: who has the shift now."""
    link = period_link(public_url, period.period_id, "vacancies")

    def part(lang: str) -> list[str]:
        nb = lang == "nb"
        if nb:
            how = "tok" if facts.how == "taken" else "ble satt på av en vaktansvarlig til"
            done = f"Den ledige vakten er dekket: lege {facts.doctor} {how} vakten."
        else:
            how = "took" if facts.how == "taken" else "was assigned by an operator to"
            done = f"The vacant shift is covered: doctor {facts.doctor} {how} the shift."
        rows = [("Vakt" if nb else "Shift", shift_line(facts.shift, lang))]
        see = f"Ledige vakter:\n  {link}" if nb else f"Vacant shifts:\n  {link}"
        return [_greeting(name, lang), done, _table(rows), see, _footer(period, lang)]

    return MailMessage(subject=_subject("Ledig vakt dekket", "Vacant shift covered", facts, period),
                       text=_bilingual(part("nb"), part("en")))


def vacancy_assigned(period: PeriodLine, facts: VacancyAssignedFacts, *, name: str | None, public_url: str) -> MailMessage:
    """To the doctor an operator assigned it to (R-VAC-3)."""
    link = period_link(public_url, period.period_id)

    def part(lang: str) -> list[str]:
        nb = lang == "nb"
        rows = [("Vakt" if nb else "Shift", shift_line(facts.shift, lang))]
        if nb:
            body = ["En vaktansvarlig har satt deg på en ledig vakt som ingen hadde tatt (R-VAC-3).", _table(rows),
                    f"Dine vakter:\n  {link}"]
        else:
            body = ["An operator has assigned you a vacant shift nobody had taken (R-VAC-3).", _table(rows),
                    f"Your shifts:\n  {link}"]
        return [_greeting(name, lang), *body, _footer(period, lang)]

    return MailMessage(subject=_subject("Du er satt på vakt", "You are assigned a shift", facts, period),
                       text=_bilingual(part("nb"), part("en")))


def vacancy_alert(period: PeriodLine, facts: VacancyAlertFacts, *, name: str | None, public_url: str) -> MailMessage:
    """To the operators (R-VAC-3): still open at the lead time, or uncovered at the start."""
    link = _operator_link(public_url, period.period_id)
    escalated = facts.kind == "vacancy-escalated"

    def part(lang: str) -> list[str]:
        nb = lang == "nb"
        rows = [("Vakt" if nb else "Shift", shift_line(facts.shift, lang)),
                ("Meldt ledig av" if nb else "Declared vacant by", f"{'lege' if nb else 'doctor'} {facts.holder}")]
        if escalated:
            what = ("Ingen har tatt denne ledige vakten. Du kan sette en lege som kan ta den, på vakten (R-VAC-3)."
                    if nb else "Nobody has taken this vacant shift. You may assign a doctor who may take it (R-VAC-3).")
        else:
            what = ("Vakten har begynt uten at noen tok den: den er udekket (R-VAC-3)."
                    if nb else "The shift has started without anyone taking it: it is uncovered (R-VAC-3).")
        see = f"Ledige vakter i runden:\n  {link}" if nb else f"The round's vacant shifts:\n  {link}"
        return [_greeting(name, lang), what, _table(rows), see, _footer(period, lang)]

    nb, en = ("Ledig vakt ikke tatt", "Vacant shift not taken") if escalated else ("Udekket vakt", "Uncovered shift")
    return MailMessage(subject=_subject(nb, en, facts, period), text=_bilingual(part("nb"), part("en")))
