"""Message wording and the calendar file, as pure functions (domain/mail_templates, domain/ics)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from pydantic import ValidationError

from activities.mail_models import SendMailInput
from domain.mail.ics import shifts_calendar
from domain.mail.facts import InvitationFacts, PeriodLine, Quota, ReminderFacts, ResultsFacts, ShiftFact
from domain.mail.templates import invitation, reminder, results
from domain.model import OSLO_TZ, ShiftKind, ShiftTemplate
from domain.period.shifts import shift_for

PERIOD = PeriodLine(period_id="mosse-2027-h2", district_name="Mosse", start=date(2027, 7, 1), end=date(2027, 12, 31))
URL = "http://127.0.0.1:8000"
STAMP = datetime(2027, 6, 1, 12, 0, tzinfo=OSLO_TZ)


def night(day: date) -> ShiftFact:
    s = shift_for(ShiftTemplate(name="night", kind=ShiftKind.DUTY, days=("all",), start="23:00", end="08:00"), day, OSLO_TZ)
    return ShiftFact(shift_id=s.id, name=s.name, kind=s.kind, start=s.start, end=s.end)


def invite(quota: Quota) -> str:
    facts = InvitationFacts(
        quota=quota, wishes_due=STAMP, meeting_at=STAMP + timedelta(days=1), offering_closes=STAMP + timedelta(days=14)
    )
    return invitation(PERIOD, facts, name=None, public_url=URL).text


def test_the_carried_balance_reads_as_what_it_means():
    assert "Overført saldo:       −2 (du har tatt 2 vakter mindre enn kvoten" in invite(Quota(quota=6, carried=-2))
    assert "Carried balance:    −2 (you took 2 shifts fewer than your quota" in invite(Quota(quota=6, carried=-2))
    assert "0 (ingen saldo fra tidligere perioder)" in invite(Quota(quota=6))
    text = invite(Quota(quota=1, carried=0.5))
    assert "Din kvote:            1 vakt\n" in text and "Your quota:         1 shift\n" in text
    weighted = invite(Quota(quota=9, weighted=True, carried=1))
    assert "Din kvote:            9 poeng" in weighted and "Your quota:         9 points" in weighted
    assert text.startswith("Hei,\n") and "place to be announced" in text


def test_the_autumn_dst_night_is_ten_hours_in_text_and_calendar():
    # 2027-10-31 is the last Sunday of October: the night from Saturday 30 gains an hour.
    shifts = (night(date(2027, 10, 30)),)
    message = results(PERIOD, ResultsFacts(published_at=STAMP, shifts=shifts), name="Kari", public_url=URL)
    assert "lør 30.10.2027 23:00 – søn 31.10.2027 08:00  legevakt (night), 10 t" in message.text
    [event] = Calendar.from_ical(message.attachments[0].data).walk("VEVENT")
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=10)


def test_the_calendar_is_the_same_bytes_for_the_same_facts_and_sequence_marks_an_update():
    shifts = (night(date(2027, 8, 6)), night(date(2027, 8, 7)))
    one = shifts_calendar("p", "Mosse", shifts, stamp=STAMP)
    assert one == shifts_calendar("p", "Mosse", reversed(shifts), stamp=STAMP)  # a retry attaches the same file
    update = Calendar.from_ical(shifts_calendar("p", "Mosse", shifts[:1], stamp=STAMP, sequence=1))
    [event] = update.walk("VEVENT")
    assert str(event["UID"]) == "p/2027-08-06/night@vaktfordeling" and event["SEQUENCE"] == 1


def test_no_shifts_is_said_and_the_calendar_is_empty_but_valid():
    message = results(PERIOD, ResultsFacts(published_at=STAMP, shifts=()), name=None, public_url=URL)
    assert "Du har ingen vakter i denne perioden." in message.text and "You have no shifts in this period." in message.text
    assert Calendar.from_ical(message.attachments[0].data).walk("VEVENT") == []


def test_a_reminder_with_nothing_but_a_deadline_still_reads():
    facts = ReminderFacts(kind="reminder-wishes", deadline=STAMP)
    text = reminder(PERIOD, facts, name="Kari", public_url=URL).text
    assert "Frist: tirsdag 1. juni 2027 kl. 12:00" in " ".join(text.split())


def test_shift_facts_are_kept_in_utc_and_must_end_after_they_start():
    s = night(date(2027, 3, 27))
    assert s.start.tzinfo is UTC and s.hours == 8
    with pytest.raises(ValidationError):
        ShiftFact(shift_id="x", name="x", kind=ShiftKind.DUTY, start=s.end, end=s.start)
    with pytest.raises(ValidationError):
        ShiftFact(shift_id="x", name="x", kind=ShiftKind.DUTY, start=datetime(2027, 1, 1), end=datetime(2027, 1, 2))


def test_the_activity_input_carries_no_address_field_and_round_trips_its_kind():
    fields = set(SendMailInput.model_fields)
    assert not any("mail" in f or "address" in f or "contact" in f for f in fields)
    inp = SendMailInput(
        period_id="p", district_id="d", doctor_id="gp01", district_name="Mosse", period_start=date(2027, 7, 1),
        period_end=date(2027, 12, 31), facts=ReminderFacts(kind="reminder-offering", deadline=STAMP, open_shifts=3),
    )
    again = SendMailInput.model_validate_json(inp.model_dump_json())
    assert again == inp and again.kind == "reminder-offering"
    with pytest.raises(ValidationError):
        SendMailInput.model_validate({**inp.model_dump(), "email": "kari@example.no"})
