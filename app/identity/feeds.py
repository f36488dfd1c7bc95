"""A doctor's personal calendar feed: an iCalendar URL with a secret token.

The token is derived from the session secret, the doctor and a generation
(`HMAC(secret, "calendar:<district>/<doctor>/<generation>")`), so the doctor's page can show the
URL again, and only its SHA-256 is stored (adapters/postgres/calendar_feeds.py). A new link or a
revocation moves the generation on: the old URL stops working at once. The feed holds every
shift the doctor holds in the district's live rounds, in Europe/Oslo time (domain.mail.ics), and is
built from the stored events on each request, so it shows every change — a swap included.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel

from adapters.postgres.calendar_feeds import FeedStore
from app.identity.access import doctor_district, serving
from app.bootstrap import Services
from app.reads.doctor_views import period_view
from app.errors import NotFound
from app.validate import district_id as valid_district_id
from app.validate import doctor_id as valid_doctor_id
from app.identity.sessions import digest, sign
from domain.mail.ics import feed_calendar
from domain.identity import Principal
from domain.mail.facts import ShiftFact
from domain.period.titles import kind_name, period_title, shift_label, shift_when

GONE = "no calendar feed at this address (the link was revoked or replaced)"


class FeedLink(BaseModel):
    district: str
    url: str | None  # None: the doctor has no live feed


def _token(services: Services, district: str, doctor: str, generation: int) -> str:
    secret = services.web_settings.session_secret.get_secret_value()
    return sign(secret, "calendar", f"{district}/{doctor}/{generation}")


def _url(services: Services, token: str) -> str:
    return f"{services.web_settings.public_url}/calendar/{token}.ics"


async def _store(services: Services) -> FeedStore:
    return (await services.database()).feeds


async def _own(principal: Principal | None, district: str | None) -> tuple[str, str]:
    """The feed's doctor: the signed-in doctor, in one of their own districts."""
    if district is not None:
        district = valid_district_id(district, "district")
    return await doctor_district(principal, district)


async def feed_link(services: Services, principal: Principal | None, district: str | None = None) -> FeedLink:
    district, doctor = await _own(principal, district)
    generation = await (await _store(services)).generation(district, doctor)
    url = _url(services, _token(services, district, doctor, generation)) if generation else None
    return FeedLink(district=district, url=url)


async def renew_feed(services: Services, principal: Principal | None, district: str | None = None) -> FeedLink:
    """A new feed URL for the signed-in doctor; the previous one stops working."""
    district, doctor = await _own(principal, district)
    store = await _store(services)
    generation = await store.renew(district, doctor, lambda g: digest(_token(services, district, doctor, g)))
    return FeedLink(district=district, url=_url(services, _token(services, district, doctor, generation)))


async def revoke_feed(services: Services, principal: Principal | None, district: str | None = None) -> FeedLink:
    district, doctor = await _own(principal, district)
    await (await _store(services)).revoke(district, doctor)
    return FeedLink(district=district, url=None)


async def revoke_for_doctor(services: Services, principal: Principal | None, district: str, doctor: str) -> FeedLink:
    """An operator serving the district revokes a doctor's feed (a lost phone); nobody but the
    doctor ever sees or makes a feed URL."""
    district = valid_district_id(district, "district")
    serving(principal, district)
    doctor = valid_doctor_id(doctor, "doctor")
    await (await _store(services)).revoke(district, doctor)
    return FeedLink(district=district, url=None)


async def feed(services: Services, token: str) -> bytes:
    """The feed's iCalendar bytes; NotFound (one message) for an unknown or revoked token."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise NotFound(GONE)
    owner = await (await _store(services)).owner(digest(token))
    if owner is None:
        raise NotFound(GONE)
    district, doctor = owner
    reader = (await services.database()).projections
    periods, name, stamp = [], district, datetime(2000, 1, 1, tzinfo=UTC)
    titles: dict[str, tuple[str, str]] = {}
    for row in await reader.district_rounds(district):
        if row["phase"] == "cancelled":
            continue
        view = await period_view(services, row["stream_id"])
        if view is None or view.state.simulated:
            continue
        state = view.state
        name = state.config.district.name
        shifts = view.held(doctor)
        facts = [ShiftFact(shift_id=s.id, name=s.name, kind=s.kind, start=s.start, end=s.end) for s in shifts]
        periods.append((row["stream_id"], state.version, facts))
        titles[row["stream_id"]] = (period_title(state.config.period.start, state.config.period.end), name)
    stamp = services.clock.now().astimezone(UTC).replace(microsecond=0)
    base = services.web_settings.public_url
    return feed_calendar(periods, name, stamp=stamp, name=f"Vakter – {name}",
                         describe=lambda period, shift: event_words(base, period, shift, *titles[period]))


def event_words(base_url: str, period: str, shift: ShiftFact, title: str, district_name: str) -> dict[str, str]:
    """What a calendar shows of a shift, in Norwegian: "Legevakt: Kveld 16–23", where (the
    district), and a description with the times, the period's title and a link to its page.
    No doctor is named (a calendar may be shared)."""
    kind = kind_name(shift.kind.value)
    label = shift_label(shift.name, shift.start, shift.end)
    board = f"{base_url}/periods/{period}"
    description = "\n".join([
        f"{kind}, {shift_when(shift.name, shift.start, shift.end)} (Europe/Oslo)",
        f"Periode: {title} – {district_name}",
        f"Vaktfordeling: {board}",
    ])
    return {"summary": f"{kind}: {label}", "location": district_name, "description": description, "url": board}
