"""The mail activity against a real aiosmtpd server on localhost and a real PostgreSQL: every
message kind arrives with its subject, facts and (results) a calendar that is right across the
spring DST night; nothing is sent twice; the named outcomes; TLS and login as SMTP_URL says."""

from __future__ import annotations

import asyncio
import logging
import ssl
from datetime import UTC, date, datetime, time, timedelta

import asyncpg
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from icalendar import Calendar
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.mail import MailActivities, message_id_for
from adapters.postgres.mail_log import SentLog, recipient_hash
from activities.mail_models import MailErrorType
from adapters.smtp import SmtpSender
from domain.mail.facts import Quota, ReminderFacts, ResultsFacts, ShiftFact
from domain.mail.templates import sign_in
from domain.model import OSLO_TZ, ShiftKind, ShiftTemplate
from domain.period.shifts import shift_for
from infra.mailbox import DevSmtpServer, MaildirHandler, raw_messages, read_maildir
from tests.helpers.mail import (
    DISTRICT,
    PERIOD,
    TableContactBook,
    free_port,
    invitation_facts,
    mail_settings,
    oslo,
    self_signed_cert,
    send_input,
    smtp_server,  # noqa: F401 - fixture
)


async def activities_for(pool: asyncpg.Pool, server: DevSmtpServer, **env: str):
    contacts = await TableContactBook(pool).create()
    acts = MailActivities(SmtpSender(mail_settings(server.port, **env)), SentLog(pool), contacts)
    return acts, contacts


def run(acts: MailActivities, inp):
    return ActivityEnvironment().run(acts.send_mail, inp)


async def test_invitation_states_dates_quota_carried_balance_and_where_to_give_wishes(pg_pool, smtp_server):  # noqa: F811 - the fixture
    acts, contacts = await activities_for(pg_pool, smtp_server, VAKT_PUBLIC_URL="https://vakt.example.no/")
    await contacts.add("gp01", "kari.nordmann@moss.example.no", "Kari Nordmann")
    await contacts.add("gp02", "ola.hansen@moss.example.no", "Ola Hansen")

    result = await run(acts, send_input("gp01", invitation_facts(quota=8, carried=1.5)))

    assert result.outcome == "sent" and result.kind == "invitation"
    [mail] = read_maildir(smtp_server.maildir)
    assert mail.to == ("kari.nordmann@moss.example.no",)
    assert mail.subject.startswith("Innkalling til vaktfordeling / Invitation to the shift allocation")
    assert "Mosseregionens legevakt, 01.01.2027–30.06.2027" in mail.subject
    assert mail.message_id == result.message_id == message_id_for(PERIOD, "gp01", "invitation", "localhost")
    text = mail.text
    assert text.startswith("Hei Kari Nordmann,")
    assert text.index("Du innkalles") < text.index("English below") < text.index("You are invited")  # Norwegian first
    for fact in (
        "Periode:              1. januar 2027 – 30. juni 2027",
        "Frist for vaktønsker: mandag 23. november 2026 kl. 12:00",
        "Vaktfordelingsmøte:   tirsdag 24. november 2026 kl. 18:00, Legevakta, møterom 2",
        "Tilbudstavla stenger: tirsdag 8. desember 2026 kl. 12:00",
        "Din kvote:            8 vakter",
        "Overført saldo:       +1,5",
        "Wishes due:         Monday 23 November 2026 at 12:00",
        "Your quota:         8 shifts",
        "Carried balance:    +1.5",
        "https://vakt.example.no/periods/mosse-2027-h1/wishes",
    ):
        assert fact in text, fact
    # Nothing about anyone else (R-PROC-6 is each doctor's own quota).
    assert "Ola" not in text and "gp02" not in text and "ola.hansen" not in text


