"""Vacancies over HTTP (web/pages_vacancies.py): the holder declares with a reason (a missing
reason is 422 with the field named in Norwegian); the operator's desk shows the escalated vacancy
with an assign form offering only doctors who may legally take it (R-VAC-3), refuses an
ineligible doctor with the rule named, assigns an eligible one; a doctor has no desk."""

from __future__ import annotations

import asyncio
import re

from domain.period.vacancies import eligible_doctors
from domain.period.calendar import PeriodCalendar
from tests.web.stack import OPERATOR, email_of, wait_phase
from tests.web.vacancy_rounds import DAY, published_round

HTML = {"Accept": "text/html"}


def _form(client, **fields) -> dict:
    return {"csrf": client.headers["X-CSRF-Token"], **fields}


async def _until(client, url: str, marker: str, timeout: float = 20.0):
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while True:
        answer = await client.get(url)
        if marker in answer.text or loop.time() > give_up:
            return answer
        await asyncio.sleep(0.2)


async def test_r_vac_3_the_desk_assigns_only_eligible_doctors_and_refuses_others_with_the_rule(web):
    period = await published_round(web, alert_hours=2160)
    gp05, kari = await web.sign_in(email_of("gp05")), await web.sign_in(OPERATOR[0])
    for client in (gp05, kari):
        client.headers.update(HTML)

    # The holder: one tap from the shift on the board, then the reason.
    board = await gp05.get(f"/periods/{period}")
    assert f'href="/periods/{period}/vacancies/new?shift={DAY}"' in board.text
    form = await gp05.get(f"/periods/{period}/vacancies/new", params={"shift": DAY})
    assert form.status_code == 200 and 'name="reason" required maxlength="200"' in form.text
    empty = await gp05.post(f"/periods/{period}/vacancies/declare", data=_form(gp05, shift=DAY, reason="  "))
    assert empty.status_code == 422 and "Begrunnelse: skriv 1–200 tegn" in empty.text
    sent = await gp05.post(f"/periods/{period}/vacancies/declare", data=_form(gp05, shift=DAY, reason="syk <i>i dag</i>"))
    assert sent.status_code == 303, sent.text
    mine = await gp05.get(sent.headers["location"])
    assert "Vakten er meldt ledig" in mine.text and "syk &lt;i&gt;i dag&lt;/i&gt;" in mine.text  # literally
    again = await gp05.post(f"/periods/{period}/vacancies/declare", data=_form(gp05, shift=DAY, reason="syk"))
    assert again.status_code == 409 and "Vakten er allerede meldt ledig" in again.text and "R-VAC-1" in again.text

    # The desk: escalated at once (the lead time covers January), the alert and the form.
    url = f"/operator/periods/{period}/vacancies"
    desk = await _until(kari, url, 'data-testid="assign"')
    assert desk.status_code == 200 and 'data-testid="vacancy-alert"' in desk.text and "R-VAC-3" in desk.text
    assert "Tone Bakken" in desk.text and "syk &lt;i&gt;i dag&lt;/i&gt;" in desk.text
    state = await wait_phase(web, period, lambda s: any(v.escalated for v in s.vacancies.values()))
    calendar = PeriodCalendar.from_config(state.require_config())
    offered = set(re.findall(r'<option value="([^"]+)">', desk.text))
    assert offered == set(eligible_doctors(state, calendar, DAY)) and "st01" not in offered and "gp05" not in offered
    [vacancy] = state.vacancies
    round_page = await _until(kari, f"/operator/periods/{period}", 'data-testid="vacancy-alert"')
    assert f'href="/operator/periods/{period}/vacancies"' in round_page.text

    # An ineligible doctor (staff, R-PROC-2), crafted past the form: refused with the rule named.
    wrong = await kari.post(f"{url}/{vacancy}/assign", data=_form(kari, doctor="st01", reason="ringt"))
    assert wrong.status_code == 409 and "R-PROC-2" in wrong.text and "Avvist" in wrong.text
    no_reason = await kari.post(f"{url}/{vacancy}/assign", data=_form(kari, doctor=sorted(offered)[0], reason=""))
    assert no_reason.status_code == 422 and "Begrunnelse" in no_reason.text
    chosen = sorted(offered)[0]
    done = await kari.post(f"{url}/{vacancy}/assign", data=_form(kari, doctor=chosen, reason="ringt og avtalt"))
    assert done.status_code == 303, done.text
    after = await kari.get(done.headers["location"])
    assert "Tildelt" in after.text and 'data-testid="assign"' not in after.text
    final = await wait_phase(web, period, lambda s: s.assignments[DAY].doctor == chosen)
    assert final.vacancies[vacancy].status == "assigned"

    # A doctor has no desk; the holder's page says who has the shift now (by name).
    assert (await gp05.get(url)).status_code == 403
    page = await gp05.get(f"/periods/{period}/vacancies")
    assert "Tildelt " in page.text


async def test_r_vac_2_the_json_api_declare_take_first_wins_and_the_operators_list(web):
    period = await published_round(web)
    gp05, kari = await web.sign_in(email_of("gp05")), await web.sign_in(OPERATOR[0])
    too_long = await gp05.post(f"/api/periods/{period}/vacancies", json={"shift": DAY, "reason": "x" * 201})
    assert too_long.status_code == 422 and "reason" in too_long.text
    declared = await gp05.post(f"/api/periods/{period}/vacancies", json={"shift": DAY, "reason": "syk"})
    assert declared.status_code == 200, declared.text
    vacancy = declared.json()["vacancy"]
    state = await wait_phase(web, period, lambda s: vacancy in s.vacancies)
    calendar = PeriodCalendar.from_config(state.require_config())
    first, second = [d for d in eligible_doctors(state, calendar, DAY) if d.startswith("gp")][:2]
    one, two = await web.sign_in(email_of(first)), await web.sign_in(email_of(second))
    board = (await one.get(f"/api/periods/{period}/vacancies")).json()
    assert [(o["shift"], o["reason"], o["holder"]) for o in board["open"]] == [(DAY, None, None)]  # not theirs
    took = await one.post(f"/api/periods/{period}/vacancies/{vacancy}/take", json={})
    assert took.status_code == 200, took.text
    late = await two.post(f"/api/periods/{period}/vacancies/{vacancy}/take", json={})
    assert late.status_code == 409 and late.json()["rule"] == "R-VAC-2", late.text
    assert "gp" not in late.json().get("message", "")  # names nobody
    listed = await kari.get(f"/api/operator/rounds/{period}/vacancies", params={"v": took.json()["version"]})
    [line] = listed.json()["lines"]
    assert line["status"] == "taken" and line["reason"] == "syk" and line["holder"].startswith("Tone Bakken")
    assert (await gp05.get(f"/api/operator/rounds/{period}/vacancies")).status_code == 403
