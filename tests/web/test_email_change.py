"""A doctor's change of their own e-mail address — the address they sign in with — waits for a
link mailed to the new address, with a notice to the old one. Confirming stores it in the
registry (who, when) and ends every session of the old address. An address is unique within a
district's roll and across accounts: checked at the change, at the confirmation and at an admin's
edit, with an error naming the field and never the address."""

from __future__ import annotations

import asyncio
import re

import httpx2 as httpx

from app.identity.accounts import add_account
from infra.mailbox import read_maildir
from tests.web.stack import OPERATOR, email_of
from tests.web.test_identity import _registry

NEW = "gp04.privat@example.no"
CONFIRM = re.compile(r"(https?://\S+/me/email/confirm\?token=\S+)")


async def _mail_to(stack, address: str, subject: str, *, timeout: float = 10.0):
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while loop.time() < give_up:
        found = [m for m in read_maildir(stack.maildir) if address in m.to and subject in m.subject]
        if found:
            return found[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no message {subject!r} arrived")


async def _email(stack, doctor: str) -> str:
    pool = (await stack.services.database()).pool
    return await pool.fetchval("SELECT email FROM district_doctors WHERE district_id = 'demo' AND doctor_id = $1", doctor)


async def test_a_new_address_takes_effect_when_confirmed_and_the_old_sessions_end(web_db):
    await _registry(web_db)
    bindings = (await web_db.services.database()).oidc_bindings
    assert await bindings.bind("https://idp.example", "sub-gp04", email_of("gp04"))  # once signed in by a provider
    phone, laptop = await web_db.sign_in(email_of("gp04")), await web_db.sign_in(email_of("gp04"))
    asked = await phone.post("/api/me/details", json={"email": NEW, "mobile": "+4791112222"})
    assert asked.status_code == 200, asked.text
    assert asked.json()["awaiting_confirmation"] == ["email"] and asked.json()["changed"] == ["mobile"]
    assert asked.json()["details"]["email"] == email_of("gp04")  # not yet
    assert await _email(web_db, "gp04") == email_of("gp04")

    confirm = await _mail_to(web_db, NEW, "Bekreft ny e-postadresse")
    link = CONFIRM.search(confirm.text).group(1)
    notice = await _mail_to(web_db, email_of("gp04"), "Endring av e-postadresse")
    assert NEW not in notice.text and "token" not in notice.text  # the notice names no address, carries no link
    assert (await web_db.client().post("/api/sign-in", json={"email": NEW})).status_code == 202

    # The link's page only shows a button (mail scanners follow links); the button confirms.
    public = web_db.client()
    shown = await public.get(link.removeprefix(web_db.base_url), headers={"Accept": "text/html"})
    assert shown.status_code == 200 and 'action="/me/email/confirm"' in shown.text
    assert await _email(web_db, "gp04") == email_of("gp04")
    token = httpx.URL(link).params["token"]
    done = await public.post("/me/email/confirm", data={"token": token}, headers={"Accept": "text/html"})
    assert done.status_code == 200 and 'data-testid="confirmed"' in done.text, done.text
    assert await _email(web_db, "gp04") == NEW
    # The provider's subject follows the person to the new address.
    assert await bindings.bound_address("https://idp.example", "sub-gp04") == NEW.lower()
    pool = (await web_db.services.database()).pool
    change = await pool.fetchrow(
        "SELECT actor, changes, changed_at FROM district_changes WHERE doctor_id = 'gp04' ORDER BY change_id DESC LIMIT 1")
    assert change["actor"] == "doctor:gp04" and "email" in change["changes"] and change["changed_at"] is not None

    # Every session of the old address ended; the link works once; the new address signs in.
    for client in (phone, laptop):
        assert (await client.get("/api/me")).status_code == 401
    again = await public.post("/me/email/confirm", data={"token": token}, headers={"Accept": "text/html"})
    assert again.status_code == 404 and "not valid" in again.text
    signed = await web_db.sign_in(NEW)
    assert (await signed.get("/api/me")).json()["doctors"] == [{"district": "demo", "doctor": "gp04"}]


async def test_an_address_in_use_is_refused_at_the_change_the_confirmation_and_an_admin_edit(web_db):
    await _registry(web_db)
    await add_account(web_db.services, "ada.admin@klinikk.example.no", "admin", "Ada Admin", actor="admin:test",
                      districts=["demo"])
    gp04 = await web_db.sign_in(email_of("gp04"))
    for taken in (email_of("gp05").upper(), OPERATOR[0]):  # a colleague's (any case), an account's
        answer = await gp04.post("/api/me/details", json={"email": taken})
        assert answer.status_code == 409, answer.text
        assert answer.json()["error"].startswith("email: already used") and "@" not in answer.json()["error"]
    pool = (await web_db.services.database()).pool
    assert await pool.fetchval("SELECT count(*) FROM email_changes") == 0
    assert not [m for m in read_maildir(web_db.maildir) if "Bekreft ny" in m.subject]

    # Free when asked, taken before it is confirmed: the confirmation is refused, nothing changes.
    asked = await gp04.post("/api/me/details", json={"email": NEW})
    assert asked.status_code == 200, asked.text
    link = CONFIRM.search((await _mail_to(web_db, NEW, "Bekreft ny e-postadresse")).text).group(1)
    ada = await web_db.sign_in("ada.admin@klinikk.example.no")
    fixed = await ada.post("/api/admin/districts/demo/doctors/gp05", json={"email": NEW})
    assert fixed.status_code == 200, fixed.text
    late = await web_db.client().post("/me/email/confirm", data={"token": httpx.URL(link).params["token"]},
                                      headers={"Accept": "text/html"})
    assert late.status_code == 409 and "already used" in late.text
    assert await _email(web_db, "gp04") == email_of("gp04")

    # An admin's edit is held to the same rule.
    clash = await ada.post("/api/admin/districts/demo/doctors/gp06", json={"email": email_of("gp07")})
    assert clash.status_code == 409 and clash.json()["error"].startswith("email: already used")
    assert await _email(web_db, "gp06") == email_of("gp06")


async def test_an_admins_edit_of_an_address_ends_the_old_addresss_sessions(web_db):
    await _registry(web_db)
    await add_account(web_db.services, "ada.admin@klinikk.example.no", "admin", "Ada Admin", actor="admin:test",
                      districts=["demo"])
    gp05 = await web_db.sign_in(email_of("gp05"))
    ada = await web_db.sign_in("ada.admin@klinikk.example.no")
    fixed = await ada.post("/api/admin/districts/demo/doctors/gp05", json={"email": "gp05.ny@legekontor.example.no"})
    assert fixed.status_code == 200 and fixed.json()["changed"] == ["email"], fixed.text
    assert (await gp05.get("/api/me")).status_code == 401


async def test_an_expired_or_forged_confirmation_changes_nothing(web_db):
    await _registry(web_db)
    gp04 = await web_db.sign_in(email_of("gp04"))
    assert (await gp04.post("/api/me/details", json={"email": NEW})).status_code == 200
    link = CONFIRM.search((await _mail_to(web_db, NEW, "Bekreft ny e-postadresse")).text).group(1)
    token = httpx.URL(link).params["token"]
    pool = (await web_db.services.database()).pool
    await pool.execute("UPDATE email_changes SET expires_at = now() - interval '1 minute'")
    public = web_db.client()
    for sent in (token, "forged.token", token[:-1] + ("A" if token[-1] != "A" else "B")):
        answer = await public.post("/me/email/confirm", data={"token": sent}, headers={"Accept": "text/html"})
        assert answer.status_code == 404 and "not valid" in answer.text
    assert await _email(web_db, "gp04") == email_of("gp04")
    assert (await gp04.get("/api/me")).status_code == 200  # nothing ended


async def test_the_details_page_says_the_new_address_waits_for_its_link(web_db):
    await _registry(web_db)
    gp04 = await web_db.sign_in(email_of("gp04"))
    form = {"csrf": gp04.headers["X-CSRF-Token"], "email": NEW, "mobile": "", "specialist_gp": "",
            "violence_course": "", "acute_course": ""}
    current = (await gp04.get("/api/me/details")).json()
    form.update({k: str(current[k] or "") for k in ("mobile", "specialist_gp", "violence_course", "acute_course")})
    page = await gp04.post("/me", data=form, headers={"Accept": "text/html"})
    assert page.status_code == 200 and 'data-testid="confirm-sent"' in page.text, page.text
    assert await _email(web_db, "gp04") == email_of("gp04")
    await _mail_to(web_db, NEW, "Bekreft ny e-postadresse")
    taken = await gp04.post("/me", data={**form, "email": email_of("gp05")}, headers={"Accept": "text/html"})
    # The page says it in words, in the page's language, and keeps what was typed.
    assert taken.status_code == 409 and "E-post: adressen brukes av en annen" in taken.text
    assert f'value="{email_of("gp05")}"' in taken.text
