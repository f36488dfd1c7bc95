"""The board stays live (web/live.py, app/reads/live.py), over HTTP against the real stack: a
doctor holding the event stream sees a shift another doctor claims through the API within
seconds, named by its id only — never who took it; a reconnect with `Last-Event-ID` resumes
after the last version seen; the stream answers only a signed-in doctor of the period's
district (401, 403, 404 as the board does). And the streams free their place when the client
goes away, and end when the server shuts down."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from app.reads.live import BOARD_TYPES
from app.registry.districts import import_scenario
from domain.model import Phase
from tests.integration.rounds import EXAMPLE
from tests.web.stack import close_until, email_of, serve, start_example_period
from tests.helpers.mail import free_port

EVENING, DAY = "2027-01-05/evening", "2027-01-09/day"


async def next_event(lines, *, within: float) -> dict:
    """The next `event:`/`data:` block of the stream (comments and `retry:` skipped)."""
    event: dict = {}
    async with asyncio.timeout(within):
        async for line in lines:
            if line == "":
                if "data" in event:
                    return event
                event = {}
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                event[name] = value.removeprefix(" ")
    raise AssertionError("the stream ended")


def people() -> list[str]:
    doctors = json.loads(EXAMPLE.read_text())["doctors"]
    return [d["id"] for d in doctors] + [d["name"] for d in doctors] + [d["email"] for d in doctors]


async def claim(client, period: str, shift: str) -> int:
    answer = await client.post(f"/api/periods/{period}/actions", json={"verb": "claim", "shift": shift})
    assert answer.status_code == 200 and answer.json()["accepted"], answer.text
    return answer.json()["version"]


async def test_a_shift_another_doctor_claims_leaves_the_board_within_seconds(web):
    period = await start_example_period(web)
    await close_until(web, period, Phase.OFFERING)
    gp05, sub02 = [await web.sign_in(email_of(d)) for d in ("gp05", "sub02")]
    since = (await gp05.get(f"/api/periods/{period}/board")).json()["version"]

    async with gp05.stream("GET", f"/periods/{period}/live?since={since}",
                           headers={"Accept": "text/event-stream"}) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-store" and "content-encoding" not in stream.headers
        lines = stream.aiter_lines()
        version = await claim(sub02, period, EVENING)
        event = await next_event(lines, within=3.0)
    assert event["event"] == "taken" and int(event["id"]) >= version
    data = json.loads(event["data"])
    assert data["taken"] == [EVENING] and data["released"] == [] and data["version"] == int(event["id"])
    assert len(data["at"]) == 5 and data["at"][2] == ":"
    assert set(data) == {"version", "taken", "released", "at"}
    assert not [p for p in people() if p in event["data"]]  # never who took it

    # A reconnect resumes after the last version seen: what it missed comes at once, once.
    await claim(sub02, period, DAY)
    async with gp05.stream("GET", f"/periods/{period}/live?since={since}",
                           headers={"Last-Event-ID": event["id"]}) as stream:
        resumed = await next_event(stream.aiter_lines(), within=3.0)
    assert json.loads(resumed["data"])["taken"] == [DAY]


async def test_only_a_signed_in_doctor_of_the_district_may_watch(web):
    period = await start_example_period(web, meeting_in=timedelta(days=2))
    scenario = json.loads(EXAMPLE.read_text())
    for doctor in scenario["doctors"]:
        doctor["email"] = f"{doctor['id']}@north.example.no"
    north = web.maildir.parent / "north.json"
    north.write_text(json.dumps(scenario))
    await import_scenario(web.services, "north", north, actor="admin:test")

    anonymous = web.client()
    assert (await anonymous.get(f"/periods/{period}/live", headers={"Accept": "text/event-stream"})).status_code == 401
    outsider = await web.sign_in("gp05@north.example.no")
    assert (await outsider.get(f"/periods/{period}/live")).status_code == 403
    insider = await web.sign_in(email_of("gp05"))
    assert (await insider.get("/periods/no-such-period/live")).status_code == 404
    assert (await insider.get(f"/periods/{period}/live?since=-1")).status_code == 422


async def test_streams_free_their_place_and_end_at_shutdown(web):
    """A second server over the same services, so the test sees its hub (app.state.live)."""
    period = await start_example_period(web, meeting_in=timedelta(days=2))
    port = free_port()
    server, task = await serve(web.services, port)
    web.base_url, base = f"http://127.0.0.1:{port}", web.base_url
    try:
        gp05 = await web.sign_in(email_of("gp05"))
        hub = server.config.app.state
        async with gp05.stream("GET", f"/periods/{period}/live") as stream:
            assert stream.status_code == 200
            assert hub.live.subscribers(period) == 1
        for _ in range(100):  # the client went away: its queue and the watcher are gone
            if not hub.live.watchers:
                break
            await asyncio.sleep(0.05)
        assert hub.live.subscribers(period) == 0 and not hub.live.watchers

        async with gp05.stream("GET", f"/periods/{period}/live") as stream:
            lines = stream.aiter_lines()
            assert hub.live.subscribers(period) == 1
            server.should_exit = True  # the server shuts down with a stream open: it ends it
            async with asyncio.timeout(5):
                async for _ in lines:
                    pass
        async with asyncio.timeout(5):
            await task
    finally:
        web.base_url = base
        server.should_exit = True
        await task


def test_the_board_types_are_events_the_domain_knows():
    from app.reads.events import EVENT_TYPES

    assert set(BOARD_TYPES) <= set(EVENT_TYPES)
