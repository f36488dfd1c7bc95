"""The whole roster as one iCalendar file (RFC 5545): an event per held shift, named with its
holder ("Kveld 16–23: Kari Nordmann"), Europe/Oslo times with the zone (R-TIME-1), the same
stable UID per shift as the doctors' own feeds (domain.mail.ics), SEQUENCE the round's version:
a newer file replaces the events a calendar has from an older one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from app.roster.views import RoundRoster
from domain.mail.facts import ShiftFact
from domain.mail.ics import feed_calendar
from domain.model import ShiftKind
from domain.period import titles
from domain.period.ledger import RosterEntry
from web import roster_words as words
from web.i18n import text


def roster_ics(roster: RoundRoster, entries: Sequence[RosterEntry], lang: str, stamp: datetime) -> bytes:
    held = [e for e in entries if e.doctor is not None]
    by_id = {e.shift.id: e for e in held}
    facts = [ShiftFact(shift_id=e.shift.id, name=e.shift.name, kind=ShiftKind(e.shift.kind), start=e.shift.start,
                       end=e.shift.end) for e in held]
    title = titles.period_title(roster.start, roster.end, lang)

    def describe(_period: str, fact: ShiftFact) -> dict[str, str]:
        entry = by_id[fact.shift_id]
        summary = text("ics.summary", lang, shift=words.shift_short(entry, lang), name=roster.name(entry.doctor))
        place = words.station_name(entry.station, lang)
        return {"summary": summary, "location": f"{roster.district_name}, {place}" if place else roster.district_name,
                "description": text("ics.description", lang, how=words.source_word(entry.source, lang), title=title)}

    name = text("ics.name", lang, title=title, district=roster.district_name)
    return feed_calendar([(roster.period, roster.source.version, facts)], roster.district_name,
                         stamp=stamp.astimezone(UTC).replace(microsecond=0), name=name, describe=describe)