async def test_reminders_name_the_deadline_and_what_can_still_be_done(pg_pool, smtp_server):  # noqa: F811 - the fixture
    acts, contacts = await activities_for(pg_pool, smtp_server)
    await contacts.add("gp01", "kari@moss.example.no", "Kari Nordmann")
    wishes = ReminderFacts(kind="reminder-wishes", deadline=oslo(2026, 11, 23, 12, 0), quota=Quota(quota=8))
    offering = ReminderFacts(
        kind="reminder-offering", deadline=oslo(2026, 12, 8, 12, 0), open_shifts=17,
        quota=Quota(quota=8, carried=-2), taken=5,
    )

    assert (await run(acts, send_input("gp01", wishes))).outcome == "sent"
    assert (await run(acts, send_input("gp01", offering))).outcome == "sent"

    by_subject = {m.subject: m for m in read_maildir(smtp_server.maildir)}
    w = by_subject["Påminnelse: frist for vaktønsker / Reminder: wishes due 23.11.2026 12:00 – Mosseregionens legevakt"]
    assert "Frist: mandag 23. november 2026 kl. 12:00" in " ".join(w.text.split())
    assert "Du kan fortsatt gi eller endre vaktønskene dine før fristen." in w.text
    assert "You can still give or change your wishes before the deadline." in w.text
    assert "/periods/mosse-2027-h1/wishes" in w.text
    o = by_subject["Påminnelse: tilbudstavla stenger / Reminder: the offering closes 08.12.2026 12:00 – Mosseregionens legevakt"]
    flat = " ".join(o.text.split())
    for fact in ("Ledige vakter: 17", "Du har: 5 av 8 vakter", "Overført saldo: −2", "Open shifts: 17",
                 "You hold: 5 of 8 shifts", "first valid claim on an open shift wins", "/periods/mosse-2027-h1/offering"):
        assert fact in flat, fact


def shift(day: date, name: str, start: str, end: str, kind: ShiftKind = ShiftKind.DUTY) -> ShiftFact:
    """A shift made by the engine's own generator (domain.period.shifts), as the workflow would pass it."""
    s = shift_for(ShiftTemplate(name=name, kind=kind, days=("all",), start=start, end=end), day, OSLO_TZ)
    return ShiftFact(shift_id=s.id, name=s.name, kind=s.kind, start=s.start, end=s.end)


async def test_results_carry_a_calendar_right_in_oslo_across_the_spring_dst_night(pg_pool, smtp_server):  # noqa: F811 - the fixture
    acts, contacts = await activities_for(pg_pool, smtp_server)
    await contacts.add("gp01", "kari@moss.example.no", "Kari Nordmann")
    # 2027-03-28 is the last Sunday of March: the night from Saturday 27 loses an hour.
    shifts = (
        shift(date(2027, 3, 26), "night", "23:00", "08:00"),  # Friday night: 9 h
        shift(date(2027, 3, 27), "night", "23:00", "08:00"),  # the DST night: 8 h
        shift(date(2027, 3, 28), "day", "08:00", "16:00"),  # Sunday, summer time
        shift(date(2027, 1, 12), "backup", "16:00", "08:00", ShiftKind.BACKUP),  # winter
    )
    facts = ResultsFacts(published_at=oslo(2026, 12, 9, 12, 0), shifts=shifts, quota=Quota(quota=4), taken=4)

    result = await run(acts, send_input("gp01", facts))

    assert result.outcome == "sent"
    [message] = raw_messages(smtp_server.maildir)
    assert message["Subject"].startswith("Vaktlista er publisert / The roster is published")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "lør 27.03.2027 23:00 – søn 28.03.2027 08:00  legevakt (night), 8 t" in text
    assert "fre 26.03.2027 23:00 – lør 27.03.2027 08:00  legevakt (night), 9 t" in text
    assert "Sat 27.03.2027 23:00 – Sun 28.03.2027 08:00  duty (night), 8 h" in text
    assert text.index("tir 12.01.2027 16:00") < text.index("fre 26.03.2027")  # in time order
    assert "Du har: 4 av 4 vakter" in " ".join(text.split())

    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "vakter-mosse-2027-h1.ics"
    assert attachment.get_param("method") == "PUBLISH"
    calendar = Calendar.from_ical(attachment.get_content())
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"{PERIOD}/{s.shift_id}@vaktfordeling" for s in shifts}

    def times(shift_id: str) -> tuple[datetime, datetime]:
        event = events[f"{PERIOD}/{shift_id}@vaktfordeling"]
        assert event["DTSTART"].params["TZID"] == "Europe/Oslo"
        return event.decoded("DTSTART"), event.decoded("DTEND")

    start, end = times("2027-03-27/night")
    assert (start.astimezone(OSLO_TZ).time(), end.astimezone(OSLO_TZ).time()) == (time(23, 0), time(8, 0))
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=8)
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (
        datetime(2027, 3, 27, 22, 0, tzinfo=UTC), datetime(2027, 3, 28, 6, 0, tzinfo=UTC),
    )
    start, end = times("2027-03-26/night")
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=9)
    start, end = times("2027-03-28/day")
    assert start.astimezone(UTC) == datetime(2027, 3, 28, 6, 0, tzinfo=UTC)  # 08:00 CEST
    start, _ = times("2027-01-12/backup")
    assert start.astimezone(UTC) == datetime(2027, 1, 12, 15, 0, tzinfo=UTC)  # 16:00 CET


