"""Who is told what about a vacancy (R-VAC-2/3). Pure: the workflow queues what this returns and
sends it in batches (workflows/period/vacancies.py). A recipient of `None` means the operators of
the round's district (the mail activity for operators finds them).

- **Declared**: every doctor who may take it (R-VAC-2), with the shift and a link.
- **Taken**: the holder and the operators, who took it.
- **Escalated**: the operators (R-VAC-3).
- **Assigned**: the assigned doctor at once, and the holder.
- **Uncovered**: the operators.
Decided on the state just before the event (the eligible doctors are those of that moment).
"""

from __future__ import annotations

from domain.mail.swap_notices import shift_fact
from domain.mail.vacancy_facts import VacancyAlertFacts, VacancyAssignedFacts, VacancyFilledFacts, VacancyOfferedFacts
from domain.period.calendar import PeriodCalendar
from domain.period.state import PeriodState
from domain.period.vacancies import eligible_doctors, is_live
from domain.period.vacancy_events import VacancyAssigned, VacancyDeclared, VacancyEscalated, VacancyTaken, VacancyUncovered

OPERATORS = None  # the recipient "the round's operators"
VacancyNotice = tuple[str | None, object]  # (doctor id or OPERATORS, facts)


def vacancy_notices(before: PeriodState, calendar: PeriodCalendar, event) -> list[VacancyNotice]:
    match event:
        case VacancyDeclared(vacancy=vid, shift=shift):
            facts = VacancyOfferedFacts(vacancy=vid, shift=shift_fact(calendar, shift))
            return [(doctor, facts) for doctor in eligible_doctors(before, calendar, shift)]
        case VacancyTaken(vacancy=vid, shift=shift, holder=holder, doctor=doctor):
            facts = VacancyFilledFacts(vacancy=vid, shift=shift_fact(calendar, shift), doctor=doctor, how="taken")
            return [(holder, facts), (OPERATORS, facts)]
        case VacancyAssigned(vacancy=vid, shift=shift, holder=holder, doctor=doctor):
            told = VacancyAssignedFacts(vacancy=vid, shift=shift_fact(calendar, shift))
            filled = VacancyFilledFacts(vacancy=vid, shift=shift_fact(calendar, shift), doctor=doctor, how="assigned")
            return [(doctor, told), (holder, filled)]
        case VacancyEscalated(vacancy=vid, shift=shift):
            holder = before.vacancies[vid].holder
            return [(OPERATORS, VacancyAlertFacts(kind="vacancy-escalated", vacancy=vid, shift=shift_fact(calendar, shift),
                                                  holder=holder))]
        case VacancyUncovered(vacancy=vid, shift=shift, holder=holder):
            return [(OPERATORS, VacancyAlertFacts(kind="vacancy-uncovered", vacancy=vid, shift=shift_fact(calendar, shift),
                                                  holder=holder))]
    return []


def still_news(state: PeriodState, facts) -> bool:
    """An offer whose vacancy was taken meanwhile (say, while SMTP was down) is not sent."""
    if isinstance(facts, VacancyOfferedFacts):
        vacancy = state.vacancies.get(facts.vacancy)
        return vacancy is not None and is_live(state, vacancy)
    return True
