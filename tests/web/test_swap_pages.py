"""Swaps on a phone, over HTTP (web/pages_swaps.py): offers to me come first with their expiry and
the giver by name; offering is one flow on its own page (choose my shift, then a colleague by
name from one searchable list, or everyone after a confirmation), answered with a redirect; a
refusal is Norwegian with its rule and names nobody; no page shows another doctor's id."""

from __future__ import annotations

import re

from domain.model import Phase
from tests.web.stack import OPERATOR, close_until, email_of, start_example_period, wait_phase

NIGHT, EVENING, DAY = "2027-01-05/night", "2027-01-05/evening", "2027-01-09/day"
HTML = {"Accept": "text/html"}
IDS = re.compile(r"\b(gp\d\d|sub\d\d|st\d\d)\b")


async def _published(web):
    period = await start_example_period(web)
    await close_until(web, period, Phase.OFFERING)
    gp05, sub02 = [await web.sign_in(email_of(d)) for d in ("gp05", "sub02")]
    kari = await web.sign_in(OPERATOR[0])
    for client, shift in ((sub02, EVENING), (gp05, NIGHT), (gp05, DAY)):
        answer = await client.post(f"/api/periods/{period}/actions", json={"verb": "claim", "shift": shift})
        assert answer.status_code == 200 and answer.json()["accepted"], answer.text
    assert (await kari.post(f"/api/operator/rounds/{period}/close", json={"reason": "ferdig"})).status_code == 200
    await wait_phase(web, period, lambda s: s.phase is Phase.PUBLISHED)
    for client in (gp05, sub02):
        client.headers.update(HTML)
    return period, gp05, sub02


def _form(client, **fields) -> dict:
    return {"csrf": client.headers["X-CSRF-Token"], **fields}


async def test_offering_by_name_and_to_everyone_after_a_confirmation(web):
    period, gp05, sub02 = await _published(web)
    start = await gp05.get(f"/periods/{period}/swaps/new")
    assert start.status_code == 200 and "Velg vakten" in start.text
    assert f'href="/periods/{period}/swaps/new?shift=2027-01-09/day"' in start.text
    assert "Velg<span class=\"vh\"> Dag lør 9. jan" in start.text  # the button names its shift

    who = await gp05.get(f"/periods/{period}/swaps/new", params={"shift": DAY})
    assert who.status_code == 200
    assert who.text.count("<datalist") == 1 and "<select" not in who.text  # one list, not a select per row
    assert '<option value="Lars Nordmann">' in who.text and '<input id="to" name="to" list="colleague-names"' in who.text
    assert not IDS.findall(who.text), IDS.findall(who.text)

    # A name not in the list: 422, what was typed kept, the field named in Norwegian.
    wrong = await gp05.post(f"/periods/{period}/swaps/offer", data=_form(gp05, shift=DAY, to="Lars Nordman"))
    assert wrong.status_code == 422 and "Kollega: velg et navn fra listen" in wrong.text
    assert 'value="Lars Nordman"' in wrong.text

    # By name: the server maps the name to the colleague; post-redirect-get.
    sent = await gp05.post(f"/periods/{period}/swaps/offer", data=_form(gp05, shift=DAY, to="Lars Nordmann"))
    assert sent.status_code == 303 and sent.headers["location"].startswith(f"/periods/{period}/swaps?v=")
    page = await gp05.get(sent.headers["location"])
    assert "Tilbudet er sendt: Dag lør 9. jan" in page.text and "Til Lars Nordmann" in page.text
    assert re.search(r"utløper \w{3} \d+\.\d+ kl \d\d:\d\d", page.text)
    assert not IDS.findall(page.text), IDS.findall(page.text)
    board = (await gp05.get(f"/api/periods/{period}/board")).json()
    assert [(s["shift"], s["receiver"]) for s in board["swaps_out"]] == [(DAY, "sub02")]

    # The receiver: offers to them first, with the count, the giver by name and the expiry.
    mine = await sub02.get(f"/periods/{period}/swaps")
    text = mine.text
    assert "Tilbud til deg (1)" in text and text.index("Tilbud til deg") < text.index("Mine vakter")
    assert "Fra Tone Bakken" in text and "utløper" in text
    assert not IDS.findall(text), IDS.findall(text)
    assert "Ta over<span class=\"vh\"> Dag lør 9. jan" in text
    english = (await sub02.get(f"/periods/{period}/swaps?lang=en")).text
    assert "Offers to you (1)" in english and "From Tone Bakken" in english and "expires Sat 9.1" not in english
    assert re.search(r"expires \w{3} \d+\.\d+ at \d\d:\d\d", english)
    await sub02.get(f"/periods/{period}/swaps?lang=nb")  # the language is remembered: back to Norwegian

    # To everyone: the first POST sends nothing but the confirmation page.
    asked = await gp05.post(f"/periods/{period}/swaps/offer", data=_form(gp05, shift=NIGHT, to="everyone"))
    assert asked.status_code == 303 and asked.headers["location"].endswith("to=everyone")
    board = (await gp05.get(f"/api/periods/{period}/board")).json()
    assert [s["shift"] for s in board["swaps_out"]] == [DAY]  # nothing sent yet
    confirm = await gp05.get(asked.headers["location"])
    assert "Tilby til alle?" in confirm.text and 'name="confirmed" value="yes"' in confirm.text
    # The older board form's empty receiver (everyone) asks too.
    old = await gp05.post(f"/periods/{period}/swaps/offer", data=_form(gp05, shift=NIGHT, receiver=""))
    assert old.status_code == 303 and old.headers["location"].endswith("to=everyone")
    done = await gp05.post(f"/periods/{period}/swaps/offer", data=_form(gp05, shift=NIGHT, to="everyone", confirmed="yes"))
    assert done.status_code == 303
    version = re.search(r"v=(\d+)", done.headers["location"]).group(1)
    board = (await gp05.get(f"/api/periods/{period}/board?at_least={version}")).json()
    assert sorted((s["shift"], s["receiver"]) for s in board["swaps_out"]) == [(NIGHT, None), (DAY, "sub02")]

    # sub02 cannot take the night (R-REST-1, the evening before): refused in Norwegian, naming nobody.
    swap = next(s["swap"] for s in board["swaps_out"] if s["shift"] == NIGHT)
    refused = await sub02.post(f"/periods/{period}/swaps/{swap}/accept", data=_form(sub02))
    outcome = re.search(r'data-testid="outcome"[^>]*>([^<]*)<', refused.text)
    assert refused.status_code == 409 and outcome, refused.text[-800:]
    assert re.fullmatch(r"Ikke gjort: (Overlapper en vakt du har|For kort hvile ved en vakt du har) · R-REST-1 – .+",
                        outcome.group(1)), outcome.group(1)
    assert not IDS.findall(refused.text), IDS.findall(refused.text)
