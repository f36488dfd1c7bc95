"""A doctor's shifts as an iCalendar file (RFC 5545), for the results mail and calendar feeds.

One VEVENT per shift, its times as Europe/Oslo wall-clock with the zone's VTIMEZONE (R-TIME-1),
so a calendar shows the spring DST night as 23:00–08:00 and knows it lasts 8 hours. The UID is
stable per (period, shift): a later file with a higher SEQUENCE replaces the event in a
calendar instead of adding a second one, and one that marks it STATUS:CANCELLED (a shift given
away in a swap, R-SWAP-1) takes it out: a PUBLISH file that merely left it out would not.
DTSTAMP comes from the caller (the publication time), so the same facts always give the same
bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

from icalendar import Calendar, Event

from domain.mail.facts import ShiftFact
from domain.model import OSLO, OSLO_TZ, ShiftKind

PRODID = "-//Vaktfordeling//Vaktfordeling//NO"
UID_DOMAIN = "vaktfordeling"

_KIND_TEXT = {ShiftKind.DUTY: ("Legevakt", "duty"), ShiftKind.BACKUP: ("Bakvakt", "backup")}


def shift_uid(period_id: str, shift_id: str) -> str:
    return f"{period_id}/{shift_id}@{UID_DOMAIN}"


def shift_summary(shift: ShiftFact, district_name: str) -> str:
    norwegian, english = _KIND_TEXT[shift.kind]
    return f"{norwegian} / {english} ({shift.name}) – {district_name}"


# (period id, shift) → {"summary", "location", "description"}: what a feed says of an event
Describe = Callable[[str, ShiftFact], dict[str, str]]


def feed_calendar(
    periods: Iterable[tuple[str, int, Iterable[ShiftFact]]], district_name: str, *, stamp: datetime, name: str | None = None,
    describe: Describe | None = None,
) -> bytes:
    """A doctor's calendar feed: the shifts they hold in several periods, each period's as
    (period id, version, shifts). SEQUENCE is the period's version, so a calendar that saw an
    earlier version of an event replaces it after a swap. `describe` gives each event its
    summary, location and description (the feed's words, in Norwegian); the UID never changes."""
    calendar = _calendar(district_name, name)
    first = last = None
    for period_id, version, shifts in periods:
        for shift in sorted(shifts, key=lambda s: (s.start, s.shift_id)):
            words = describe(period_id, shift) if describe else None
            calendar.add_component(_event(period_id, shift, district_name, stamp, version, words=words))
            first = min(first or shift.start, shift.start)
            last = max(last or shift.end, shift.end)
    _timezones(calendar, first, last)
    return calendar.to_ical()


def _calendar(district_name: str, name: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name or f"Vakter / shifts – {district_name}")
    calendar.add("x-wr-timezone", OSLO)
    return calendar


def _event(
    period_id: str, shift: ShiftFact, district_name: str, stamp: datetime, sequence: int, *, cancelled: bool = False,
    words: dict[str, str] | None = None,
) -> Event:
    event = Event()
    event.add("uid", shift_uid(period_id, shift.shift_id))
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("dtstart", shift.start.astimezone(OSLO_TZ))
    event.add("dtend", shift.end.astimezone(OSLO_TZ))
    words = words or {}
    event.add("summary", words.get("summary") or shift_summary(shift, district_name))
    for field in ("location", "description", "url"):
        if words.get(field):
            event.add(field, words[field])
    event.add("transp", "OPAQUE")
    if cancelled:
        event.add("status", "CANCELLED")
    return event


def _timezones(calendar: Calendar, first: datetime | None, last: datetime | None) -> None:
    if first is not None and last is not None:
        first, last = first.astimezone(OSLO_TZ), last.astimezone(OSLO_TZ)
        calendar.add_missing_timezones(first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 2, 1, 1))


def shifts_calendar(
    period_id: str,
    district_name: str,
    shifts: Iterable[ShiftFact],
    *,
    stamp: datetime,
    sequence: int = 0,
    name: str | None = None,
    cancelled: Iterable[ShiftFact] = (),
) -> bytes:
    """The .ics bytes for these shifts (none is a valid, empty calendar); `cancelled` shifts go
    in as cancelled events, so a calendar that has them from an earlier file removes them."""
    marked = [(s, False) for s in shifts] + [(s, True) for s in cancelled]
    marked.sort(key=lambda m: (m[0].start, m[0].shift_id))
    calendar = _calendar(district_name, name)
    for shift, gone in marked:
        calendar.add_component(_event(period_id, shift, district_name, stamp, sequence, cancelled=gone))
    if marked:
        _timezones(calendar, min(s.start for s, _ in marked), max(s.end for s, _ in marked))
    return calendar.to_ical()
