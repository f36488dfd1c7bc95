"""Reading the local development mailbox (`vakt mail`): what the development SMTP server of
`vakt dev` received, newest first.

When SMTP_URL points elsewhere, mail goes there and this mailbox only holds what a development
server received earlier; the view says where mail goes, with the password masked.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from app.bootstrap import Services
from app.errors import BadInput
from infra.mailbox import StoredMail, mail_dir, read_maildir

MAX_LAST = 1000


@dataclass(frozen=True)
class MailboxView:
    mailbox: Path
    smtp: str  # where mail goes, password masked
    embedded: bool  # SMTP_URL unset: the development server fills this mailbox
    matching: int  # messages for the address asked (all when none was)
    messages: list[StoredMail]  # the newest `last` of them, newest first

    def document(self) -> dict[str, Any]:
        return {
            "mailbox": str(self.mailbox),
            "smtp": self.smtp,
            "embedded": self.embedded,
            "matching": self.matching,
            "messages": [
                {
                    "date": m.delivered_at.isoformat(),
                    "to": list(m.to),
                    "subject": m.subject,
                    "message_id": m.message_id,
                    "attachments": list(m.attachments),
                    "text": m.text,
                }
                for m in self.messages
            ],
        }


def _addressed_to(message: StoredMail, address: str) -> bool:
    wanted = address.strip().lower()
    return any(parseaddr(to)[1].lower() == wanted for to in message.to)


async def read_mailbox(services: Services, *, to: str | None = None, last: int = 10) -> MailboxView:
    if not 1 <= last <= MAX_LAST:
        raise BadInput(f"--last must be between 1 and {MAX_LAST}")
    if to is not None and "@" not in to:
        raise BadInput("--to must be an e-mail address")
    settings = services.mail_settings
    path = mail_dir(services.settings.data_dir)
    messages = await asyncio.to_thread(read_maildir, path)
    if to is not None:
        messages = [m for m in messages if _addressed_to(m, to)]
    return MailboxView(
        mailbox=path, smtp=settings.redacted_url(), embedded=settings.embedded, matching=len(messages),
        messages=messages[:last],
    )
