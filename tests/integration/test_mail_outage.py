"""The SMTP server stopped across an invitation round. When it is back,
every invited doctor has exactly one invitation: nothing lost, nothing doubled.

Real parts: aiosmtpd on localhost, PostgreSQL for the sent-log and the contacts, and the
send_mail activity in a workflow on the time-skipping Temporal server, so the retries during
the outage are Temporal's own (workflows/mail.py's policy), across five minutes of its time.
"""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from datetime import timedelta
from pathlib import Path

from aiosmtpd.controller import Controller
from temporalio.api.common.v1 import Payload
from temporalio.worker import Worker

from activities.mail import MailActivities
from adapters.postgres.mail_log import SentLog
from activities.mail_models import MailErrorType
from adapters.smtp import SmtpSender
from infra.mailbox import DevSmtpServer, MaildirHandler, read_maildir
from tests.integration.mail_round import InvitationRoundWorkflow
from tests.helpers.mail import PERIOD, TableContactBook, free_port, invitation_facts, mail_settings, send_input

DOCTORS = [f"gp{n:02d}" for n in range(1, 21)]
DELIVERED_BEFORE_THE_STOP = 6


class StallingHandler(MaildirHandler):
    """Stores the first `limit` messages; later ones hang in DATA (never stored), so they are in
    flight, mid-conversation, when the server is stopped."""

    def __init__(self, path: Path, limit: int) -> None:
        super().__init__(path)
        self.limit = limit
        self.stalled = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        if len(self.box) >= self.limit:
            self.stalled += 1
            await asyncio.sleep(3600)  # cancelled when the server stops
        return await super().handle_DATA(server, session, envelope)


async def decrypted_history(handle, codec) -> str:
    """Every payload and encoded failure of the workflow's history, decrypted, as one text."""
    history = (await handle.fetch_history()).to_json_dict()
    sealed: list[Payload] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if "metadata" in node and "data" in node:
                metadata = {k: base64.b64decode(v) for k, v in node["metadata"].items()}
                sealed.append(Payload(metadata=metadata, data=base64.b64decode(node["data"])))
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(history)
    opened = await codec.decode(sealed)
    return "\n".join(p.data.decode("utf-8", "replace") for p in opened)


async def wait_for(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def test_smtp_stopped_across_an_invitation_round_loses_and_doubles_nothing(pg_pool, temporal_env, tmp_path):
    maildir, port = tmp_path / "mail", free_port()
    contacts = await TableContactBook(pg_pool).create()
    for doctor in DOCTORS:
        await contacts.add(doctor, f"{doctor}@legesenter.example.no", f"Lege {doctor}")
    sent_log = SentLog(pg_pool)
    mail = MailActivities(SmtpSender(mail_settings(port)), sent_log, contacts)
    inputs = [send_input(d, invitation_facts(quota=8, carried=(n % 5 - 2) * 0.5)) for n, d in enumerate(DOCTORS)]

    handler = StallingHandler(maildir, DELIVERED_BEFORE_THE_STOP)
    first = Controller(handler, hostname="127.0.0.1", port=port)
    await asyncio.to_thread(first.start)
    task_queue = f"mail-{uuid.uuid4().hex[:8]}"
    async with Worker(
        temporal_env.client, task_queue=task_queue, workflows=[InvitationRoundWorkflow], activities=mail.activities()
    ):
        handle = await temporal_env.client.start_workflow(
            InvitationRoundWorkflow.run, inputs, id=f"invite-{uuid.uuid4().hex[:8]}", task_queue=task_queue
        )
        # The round is under way: six invitations are in, others are mid-send. Stop the server.
        await wait_for(lambda: handler.stalled >= 3, "sends in flight")
        await asyncio.to_thread(first.stop)
        assert len(read_maildir(maildir)) == DELIVERED_BEFORE_THE_STOP

        # Five minutes of (skipped) time with the server down: Temporal retries with backoff.
        await temporal_env.sleep(timedelta(minutes=5))
        description = await handle.describe()
        pending = description.raw_description.pending_activities
        assert len(pending) == len(DOCTORS) - DELIVERED_BEFORE_THE_STOP  # nothing given up, nothing extra
        # Backoff 2 s doubling to 60 s: five minutes hold ten attempts; at least five, whatever the timing.
        assert all(p.attempt >= 5 for p in pending), [p.attempt for p in pending]
        assert {p.last_failure.application_failure_info.type for p in pending} == {MailErrorType.SMTP_UNAVAILABLE}
        assert len(read_maildir(maildir)) == DELIVERED_BEFORE_THE_STOP  # nothing got through meanwhile
        assert len(await sent_log.of_period(PERIOD)) == DELIVERED_BEFORE_THE_STOP

        # The server comes back (same port, same mailbox): the next retries deliver the rest.
        back = DevSmtpServer(maildir, port=port)
        await asyncio.to_thread(back.start)
        try:
            results = await handle.result()
            # The same round again (a restarted workflow, a second trigger): nothing more is sent.
            again = await temporal_env.client.execute_workflow(
                InvitationRoundWorkflow.run, inputs, id=f"invite-{uuid.uuid4().hex[:8]}", task_queue=task_queue
            )
        finally:
            await asyncio.to_thread(back.stop)

    assert [r.outcome for r in results] == ["sent"] * len(DOCTORS)
    assert [r.outcome for r in again] == ["already-sent"] * len(DOCTORS)
    messages = read_maildir(maildir)
    recipients = sorted(m.to[0] for m in messages)
    assert recipients == sorted(f"{d}@legesenter.example.no" for d in DOCTORS)  # exactly one each
    assert len({m.message_id for m in messages}) == len(DOCTORS)
    assert {m.message_id for m in messages} == {r.message_id for r in results}
    rows = await sent_log.of_period(PERIOD)
    assert sorted(r.doctor_id for r in rows) == DOCTORS and {r.kind for r in rows} == {"invitation"}
    # The round's history, even decrypted, holds ids and facts, no contact data.
    history = await decrypted_history(handle, temporal_env.client.data_converter.payload_codec)
    assert "gp07" in history and "Mosseregionens legevakt" in history  # it did decrypt
    assert "legesenter.example.no" not in history and "Lege gp" not in history
    assert history.count("@") == history.count("@localhost>")  # only in the Message-IDs
    for m in messages:  # each invitation is its own doctor's
        doctor = m.to[0].split("@")[0]
        assert m.text.startswith(f"Hei Lege {doctor},")
        assert sum(f"gp{n:02d}" in m.text for n in range(1, 21)) == 1
