"""The mail activity: one message to one doctor, never sent twice.

`send_mail(SendMailInput)` carries ids and facts, no address. Its kind is the facts' kind, with
the swap id for a swap's message (`swap-offered:<swap id>`, domain.mail.facts.sent_kind): a doctor gets
one invitation per period but may hear of many swaps. In order it:
1. reads the sent-log for (period, doctor, kind): already there → "already-sent", nothing sent;
2. looks the address up in the `ContactBook` (the registry) now: none → "no-address";
3. renders the message and hands it to the SMTP server with a Message-ID derived from
   (period, doctor, kind), the same on every attempt;
4. records (period, doctor, kind) in the sent-log once the server accepted the message.

Failures and crash windows:
- SMTP unreachable, timing out, disconnecting before it accepted, or replying 4xx (or a 5xx
  that is not about the recipient, such as a refused login): the activity raises a retryable
  `ApplicationError` (`MailErrorType`), and Temporal retries it with backoff
  (`SEND_MAIL_RETRY`, no attempt limit) until the server is back. Nothing was accepted, nothing
  recorded: the retry sends it once. Nothing is lost and nothing doubled.
- PostgreSQL or the registry down at steps 1-2: nothing sent yet; the retry starts over.
- A doctor without an address (step 2) or an address the server refuses with a 5xx: returned as
  the named outcomes "no-address" / "recipient-refused", not retried (retrying cannot help),
  and not recorded, so a later call after the registry is corrected sends it.
- The worker dies (or PostgreSQL fails) between the server's acceptance (3) and the record (4):
  Temporal retries, the log has no row, and the message goes out a second time. This window
  cannot be closed: SMTP and PostgreSQL share no transaction, and a message not sent is worse
  than one sent twice. It is one database write wide, and both copies carry the same
  Message-ID, by which mail systems and clients that deduplicate recognise the second one. The
  same holds for a connection lost after the final "." but before the server's reply (RFC 1047).
- Two attempts never overlap: the SMTP conversation has its own time limit (SMTP_URL
  ?timeout=, 30 s) well under the activity's start-to-close timeout.

Logs name ids, kinds and outcomes only: never an address, a name or a body.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any, Protocol

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contacts import ContactBook
from adapters.postgres.mail_log import SentLog, SentRecord, recipient_hash
from activities.mail_models import MailErrorType, SendMailInput, SendMailResult
from adapters.smtp import MailDeliveryError, RecipientRefused, SmtpUnavailable, sender_domain
from domain.mail.facts import MailMessage
from domain.mail.render import render
from infra import metrics
from infra.mail_settings import MailSettings

log = logging.getLogger(__name__)


class MailSender(Protocol):
    """What the activity needs of a sender (adapters.smtp.SmtpSender)."""

    settings: MailSettings

    async def send(
        self, to: str, message: MailMessage, *, to_name: str | None = None, message_id: str | None = None
    ) -> str: ...


def message_id_for(period_id: str, doctor_id: str, kind: str, domain: str) -> str:
    """The Message-ID of (period, doctor, kind): the same on every attempt, no ids in clear."""
    digest = hashlib.sha256(f"{period_id}\x1f{doctor_id}\x1f{kind}".encode()).hexdigest()[:40]
    return f"<vakt.{digest}@{domain}>"


class MailActivities:
    """Register with ``Worker(..., activities=MailActivities(sender, sent_log, contacts).activities())``."""

    def __init__(self, sender: MailSender, sent_log: SentLog, contacts: ContactBook) -> None:
        self.sender = sender
        self.sent_log = sent_log
        self.contacts = contacts

    def activities(self) -> list[Callable[..., Any]]:
        return [self.send_mail]

    @activity.defn(name="send_mail")
    async def send_mail(self, inp: SendMailInput) -> SendMailResult:
        try:
            result = await self._send_mail(inp)
        except ApplicationError:
            metrics.MAILS.labels(kind=metrics.mail_kind(inp.kind), outcome="failed").inc()  # retried
            raise
        metrics.MAILS.labels(kind=metrics.mail_kind(inp.kind), outcome=result.outcome).inc()
        return result

    async def _send_mail(self, inp: SendMailInput) -> SendMailResult:
        settings = self.sender.settings
        key = (inp.period_id, inp.doctor_id, inp.kind)
        done = await self.sent_log.find(*key)
        if done is not None:
            log.info("mail already sent period=%s doctor=%s kind=%s", *key)
            return SendMailResult(outcome="already-sent", kind=inp.kind, message_id=done.message_id)

        contact = await self.contacts.contact(inp.district_id, inp.doctor_id)
        address = (getattr(contact, "email", None) or "").strip() if contact is not None else ""
        if not address:
            log.warning("mail not sent: no e-mail address period=%s doctor=%s kind=%s", *key)
            return SendMailResult(outcome="no-address", kind=inp.kind)
        name = getattr(contact, "name", None) or None

        message = render(inp.period_line(), inp.facts, name=name, public_url=settings.public_url)
        message_id = message_id_for(*key, sender_domain(settings.from_address))
        try:
            await self.sender.send(address, message, to_name=name, message_id=message_id)
        except RecipientRefused as e:
            log.warning("mail not sent: recipient refused (%s) period=%s doctor=%s kind=%s", e.code, *key)
            return SendMailResult(outcome="recipient-refused", kind=inp.kind, smtp_code=e.code)
        except MailDeliveryError as e:
            kind = MailErrorType.SMTP_UNAVAILABLE if isinstance(e, SmtpUnavailable) else MailErrorType.SMTP_REFUSED
            log.info("mail not sent yet (%s, will retry) period=%s doctor=%s kind=%s", kind, *key)
            # `from None`: the SMTP library's text may echo the address; the failure goes to history.
            raise ApplicationError(str(e), type=kind, non_retryable=False) from None

        await self.sent_log.record(
            SentRecord(
                period_id=inp.period_id,
                doctor_id=inp.doctor_id,
                kind=inp.kind,
                district_id=inp.district_id,
                message_id=message_id,
                recipient_hash=recipient_hash(address),
            )
        )
        log.info("mail sent period=%s doctor=%s kind=%s", *key)
        return SendMailResult(outcome="sent", kind=inp.kind, message_id=message_id)
