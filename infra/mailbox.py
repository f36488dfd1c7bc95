"""The local development SMTP server (`aiosmtpd`) and its mailbox.

`vakt dev` starts it when SMTP_URL is unset: it listens on 127.0.0.1:8025 (VAKT_DEV_SMTP_PORT)
and stores every message it receives, whoever it is addressed to, in a Maildir under
``<data dir>/mail``. Nothing is relayed anywhere. `vakt mail` reads that Maildir
(`read_maildir`), and tests read it too.

    async with dev_smtp_server(settings.data_dir) as smtp:   # smtp.port, smtp.maildir
        ...

Each stored message starts with one ``Delivered-To:`` line per envelope recipient, as a
delivering MTA adds them. aiosmtpd's own log names addresses at INFO level, so its logger is
kept at WARNING.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import mailbox
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.controller import Controller

from infra.mail_settings import DEV_SMTP_HOST, dev_smtp_port

MAIL_DIR = "mail"


class MailboxError(RuntimeError):
    """The development SMTP server could not start."""


def mail_dir(data_dir: Path) -> Path:
    return Path(data_dir) / MAIL_DIR


class MaildirHandler:
    """aiosmtpd handler: accept every message and store it in the Maildir."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        for sub in ("tmp", "new", "cur"):  # also when the folder exists already, empty
            (self.path / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path.chmod(0o700)  # the messages hold doctors' names and addresses
        self.box = mailbox.Maildir(self.path, create=False)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001 - aiosmtpd's hook
        delivered = "".join(f"Delivered-To: {rcpt}\r\n" for rcpt in envelope.rcpt_tos).encode()
        self.box.add(delivered + envelope.original_content)  # tmp/ then rename into new/: atomic
        return "250 Message accepted for delivery"


class DevSmtpServer:
    """An aiosmtpd server in its own thread. `start`/`stop` block; a stopped one may start again."""

    def __init__(self, maildir: Path, *, host: str = DEV_SMTP_HOST, port: int | None = None) -> None:
        self.maildir = Path(maildir)
        self.host = host
        self.port = dev_smtp_port() if port is None else port
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is not None:
            return
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        controller = Controller(MaildirHandler(self.maildir), hostname=self.host, port=self.port)
        try:
            controller.start()
        except OSError as e:
            raise MailboxError(
                f"the development SMTP server cannot listen on {self.host}:{self.port} ({e.strerror or e}); "
                "set VAKT_DEV_SMTP_PORT to a free port"
            ) from None
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@asynccontextmanager
async def dev_smtp_server(data_dir: Path, *, port: int | None = None) -> AsyncIterator[DevSmtpServer]:
    """Run the development SMTP server for the block; its mail goes to ``<data_dir>/mail``."""
    server = DevSmtpServer(mail_dir(data_dir), port=port)
    await asyncio.to_thread(server.start)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredMail:
    key: str
    delivered_at: datetime  # when the server stored it (UTC)
    to: tuple[str, ...]  # envelope recipients (Delivered-To), else the To header
    subject: str
    message_id: str | None
    text: str  # the text/plain body
    attachments: tuple[str, ...]  # file names


def read_maildir(path: Path) -> list[StoredMail]:
    """Every message in the Maildir, newest first; an empty list when there is none yet."""
    path = Path(path)
    if not (path / "new").is_dir() and not (path / "cur").is_dir():
        return []
    box = mailbox.Maildir(path, create=False)
    found = []
    for key in box.keys():
        try:
            stored = box.get_message(key)
        except FileNotFoundError:  # removed while we read
            continue
        found.append(_parse(key, stored))
    found.sort(key=lambda m: (m.delivered_at, _counter(m.key)), reverse=True)
    return found


# Maildir names its files "<seconds>.M<microseconds>P<pid>Q<counter>.<host>" (Python's mailbox):
# finer than a file's mtime, which some file systems keep to a few milliseconds.
_KEY = re.compile(r"^(\d+)\.M(\d+)P\d+Q(\d+)\.")


def _delivered(key: str, mtime: float) -> datetime:
    m = _KEY.match(key)
    seconds = int(m.group(1)) + int(m.group(2)) / 1e6 if m else mtime
    return datetime.fromtimestamp(seconds, UTC)


def _counter(key: str) -> int:
    m = _KEY.match(key)
    return int(m.group(3)) if m else 0


def _parse(key: str, stored: mailbox.MaildirMessage) -> StoredMail:
    message = email.message_from_bytes(stored.as_bytes(), policy=email.policy.default)
    to = tuple(str(v) for v in message.get_all("Delivered-To", [])) or tuple(
        str(v) for v in message.get_all("To", [])
    )
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    attachments = tuple(part.get_filename() or "(unnamed)" for part in message.iter_attachments())
    return StoredMail(
        key=key,
        delivered_at=_delivered(key, stored.get_date()),
        to=to,
        subject=str(message.get("Subject", "")),
        message_id=str(message["Message-ID"]) if message["Message-ID"] else None,
        text=text,
        attachments=attachments,
    )


def raw_messages(path: Path) -> list[email.message.EmailMessage]:
    """The messages as parsed `EmailMessage`s (for tests and tools that need the parts)."""
    path = Path(path)
    if not (path / "new").is_dir():
        return []
    box = mailbox.Maildir(path, create=False)
    return [email.message_from_bytes(box.get_bytes(k), policy=email.policy.default) for k in box.keys()]
