"""Which template words which facts: one place for every kind of message a period sends."""

from __future__ import annotations

from domain.mail.facts import (
    InvitationFacts,
    MailMessage,
    PeriodLine,
    ReminderFacts,
    ResultsFacts,
    SwapAcceptedFacts,
    SwapDecisionFacts,
    SwapLapsedFacts,
    SwapOfferedFacts,
)
from domain.mail.templates import invitation, reminder, results
from domain.mail.swap_templates import swap_accepted, swap_lapsed, swap_offered
from domain.mail.vacancy_facts import VacancyAlertFacts, VacancyAssignedFacts, VacancyFilledFacts, VacancyOfferedFacts
from domain.mail.vacancy_templates import vacancy_alert, vacancy_assigned, vacancy_filled, vacancy_offered
from domain.mail.approval_templates import swap_decision

_TEMPLATES = {
    InvitationFacts: invitation,
    ReminderFacts: reminder,
    ResultsFacts: results,
    SwapOfferedFacts: swap_offered,
    SwapAcceptedFacts: swap_accepted,
    SwapLapsedFacts: swap_lapsed,
    VacancyOfferedFacts: vacancy_offered,
    VacancyFilledFacts: vacancy_filled,
    VacancyAssignedFacts: vacancy_assigned,
    VacancyAlertFacts: vacancy_alert,
    SwapDecisionFacts: swap_decision,
}


def render(period: PeriodLine, facts, *, name: str | None, public_url: str) -> MailMessage:
    """The message for `facts` (any of domain.mail.facts.MailFacts)."""
    template = _TEMPLATES.get(type(facts))
    if template is None:
        raise TypeError(f"no template for {type(facts).__name__}")
    return template(period, facts, name=name, public_url=public_url)
