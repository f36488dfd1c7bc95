"""Contracts between workflows and the mail activity (`activities/mail.py`).

Only pydantic and Temporal's plain types here (no I/O imports), so workflow code can import this
in the sandbox. A `SendMailInput` carries ids and the facts its message needs, never an e-mail
address: the activity looks the address up when it sends, so no contact data enters a history.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from temporalio.common import RetryPolicy

from domain.mail.facts import MailFacts, PeriodLine, sent_kind


class SendMailInput(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    period_id: str = Field(min_length=1, max_length=200)
    district_id: str = Field(min_length=1, max_length=200)
    doctor_id: str = Field(min_length=1, max_length=200)
    district_name: str
    period_start: date
    period_end: date
    facts: MailFacts  # its `kind` is the message's kind

    @property
    def kind(self) -> str:
        """The sent-log's kind: the facts' kind, with the swap id for a swap's message."""
        return sent_kind(self.facts)

    def period_line(self) -> PeriodLine:
        return PeriodLine(
            period_id=self.period_id, district_name=self.district_name, start=self.period_start, end=self.period_end
        )


MailOutcome = Literal["sent", "already-sent", "no-address", "recipient-refused"]


class SendMailResult(BaseModel):
    """`sent`: delivered to the SMTP server now. `already-sent`: the sent-log had it; nothing was
    sent. `no-address`: the registry has no e-mail for this doctor (not retried). `recipient-
    refused`: the SMTP server refused the address permanently (5xx; not retried)."""

    outcome: MailOutcome
    kind: str  # the sent-log's kind (domain.mail.facts.sent_kind): `invitation`, `swap-offered:<swap id>`
    message_id: str | None = None  # the Message-ID (derived from period, doctor and kind)
    smtp_code: int | None = None  # recipient-refused: the server's reply code


class MailErrorType:
    """`ApplicationError.type` of the activity's failures. All are retryable: Temporal retries
    them with backoff until the SMTP server (or the database, or the registry) answers again."""

    SMTP_UNAVAILABLE = "SmtpUnavailable"  # unreachable, timed out, disconnected
    SMTP_REFUSED = "SmtpRefused"  # a 4xx/5xx reply other than a refused recipient (e.g. auth)


# How a workflow should call send_mail (workflows/mail.py does). The SMTP conversation has its
# own timeout (SMTP_URL ?timeout=, 30 s by default) well under start_to_close, so an attempt
# always ends before Temporal starts the next one. No attempt limit: an SMTP server that is
# down for a day loses no message; the backoff caps at one minute, so mail flows again within a
# minute of the server's return.
SEND_MAIL_START_TO_CLOSE = timedelta(seconds=90)
SEND_MAIL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=60),
    maximum_attempts=0,
)
