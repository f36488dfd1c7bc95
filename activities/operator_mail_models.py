"""The contract of `alert_operators` (activities/operator_mail.py): ids and facts, no address."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from domain.mail.facts import PeriodLine, sent_kind
from domain.mail.vacancy_facts import VacancyFacts


class OperatorAlertInput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    period_id: str = Field(min_length=1, max_length=200)
    district_id: str = Field(min_length=1, max_length=200)
    district_name: str
    period_start: date
    period_end: date
    facts: VacancyFacts

    @property
    def kind(self) -> str:
        return sent_kind(self.facts)

    def period_line(self) -> PeriodLine:
        return PeriodLine(period_id=self.period_id, district_name=self.district_name, start=self.period_start,
                          end=self.period_end)


class OperatorAlertResult(BaseModel):
    sent: int = 0  # messages handed to the SMTP server now
    already: int = 0  # operators the sent-log had already
    operators: int = 0  # operators serving the district
