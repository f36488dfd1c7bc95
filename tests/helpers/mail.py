"""Helpers for the mail tests: a real aiosmtpd server on a free localhost port, a contact book
backed by a small table in the test database, and invitation facts for a round of doctors."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path

import asyncpg
import pytest

from activities.contacts import Contact
from activities.mail_models import SendMailInput
from domain.mail.facts import InvitationFacts, Quota
from domain.model import OSLO_TZ
from infra.mail_settings import MailSettings
from infra.mailbox import DevSmtpServer

PERIOD = "mosse-2027-h1"
DISTRICT = "mosse"
DISTRICT_NAME = "Mosseregionens legevakt"
START, END = date(2027, 1, 1), date(2027, 6, 30)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mail_settings(port: int, **env: str) -> MailSettings:
    return MailSettings.from_env({"VAKT_DEV_SMTP_PORT": str(port), **env})


@pytest.fixture
async def smtp_server(tmp_path: Path) -> AsyncIterator[DevSmtpServer]:
    """The development SMTP server (infra.mailbox) on a free port, its Maildir in tmp_path."""
    server = DevSmtpServer(tmp_path / "mail", port=free_port())
    await asyncio.to_thread(server.start)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)


class TableContactBook:
    """A ContactBook over a plain table in the test database (the registry stands in here)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def create(self) -> TableContactBook:
        await self.pool.execute(
            "CREATE TABLE IF NOT EXISTS test_contacts (district_id text, doctor_id text, email text, name text,"
            " PRIMARY KEY (district_id, doctor_id))"
        )
        return self

    async def add(self, doctor_id: str, email: str | None, name: str | None = None, district_id: str = DISTRICT) -> None:
        await self.pool.execute(
            "INSERT INTO test_contacts VALUES ($1, $2, $3, $4)", district_id, doctor_id, email, name
        )

    async def contact(self, district_id: str, doctor_id: str) -> Contact | None:
        row = await self.pool.fetchrow(
            "SELECT email, name FROM test_contacts WHERE district_id = $1 AND doctor_id = $2", district_id, doctor_id
        )
        return Contact(email=row["email"], name=row["name"]) if row else None


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO_TZ)


def invitation_facts(quota: int = 8, carried: float = 0.0) -> InvitationFacts:
    return InvitationFacts(
        quota=Quota(quota=quota, carried=carried),
        wishes_due=oslo(2026, 11, 23, 12, 0),
        meeting_at=oslo(2026, 11, 24, 18, 0),
        meeting_place="Legevakta, møterom 2",
        offering_closes=oslo(2026, 12, 8, 12, 0),
    )


def send_input(doctor_id: str, facts) -> SendMailInput:
    return SendMailInput(
        period_id=PERIOD, district_id=DISTRICT, doctor_id=doctor_id, district_name=DISTRICT_NAME,
        period_start=START, period_end=END, facts=facts,
    )


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key (PEM files), made here."""
    import ipaddress
    from datetime import UTC, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file
