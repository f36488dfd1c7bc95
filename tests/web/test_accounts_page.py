"""Accounts in the browser for admins (what `vakt account …` does): within their districts only,
errors naming the field in Norwegian, a disabled account's sessions ended at once, and a lost
phone's sessions ended for a doctor."""

from __future__ import annotations

import re

from app.identity.accounts import add_account
from tests.web.stack import OPERATOR, email_of, start_example_period

HTML = {"accept": "text/html"}
ADMIN = ("admin@legevakt.example.no", "Anne Admin")


def _form(client, **fields) -> dict[str, str]:
    return {"csrf": client.headers["X-CSRF-Token"], **fields}


async def test_an_admin_manages_accounts_of_their_districts(web):
    await start_example_period(web)
    await add_account(web.services, ADMIN[0], "admin", ADMIN[1], actor="admin:test", districts=["demo"])
    anne = await web.sign_in(ADMIN[0])
    listed = await anne.get("/admin/accounts", headers=HTML)
    assert listed.status_code == 200 and OPERATOR[1] in listed.text and "Vaktansvarlig" in listed.text

    wrong = await anne.post("/admin/accounts", data=_form(anne, name="Per", email="ikke-en-adresse", role="operator",
                                                          districts="demo"), headers=HTML)
    assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.text
    assert re.search(r"E-post: [^<]+", wrong.text) and 'value="Per"' in wrong.text  # the field named, input kept
    everywhere = await anne.post("/admin/accounts", data=_form(anne, name="Per Hansen", email="per@legevakt.example.no",
                                                               role="operator", districts="*"), headers=HTML)
    assert everywhere.status_code == 403 and "utenfor distriktene" in everywhere.text

    added = await anne.post("/admin/accounts", data=_form(anne, name="Per Hansen", email="per@legevakt.example.no",
                                                          role="operator", districts="demo"), headers=HTML)
    assert added.status_code == 303
    per = await web.sign_in("per@legevakt.example.no")
    assert (await per.get("/operator", headers=HTML)).status_code == 200
    gone = await anne.post("/admin/accounts/disable", data=_form(anne, email="per@legevakt.example.no"), headers=HTML)
    assert gone.status_code == 303
    assert (await per.get("/operator", headers=HTML)).status_code in (401, 403)  # the session ended with it

    doctor = await web.sign_in(email_of("gp04"))
    home = await doctor.get("/", headers=HTML)
    assert home.status_code == 200 and 'action="/sign-in"' not in home.text
    lost = await anne.post("/admin/sessions/end", data=_form(anne, email=email_of("gp04")), headers=HTML)
    assert lost.status_code == 303
    assert 'action="/sign-in"' in (await doctor.get("/", headers=HTML)).text  # signed out: asked to sign in again

    kari = await web.sign_in(OPERATOR[0])
    assert (await kari.get("/admin/accounts", headers=HTML)).status_code == 403  # operators do not manage accounts
