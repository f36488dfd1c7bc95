"""The operator's round page steers in words: irreversible steps are asked first with what will
happen, forms appear only where they apply, the deadline is prefilled, the events page and filter
with words for kinds and names for actors, and the schedules can be paused and resumed."""

from __future__ import annotations

import re
from datetime import timedelta

from domain.model import OSLO_TZ, Phase
from tests.web.stack import OPERATOR, close_until, start_example_period, wait_phase

HTML = {"accept": "text/html"}


def _form(client, **fields) -> dict[str, str]:
    return {"csrf": client.headers["X-CSRF-Token"], **fields}


async def test_closing_the_offering_is_asked_first_with_what_the_lottery_will_do(web):
    period = await start_example_period(web)
    await close_until(web, period, Phase.OFFERING)
    kari = await web.sign_in(OPERATOR[0])
    page = await kari.get(f"/operator/periods/{period}", headers=HTML)
    assert page.status_code == 200
    assert re.search(r'id="until"[^>]*value="\d{4}-\d\d-\d\dT\d\d:\d\d"', page.text)  # prefilled
    verdict = re.search(r'data-testid="verdict">([^<]+)<', page.text).group(1)
    assert verdict in ("Venter på fristen", "I rute"), verdict  # the verdict in words

    missing = await kari.post(f"/operator/periods/{period}/close", data=_form(kari, reason=" "), headers=HTML)
    banner = re.search(r'data-testid="outcome" role="alert">([^<]+)<', missing.text).group(1)
    assert missing.status_code == 422 and banner == "Grunn: må fylles ut", banner

    asked = await kari.post(f"/operator/periods/{period}/close", data=_form(kari, reason="alle har valgt"), headers=HTML)
    assert asked.status_code == 200
    said = re.search(r'data-testid="consequence">([^<]+)<', asked.text).group(1)
    assert re.fullmatch(r"Trekningen fordeler \d+ ledige vakter og publiserer vaktlisten\. Det kan ikke gjøres om\.", said), said
    assert 'name="confirmed" value="yes"' in asked.text and "alle har valgt" in asked.text
    assert (await wait_phase(web, period, lambda s: True)).phase is Phase.OFFERING  # nothing happened yet

    done = await kari.post(f"/operator/periods/{period}/close",
                           data=_form(kari, reason="alle har valgt", confirmed="yes"), headers=HTML)
    assert done.status_code == 303 and "notice=closed" in done.headers["location"]
    await wait_phase(web, period, lambda s: s.phase is Phase.PUBLISHED)

    published = await kari.get(f"/operator/periods/{period}", headers=HTML)
    assert 'data-testid="close"' not in published.text and 'data-testid="cancel"' not in published.text
    assert 'data-testid="extend"' not in published.text
    assert re.search(r"(?i)>publisert<", published.text)


async def test_the_events_page_and_filter_with_words_and_names(web):
    period = await start_example_period(web)
    await close_until(web, period, Phase.OFFERING)
    kari = await web.sign_in(OPERATOR[0])
    every = await kari.get(f"/operator/periods/{period}", params={"after": 0}, headers=HTML)
    assert "Perioden åpnet" in every.text and "Fase avsluttet" in every.text
    only = await kari.get(f"/operator/periods/{period}", params={"kind": "PhaseClosed"}, headers=HTML)
    rows = re.findall(r"<td><b>([^<]+)</b></td>", only.text)
    assert rows and set(rows) == {"Fase avsluttet"}, rows
    taken = await kari.get(f"/operator/periods/{period}", params={"kind": "ShiftTaken"}, headers=HTML)
    assert "doctor:" not in re.sub(r'title="[^"]*"', "", taken.text.split('data-testid="events"')[1])  # names, not ids
    today = web.services.clock.now().astimezone(OSLO_TZ).date()
    later = await kari.get(f"/operator/periods/{period}", params={"since": str(today + timedelta(days=1)), "kind": ""},
                           headers=HTML)
    assert later.status_code == 200 and not re.findall(r"<td><b>([^<]+)</b></td>", later.text)  # nothing from tomorrow
    from_today = await kari.get(f"/operator/periods/{period}", params={"since": str(today), "doctor": ""}, headers=HTML)
    assert "Perioden åpnet" in from_today.text
    wrong_day = await kari.get(f"/operator/periods/{period}", params={"since": "31.12"}, headers=HTML)
    assert wrong_day.status_code == 422
    bad = await kari.get(f"/operator/periods/{period}", params={"kind": "Nonsense"}, headers=HTML)
    assert bad.status_code == 422 and "Nonsense" not in bad.text.split("<main")[1].split("</main>")[0].split("<select")[0]
