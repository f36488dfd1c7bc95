"""A live round driven over HTTP, on a Temporal dev server with a worker: claims through the
front door, an operator's extension, close and an action entered for a doctor, then swaps after
publication (R-SWAP-1) — refused for lack of rest (R-REST-1) or qualification (R-QUAL-2) with
the giver still holding the shift, accepted with the load and both calendar feeds following, and
the doctors concerned told by e-mail once each. Every stored event carries an actor from a
sign-in (or the engine's own)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from icalendar import Calendar

from domain.period.calendar import PeriodCalendar
from domain.model import OSLO_TZ, Phase
from domain.period.roster import loads
from infra.mailbox import read_maildir
from tests.web.stack import account_id, OPERATOR, close_until, email_of, start_example_period, wait_phase

NIGHT, EVENING, BACKUP, DAY = "2027-01-05/night", "2027-01-05/evening", "2027-01-06/backup", "2027-01-09/day"


def _uids(ics: bytes) -> set[str]:
    return {str(e["UID"]).split("/", 1)[1].rsplit("@", 1)[0] for e in Calendar.from_ical(ics).walk("VEVENT")}


def _swap_mail(web, doctor: str) -> list[str]:
    mail = read_maildir(web.maildir)
    return [m.subject for m in mail if email_of(doctor) in m.to and m.subject.startswith("Vaktbytte")]


async def _told(web, doctor: str, subject: str) -> None:
    """Wait, as the doctor would, for the swap mail whose subject starts so."""
    for _ in range(200):
        if any(s.startswith(subject) for s in _swap_mail(web, doctor)):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no '{subject}' mail to {doctor}")


async def _held(client, period) -> list[str]:
    board = await client.get(f"/api/periods/{period}/board")
    assert board.status_code == 200, board.text
    return [s["shift"] for s in board.json()["held"]]


async def test_a_round_over_http_claims_steering_and_swaps(web):
    period = await start_example_period(web)
    await close_until(web, period, Phase.OFFERING)
    gp05, sub01, sub02 = [await web.sign_in(email_of(d)) for d in ("gp05", "sub01", "sub02")]
    kari = await web.sign_in(OPERATOR[0])

    # Claims through the front door: one definite answer each.
    for client, shift in ((sub02, EVENING), (gp05, NIGHT), (gp05, BACKUP), (gp05, DAY)):
        answer = await client.post(f"/api/periods/{period}/actions", json={"verb": "claim", "shift": shift})
        assert answer.status_code == 200 and answer.json()["accepted"] and answer.json()["version"] > 0, answer.text
    taken = await gp05.post(f"/api/periods/{period}/actions", json={"verb": "claim", "shift": EVENING})
    # A refused action has the one refusal shape of every JSON client (web.deps.Refusal).
    assert taken.status_code == 409 and set(taken.json()) == {"error", "status", "rule", "message"}, taken.text
    assert taken.json()["rule"] == "R-PROC-7" and taken.json()["status"] == 409
    # An operator enters a claim for a doctor through the operator's route: recorded as the
    # operator for the doctor. The doctor's own route takes no doctor.
    kari_actor = f"operator:{await account_id(web, OPERATOR[0])}"
    entered = await kari.post(f"/api/operator/periods/{period}/act",
                              json={"verb": "claim", "shift": "2027-01-12/evening", "doctor": "sub01"})
    assert entered.status_code == 200 and entered.json()["doctor"] == "sub01", entered.text
    as_doctor = await kari.post(f"/api/periods/{period}/actions",
                                json={"verb": "claim", "shift": "2027-01-13/evening", "doctor": "sub01"})
    assert as_doctor.status_code == 422 and as_doctor.json()["error"].startswith("doctor: ")

    until = (datetime.now(OSLO_TZ) + timedelta(days=5)).replace(second=0, microsecond=0, tzinfo=None)
    extended = await kari.post(f"/api/operator/rounds/{period}/extend",
                               json={"until": until.isoformat(), "reason": "more time for claims"})
    assert extended.status_code == 200, extended.text
    closed = await kari.post(f"/api/operator/rounds/{period}/close", json={"reason": "everyone has claimed"})
    assert closed.status_code == 200 and closed.json()["now"] == "lottery"
    await wait_phase(web, period, lambda s: s.phase is Phase.PUBLISHED)

    feeds = {}
    for name, client in (("gp05", gp05), ("sub02", sub02)):
        made = await client.post("/api/me/calendar", json={})
        assert made.status_code == 200
        feeds[name] = made.json()["url"].removeprefix(web.base_url)
    public = web.client()
    before = {name: _uids((await public.get(url)).content) for name, url in feeds.items()}
    assert DAY in before["gp05"] and DAY not in before["sub02"]

    # R-REST-1: sub02 works the evening before; the night is refused, gp05 still holds it.
    offer = await gp05.post(f"/api/periods/{period}/swaps", json={"shift": NIGHT, "receiver": "sub02"})
    assert offer.status_code == 200, offer.text
    await _told(web, "sub02", "Vaktbytte tilbudt")  # R-SWAP-1: the named receiver hears of it
    refused = await sub02.post(f"/api/periods/{period}/swaps/{offer.json()['swap']}/accept", json={})
    assert refused.status_code == 409 and refused.json()["rule"] == "R-REST-1", refused.text
    assert set(refused.json()) == set(taken.json())  # a swap's refusal: the action's shape
    assert NIGHT in await _held(gp05, period)
    assert (await gp05.post(f"/api/periods/{period}/swaps/{offer.json()['swap']}/withdraw", json={})).status_code == 200

    # R-QUAL-2: sub01 is not independently qualified for a backup shift.
    offer = await gp05.post(f"/api/periods/{period}/swaps", json={"shift": BACKUP, "receiver": "sub01"})
    await _told(web, "sub01", "Vaktbytte tilbudt")
    refused = await sub01.post(f"/api/periods/{period}/swaps/{offer.json()['swap']}/accept", json={})
    assert refused.status_code == 409 and refused.json()["rule"] == "R-QUAL-2", refused.text
    assert BACKUP in await _held(gp05, period)
    assert (await sub01.post(f"/api/periods/{period}/swaps/{offer.json()['swap']}/decline", json={})).status_code == 200
    await _told(web, "gp05", "Vaktbytte ikke gjennomført")

    # An offer to everyone who may take it; sub02 sees it and takes it.
    offer = await gp05.post(f"/api/periods/{period}/swaps", json={"shift": DAY})
    swap = offer.json()["swap"]
    board = (await sub02.get(f"/api/periods/{period}/board?at_least={offer.json()['version']}")).json()
    assert [(s["swap"], s["allowed"]) for s in board["swaps_in"]] == [(swap, True)]
    points_before = board["points"]
    accepted = await sub02.post(f"/api/periods/{period}/swaps/{swap}/accept", json={})
    assert accepted.status_code == 200, accepted.text
    state = await wait_phase(web, period, lambda s: s.assignments[DAY].doctor == "sub02")
    assert DAY in await _held(sub02, period) and DAY not in await _held(gp05, period)
    assert (await sub02.get(f"/api/periods/{period}/board")).json()["points"] == points_before + 1
    load = loads(state, PeriodCalendar.from_config(state.require_config()))
    assert load["sub02"].shifts == 2 and state.assignments[DAY].source == "swap"  # R-LOAD-1: the receiver's
    after = {name: _uids((await public.get(url)).content) for name, url in feeds.items()}
    assert after["gp05"] == before["gp05"] - {DAY} and after["sub02"] == before["sub02"] | {DAY}
    # The giver hears the swap is done; the offer to everyone told no one; each mail once.
    await _told(web, "gp05", "Vaktbytte fullført")
    assert sorted(s.split(":")[0] for s in _swap_mail(web, "gp05")) == [
        "Vaktbytte fullført / Shift swap complete", "Vaktbytte ikke gjennomført / Shift swap not taken"]
    assert [s.split(":")[0] for s in _swap_mail(web, "sub02")] == ["Vaktbytte tilbudt / Shift swap offered"]
    assert [s.split(":")[0] for s in _swap_mail(web, "sub01")] == ["Vaktbytte tilbudt / Shift swap offered"]

    # Every event's actor comes from a sign-in (or is the engine itself).
    stored = await (await web.services.database()).store.read_stream(period)
    # (close_until steps on through app.periods.live without a sign-in, as the CLI does: by name.)
    signed = {"doctor:gp05", "doctor:sub01", "doctor:sub02", kari_actor, f"{kari_actor} for doctor:sub01",
              f"operator:{OPERATOR[1]}", "operator:test"}
    assert all(e.actor in signed or e.actor.startswith("system:") for e in stored), {e.actor for e in stored}
    by_type = {}
    for e in stored:
        by_type.setdefault(e.type, set()).add(e.actor)
    assert by_type["DeadlineExtended"] == {kari_actor}
    assert by_type["SwapAccepted"] == {"doctor:sub02"} and by_type["SwapOffered"] == {"doctor:gp05"}
    assert by_type["SwapClosed"] == {"doctor:gp05", "doctor:sub01"}
    entered_event = next(e for e in stored if e.type == "ShiftTaken" and e.data["shift"] == "2027-01-12/evening")
    assert entered_event.actor == f"{kari_actor} for doctor:sub01"
    events = (await kari.get(f"/api/operator/rounds/{period}/events?type=DeadlineExtended")).json()["events"]
    assert events[0]["actor"] == kari_actor and "more time for claims" in events[0]["summary"]
    assert events[0]["actor_shown"] == OPERATOR[1]  # the name, looked up by the recorded id
    entered_shown = (await kari.get(f"/api/operator/rounds/{period}/events?type=ShiftTaken&limit=1000")).json()["events"]
    assert f"{OPERATOR[1]} for doctor:sub01" in {e["actor_shown"] for e in entered_shown}
