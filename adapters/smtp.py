"""Sending one message over SMTP (`aiosmtplib`), with TLS as SMTP_URL says and a time limit.

`SmtpSender.send` is the one way out for every message: the mail activity's invitations,
reminders and results, and the web service's sign-in links (`domain.mail.templates.sign_in`).

Errors say what went wrong and never carry the server's reply text, which often echoes the
recipient's address, nor the password:
- `SmtpUnavailable`: unreachable, refused connection, timed out, disconnected (retry later);
- `SmtpRefused`: a 4xx/5xx reply other than for the recipient, e.g. a 535 for a wrong password
  or a 451 greylisting (retry later: an operator can fix the configuration meanwhile);
- `RecipientRefused`: the server refused the address itself with a 5xx (retrying cannot help).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

import aiosmtplib

from domain.mail.facts import MailMessage
from domain.model import OSLO_TZ
from infra.clock import SystemClock
from infra.mail_settings import MailSettings

log = logging.getLogger(__name__)

QUIT_TIMEOUT = 5.0


class MailDeliveryError(Exception):
    """The SMTP server did not accept the message. `code`: its reply code, when it replied."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class SmtpUnavailable(MailDeliveryError):
    pass


class SmtpRefused(MailDeliveryError):
    pass


class RecipientRefused(MailDeliveryError):
    pass


def build_email(
    message: MailMessage,
    *,
    sender: str,
    to: str,
    to_name: str | None = None,
    message_id: str | None = None,
    date: datetime | None = None,
) -> EmailMessage:
    """The MIME message: plain text in UTF-8, attachments after it."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = formataddr((to_name, to)) if to_name else to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(date or SystemClock().now().astimezone(OSLO_TZ))
    email["Message-ID"] = message_id or make_msgid(domain=sender_domain(sender))
    email["Content-Language"] = "nb, en"
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
    email.set_content(message.text)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename,
            params=dict(attachment.params),
        )
    return email


def sender_domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def _refusal(e: aiosmtplib.SMTPResponseException, where: str) -> MailDeliveryError:
    return SmtpRefused(f"the SMTP server refused the {where} ({e.code})", e.code)


class SmtpSender:
    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    async def send(
        self,
        to: str,
        message: MailMessage,
        *,
        to_name: str | None = None,
        message_id: str | None = None,
    ) -> str:
        """Deliver one message to one address; returns its Message-ID once the server accepted it.
        Raises a MailDeliveryError otherwise. A failed QUIT after acceptance is not an error."""
        s = self.settings
        email = build_email(message, sender=s.from_address, to=to, to_name=to_name, message_id=message_id)
        smtp = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            use_tls=s.tls == "tls",
            start_tls=s.tls == "starttls",
            timeout=s.timeout,
        )
        where = f"{s.host}:{s.port}"
        try:
            async with asyncio.timeout(s.timeout):
                await smtp.connect()
                if s.username is not None:
                    password = s.password.get_secret_value() if s.password is not None else ""
                    await smtp.login(s.username, password)
                await smtp.send_message(email, sender=parseaddr(s.from_address)[1], recipients=[to])
        except aiosmtplib.SMTPRecipientsRefused as e:
            code = min((r.code for r in e.recipients), default=550)
            if code >= 500:
                raise RecipientRefused(f"the SMTP server at {where} refused the recipient ({code})", code) from None
            raise SmtpRefused(f"the SMTP server at {where} deferred the recipient ({code})", code) from None
        except aiosmtplib.SMTPConnectResponseError as e:
            raise SmtpUnavailable(f"the SMTP server at {where} turned the connection away ({e.code})", e.code) from None
        except aiosmtplib.SMTPAuthenticationError as e:
            raise _refusal(e, f"login at {where}") from None
        except aiosmtplib.SMTPSenderRefused as e:
            raise _refusal(e, f"sender address (VAKT_MAIL_FROM) at {where}") from None
        except aiosmtplib.SMTPResponseException as e:
            raise _refusal(e, f"message at {where}") from None
        except (
            aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError, aiosmtplib.SMTPTimeoutError, OSError,
            TimeoutError,
        ) as e:  # OSError includes a TLS handshake or certificate failure (ssl.SSLError)
            raise SmtpUnavailable(f"the SMTP server at {where} is unavailable ({type(e).__name__})") from None
        except aiosmtplib.SMTPException as e:  # e.g. no AUTH or no STARTTLS offered
            raise SmtpRefused(
                f"the SMTP server at {where} does not offer what SMTP_URL asks for, such as login or STARTTLS "
                f"({type(e).__name__})"
            ) from None
        finally:
            await _close(smtp)
        return str(email["Message-ID"])


async def _close(smtp: aiosmtplib.SMTP) -> None:
    """QUIT politely when still connected; never let closing turn a delivery into an error."""
    if not smtp.is_connected:
        return
    try:
        await asyncio.wait_for(smtp.quit(), QUIT_TIMEOUT)
    except Exception:  # noqa: BLE001 - the message was already accepted (or already failed)
        smtp.close()
