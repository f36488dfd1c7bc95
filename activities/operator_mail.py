"""`alert_operators`: one message to every operator serving a round's district (R-VAC-2/3), each
at most once. The sent-log keys it by (period, `operator:<account id>`, kind with the vacancy
id), so a retried activity, or the next run after continue-as-new, sends nobody a second time.
Addresses come from the accounts table at send time and never enter a payload or a log line.
Failures are those of `send_mail` (activities/mail.py): SMTP down → retried by Temporal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.mail import MailSender, message_id_for
from activities.mail_models import MailErrorType
from activities.operator_mail_models import OperatorAlertInput, OperatorAlertResult
from adapters.postgres.accounts import AccountStore
from adapters.postgres.mail_log import SentLog, SentRecord, recipient_hash
from adapters.smtp import MailDeliveryError, RecipientRefused, SmtpUnavailable, sender_domain
from domain.mail.render import render

log = logging.getLogger(__name__)


class OperatorMailActivities:
    def __init__(self, sender: MailSender, sent_log: SentLog, accounts: AccountStore) -> None:
        self.sender, self.sent_log, self.accounts = sender, sent_log, accounts

    def activities(self) -> list[Callable[..., Any]]:
        return [self.alert_operators]

    @activity.defn(name="alert_operators")
    async def alert_operators(self, inp: OperatorAlertInput) -> OperatorAlertResult:
        settings = self.sender.settings
        serving = [a for a in await self.accounts.accounts()
                   if a.role == "operator" and ("*" in a.districts or inp.district_id in a.districts)]
        result = OperatorAlertResult(operators=len(serving))
        for account in serving:
            key = (inp.period_id, f"operator:{account.account_id}", inp.kind)
            if await self.sent_log.find(*key) is not None:
                result.already += 1
                continue
            message = render(inp.period_line(), inp.facts, name=account.name, public_url=settings.public_url)
            message_id = message_id_for(*key, sender_domain(settings.from_address))
            try:
                await self.sender.send(account.email, message, to_name=account.name, message_id=message_id)
            except RecipientRefused as e:
                log.warning("operator alert not sent: recipient refused (%s) period=%s kind=%s", e.code, key[0], key[2])
                continue
            except MailDeliveryError as e:
                kind = MailErrorType.SMTP_UNAVAILABLE if isinstance(e, SmtpUnavailable) else MailErrorType.SMTP_REFUSED
                raise ApplicationError(str(e), type=kind, non_retryable=False) from None
            await self.sent_log.record(SentRecord(
                period_id=inp.period_id, doctor_id=key[1], kind=inp.kind, district_id=inp.district_id,
                message_id=message_id, recipient_hash=recipient_hash(account.email),
            ))
            result.sent += 1
        log.info("operator alert period=%s kind=%s sent=%d already=%d", inp.period_id, inp.kind, result.sent,
                 result.already)
        return result