async def test_a_second_call_for_the_same_period_doctor_and_kind_sends_nothing(pg_pool, smtp_server):  # noqa: F811 - the fixture
    acts, contacts = await activities_for(pg_pool, smtp_server)
    await contacts.add("gp01", "Kari@Moss.example.no", "Kari Nordmann")
    inp = send_input("gp01", invitation_facts())

    first = await run(acts, inp)
    again = await run(acts, inp)
    changed = await run(acts, send_input("gp01", invitation_facts(quota=9)))  # same key, other facts

    assert first.outcome == "sent"
    assert again.outcome == changed.outcome == "already-sent"
    assert again.message_id == first.message_id
    assert len(read_maildir(smtp_server.maildir)) == 1
    [row] = await SentLog(pg_pool).of_period(PERIOD)
    assert (row.doctor_id, row.kind, row.district_id, row.message_id) == ("gp01", "invitation", DISTRICT, first.message_id)
    assert row.recipient_hash == recipient_hash("kari@moss.example.no")
    stored = await pg_pool.fetchval("SELECT row_to_json(m)::text FROM mail_sent m")
    assert "@" not in stored.replace(first.message_id, "")  # no address in the log, only its hash
    # Another kind for the same doctor is its own message.
    wishes = ReminderFacts(kind="reminder-wishes", deadline=oslo(2026, 11, 23, 12, 0))
    assert (await run(acts, send_input("gp01", wishes))).outcome == "sent"
    assert len(read_maildir(smtp_server.maildir)) == 2


async def test_a_doctor_without_an_address_is_a_named_outcome_and_nothing_is_recorded(pg_pool, smtp_server):  # noqa: F811 - the fixture
    acts, contacts = await activities_for(pg_pool, smtp_server)
    await contacts.add("gp02", None, "Ola Hansen")

    unknown = await run(acts, send_input("gp01", invitation_facts()))
    no_email = await run(acts, send_input("gp02", invitation_facts()))

    assert unknown.outcome == no_email.outcome == "no-address"
    assert read_maildir(smtp_server.maildir) == []
    assert await SentLog(pg_pool).of_period(PERIOD) == []
    # Once the registry has the address, the same call sends it.
    await pg_pool.execute("UPDATE test_contacts SET email = 'ola@moss.example.no' WHERE doctor_id = 'gp02'")
    assert (await run(acts, send_input("gp02", invitation_facts()))).outcome == "sent"


