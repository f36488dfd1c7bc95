"""The calendar feed: a secret per-doctor URL, parsed with icalendar; one event per
held shift, in Europe/Oslo time across the spring DST change (R-TIME-1); revocable, and a new
link retires the old one. (A stored round: the feed is read from the stored events.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar

from domain.period.events import MeetingOpened, PeriodOpened, RosterPublished, ShiftTaken, Source
from domain.model import OSLO_TZ
from domain.period.quota import QuotaSnapshot
from tests.integration.rounds import example_config, store_round
from tests.web.stack import email_of
from tests.web.test_identity import _registry

SHIFTS = ("2027-03-27/night", "2027-03-28/day", "2027-03-28/night", "2027-03-29/evening")


async def test_the_feed_has_each_held_shift_in_oslo_time_across_dst(web_db):
    await _registry(web_db)
    config = example_config("dst-1", meeting_in=timedelta(days=2))
    config = config.model_copy(update={"period": config.period.model_copy(
        update={"start": date(2027, 3, 26), "end": date(2027, 3, 30)})})
    events = [
        PeriodOpened(config=config),
        MeetingOpened(quota=QuotaSnapshot(base=2, shared=10, participants=5, per_doctor={"gp04": 2})),
        *(ShiftTaken(shift=s, doctor="gp04", source=Source.OFFERING) for s in SHIFTS),
        ShiftTaken(shift="2027-03-26/evening", doctor="gp05", source=Source.OFFERING),
        RosterPublished(assigned=5, uncovered=0, unsafe=[]),
    ]
    await store_round((await web_db.services.database()).store, events)
    gp04 = await web_db.sign_in(email_of("gp04"))
    assert (await gp04.get("/api/me/calendar")).json()["url"] is None
    url = (await gp04.post("/api/me/calendar", json={})).json()["url"]
    assert url.startswith(web_db.base_url + "/calendar/") and url.endswith(".ics")
    assert (await gp04.get("/api/me/calendar")).json()["url"] == url  # shown again, same URL
    public = web_db.client()
    feed = await public.get(url.removeprefix(web_db.base_url))
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(feed.content)
    vevents = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(vevents) == {f"dst-1/{s}@vaktfordeling" for s in SHIFTS}  # gp05's shift is not in it
    night = vevents["dst-1/2027-03-27/night@vaktfordeling"]
    start, end = night.decoded("DTSTART"), night.decoded("DTEND")
    assert night["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert start == datetime(2027, 3, 27, 23, 0, tzinfo=OSLO_TZ) and end == datetime(2027, 3, 28, 8, 0, tzinfo=OSLO_TZ)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=8)  # the short night (R-TIME-1)
    assert end.utcoffset() == timedelta(hours=2) and start.utcoffset() == timedelta(hours=1)  # CET → CEST
    # In words, in Norwegian: what, where, which period, and a link to its page (no doctor named).
    assert str(night["SUMMARY"]) == "Legevakt: Natt 23–08"
    assert str(night["LOCATION"]) == "Testdistrikt legevakt"
    description = str(night["DESCRIPTION"])
    assert "Legevakt, lør 27.3 Natt 23–08" in description and "Periode: 26.3.2027–30.3.2027 – Testdistrikt legevakt" in description
    assert f"{web_db.base_url}/periods/dst-1" in description and "gp04" not in feed.text
    day = vevents["dst-1/2027-03-28/day@vaktfordeling"]
    assert day.decoded("DTSTART") == datetime(2027, 3, 28, 8, 0, tzinfo=OSLO_TZ)
    assert b"BEGIN:VTIMEZONE" in feed.content and b"TZID:Europe/Oslo" in feed.content

    renewed = (await gp04.post("/api/me/calendar", json={})).json()["url"]
    assert renewed != url
    assert (await public.get(url.removeprefix(web_db.base_url))).status_code == 404  # the old link is retired
    assert (await public.get(renewed.removeprefix(web_db.base_url))).status_code == 200
    assert (await gp04.delete("/api/me/calendar")).json()["url"] is None
    assert (await public.get(renewed.removeprefix(web_db.base_url))).status_code == 404
    stored = await (await web_db.services.database()).pool.fetch("SELECT token_hash FROM calendar_feeds")
    assert all(renewed.rsplit("/", 1)[1].removesuffix(".ics") not in r["token_hash"] for r in stored)
