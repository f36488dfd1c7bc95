"""The requests and details pages (web/pages_requests.py, web/form_errors.py): reasons in words
grouped by kind, the substitute chosen by name and sent as the right id, the input kept on a
422 with each error naming its field in Norwegian (never the API's English or a pattern), and a
script that keeps the statuses current."""

from __future__ import annotations

import re

from tests.web.stack import OPERATOR, email_of
from tests.web.test_identity import _registry

HTML = {"Accept": "text/html"}


def _form(client, **fields) -> dict:
    return {"csrf": client.headers["X-CSRF-Token"], **fields}


async def test_a_leave_by_the_substitutes_name_and_errors_in_norwegian(web_db):
    await _registry(web_db)
    gp04 = await web_db.sign_in(email_of("gp04"))
    gp04.headers.update(HTML)
    empty = await gp04.get("/requests")
    assert empty.status_code == 200
    # Reasons in words, grouped per kind; substitutes by name; no internal ids or codes shown.
    assert 'data-kind="exemption"' in empty.text and 'data-kind="meeting_absence"' in empty.text
    assert '<option value="pregnancy">Graviditet</option>' in empty.text
    assert '<option value="on_duty">På vakt</option>' in empty.text
    assert '<option value="Lars Nordmann">Lars Nordmann</option>' in empty.text
    shown = re.sub(r'(value|href|action|data-[a-z-]+)="[^"]*"', "", empty.text)
    assert not re.search(r"\b(sub0\d|on_duty|age_over_60)\b", shown)
    assert "/static/requests.js" in empty.text

    # Wrong: the dates the wrong way round and a substitute not in the list. Kept, and in words.
    wrong = await gp04.post("/requests", data=_form(gp04, kind="leave", **{"from": "2027-01-10"}, to="2027-01-04",
                                                     substitute="Lars Nordman", note="barnehage"))
    assert wrong.status_code == 422
    assert "Vikar: velg en vikar fra listen" in wrong.text
    assert "String should match" not in wrong.text and "substitute:" not in wrong.text
    assert 'value="2027-01-10"' in wrong.text and 'value="2027-01-04"' in wrong.text and 'value="barnehage"' in wrong.text
    assert '<option value="leave" selected>' in wrong.text and 'aria-invalid="true"' in wrong.text
    backwards = await gp04.post("/requests", data=_form(gp04, kind="leave", **{"from": "2027-01-10"}, to="2027-01-04",
                                                         substitute="Lars Nordmann"))
    assert backwards.status_code == 422 and "Til: kan ikke være før fra-datoen" in backwards.text
    absence = await gp04.post("/requests", data=_form(gp04, kind="meeting_absence", reason="pregnancy", **{"from": "2027-01-10"}))
    assert absence.status_code == 422
    assert "Til: må fylles ut" in absence.text and "Grunn: velg en grunn som passer til typen" in absence.text
    assert '<option value="pregnancy" selected>' in absence.text

    # Right: the name maps to sub02 on the server; post-redirect-get; the reason shown in words.
    sent = await gp04.post("/requests", data=_form(gp04, kind="leave", **{"from": "2027-01-04"}, to="2027-01-10",
                                                    substitute="Lars Nordmann"))
    assert sent.status_code == 303 and sent.headers["location"].startswith("/requests?saved=")
    [stored] = (await gp04.get("/api/me/requests")).json()
    assert stored["kind"] == "leave" and stored["details"]["substitute"] == "sub02"
    exempt = await gp04.post("/requests", data=_form(gp04, kind="exemption", reason="health", **{"from": "2027-01-04"}))
    assert exempt.status_code == 303
    page = await gp04.get(exempt.headers["location"])
    assert "Søknaden er sendt" in page.text and "Helsegrunner" in page.text
    assert re.search(r'<td data-request="\d+" data-status="pending">', page.text)

    # The operator decides; the doctor's page script reads the status from the JSON it polls.
    kari = await web_db.sign_in(OPERATOR[0])
    decided = await kari.post(f"/api/operator/requests/{stored['request_id']}/decision", json={"grant": True})
    assert decided.status_code == 200, decided.text
    polled = {r["request_id"]: r["status"] for r in (await gp04.get("/api/me/requests", headers={"Accept": "application/json"})).json()}
    assert polled[stored["request_id"]] == "granted"
    script = await gp04.get("/static/requests.js")
    assert "/api/me/requests" in script.text and "setInterval" in script.text


async def test_details_errors_name_the_field_in_words(web_db):
    await _registry(web_db)
    gp04 = await web_db.sign_in(email_of("gp04"))
    gp04.headers.update(HTML)
    wrong = await gp04.post("/me", data=_form(gp04, mobile="123", email="tone@legekontor.example.no"))
    assert wrong.status_code == 422
    assert "Mobil: skriv et norsk mobilnummer, 8 siffer" in wrong.text
    assert "not a Norwegian mobile number" not in wrong.text
    assert 'value="123"' in wrong.text  # what was typed, kept
    english = await gp04.post("/me?lang=en", data=_form(gp04, violence_course="2027-13-01"))
    assert english.status_code == 422 and "Violence course: write a valid date" in english.text