class RefusingHandler(MaildirHandler):
    """Refuses one address for good (550) and greylists another (450)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("gone@"):
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        if address.startswith("later@"):
            return f"450 4.2.0 <{address}>: greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


async def test_a_refused_recipient_is_named_and_a_deferred_one_is_retried(pg_pool, tmp_path, caplog):
    port = free_port()
    controller = Controller(RefusingHandler(tmp_path / "mail"), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        contacts = await TableContactBook(pg_pool).create()
        acts = MailActivities(SmtpSender(mail_settings(port)), SentLog(pg_pool), contacts)
        await contacts.add("gp01", "gone@moss.example.no")
        await contacts.add("gp02", "later@moss.example.no")
        caplog.set_level(logging.DEBUG)

        refused = await run(acts, send_input("gp01", invitation_facts()))
        with pytest.raises(ApplicationError) as deferred:
            await run(acts, send_input("gp02", invitation_facts()))
    finally:
        controller.stop()

    assert (refused.outcome, refused.smtp_code) == ("recipient-refused", 550)
    assert deferred.value.type == MailErrorType.SMTP_REFUSED and not deferred.value.non_retryable
    assert "(450)" in str(deferred.value) and "later@" not in str(deferred.value)
    assert deferred.value.__cause__ is None  # the library's text (it echoes the address) stays out
    assert read_maildir(tmp_path / "mail") == [] and await SentLog(pg_pool).of_period(PERIOD) == []
    assert "moss.example.no" not in caplog.text


async def test_smtp_down_is_a_retryable_error_and_nothing_is_recorded(pg_pool, tmp_path):
    contacts = await TableContactBook(pg_pool).create()
    await contacts.add("gp01", "kari@moss.example.no")
    acts = MailActivities(SmtpSender(mail_settings(free_port())), SentLog(pg_pool), contacts)  # nobody listens

    with pytest.raises(ApplicationError) as failure:
        await run(acts, send_input("gp01", invitation_facts()))

    assert failure.value.type == MailErrorType.SMTP_UNAVAILABLE and not failure.value.non_retryable
    assert "127.0.0.1" in str(failure.value) and "kari" not in str(failure.value)
    assert await SentLog(pg_pool).of_period(PERIOD) == []


async def test_logs_name_ids_and_kinds_never_addresses_names_or_bodies(pg_pool, smtp_server, caplog):  # noqa: F811 - the fixture
    acts, contacts = await activities_for(pg_pool, smtp_server)
    await contacts.add("gp01", "kari.nordmann@moss.example.no", "Kari Nordmann")
    caplog.set_level(logging.DEBUG)

    await run(acts, send_input("gp01", invitation_facts(carried=1.5)))
    await run(acts, send_input("gp01", invitation_facts(carried=1.5)))

    assert "period=mosse-2027-h1 doctor=gp01 kind=invitation" in caplog.text
    for secret in ("kari", "Kari", "Nordmann", "moss.example", "kvote", "quota"):
        assert secret not in caplog.text, secret


async def test_a_plain_message_goes_out_through_the_same_sender(smtp_server):  # noqa: F811 - the fixture
    """A sign-in link: the sender takes any rendered message."""
    sender = SmtpSender(mail_settings(smtp_server.port, VAKT_MAIL_FROM="Vaktfordeling <noreply@legevakt.example.no>"))
    link = "http://127.0.0.1:8000/sign-in/abc123"

    message_id = await sender.send("kari@moss.example.no", sign_in(link, expires_minutes=15))

    [mail] = read_maildir(smtp_server.maildir)
    assert mail.subject == "Innlogging i Vaktfordeling / Sign in to Vaktfordeling"
    assert link in mail.text and "15 minutter" in mail.text and "15 minutes" in mail.text
    assert mail.message_id == message_id and message_id.endswith("@legevakt.example.no>")
    [raw] = raw_messages(smtp_server.maildir)
    assert raw["From"] == "Vaktfordeling <noreply@legevakt.example.no>"


def _tls_context(cert, key) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class _Credentials:
    def __init__(self) -> None:
        self.seen: list[tuple[bytes, bytes]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        encrypted = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        self.seen.append((auth_data.login, auth_data.password, encrypted))
        ok = auth_data.login == b"vakt" and auth_data.password == b"p@ss:w/rd"
        return AuthResult(success=ok, handled=False)  # False: aiosmtpd answers 535 itself


@pytest.mark.parametrize("mode", ["starttls", "smtps"])
async def test_tls_and_login_as_the_url_says(tmp_path, monkeypatch, mode):
    cert, key = self_signed_cert(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the sender trusts our test CA (as a private CA would be)
    credentials = _Credentials()
    port = free_port()
    context = _tls_context(cert, key)
    common = dict(hostname="127.0.0.1", port=port, authenticator=credentials, auth_require_tls=True)
    if mode == "starttls":
        controller = Controller(MaildirHandler(tmp_path / "mail"), tls_context=context, require_starttls=True, **common)
        url = f"smtp://vakt:p%40ss%3Aw%2Frd@127.0.0.1:{port}"  # a user: STARTTLS by default
    else:
        # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; this connection is TLS throughout.
        controller = Controller(MaildirHandler(tmp_path / "mail"), ssl_context=context, **{**common, "auth_require_tls": False})
        url = f"smtps://vakt:p%40ss%3Aw%2Frd@127.0.0.1:{port}"
    await asyncio.to_thread(controller.start)
    try:
        sender = SmtpSender(mail_settings(port, SMTP_URL=url))
        await sender.send("kari@moss.example.no", sign_in("http://x/1"))
        wrong = SmtpSender(mail_settings(port, SMTP_URL=url.replace("p%40ss", "nope")))
        with pytest.raises(Exception) as refused:
            await wrong.send("kari@moss.example.no", sign_in("http://x/2"))
    finally:
        await asyncio.to_thread(controller.stop)

    assert credentials.seen[0] == (b"vakt", b"p@ss:w/rd", True)  # percent-decoded, and only over TLS
    assert len(read_maildir(tmp_path / "mail")) == 1
    assert "refused the login" in str(refused.value) and "nope" not in str(refused.value)
