"""Self-service is the signed-in doctor's own: an operator on /api/me/* names no doctor (422 for
the field, 403 for not being on a roll) and reads and changes nothing; staff correct a doctor's
details through the admin route only. Who a session's person is is derived again from the
accounts table and the registry, remembered a few seconds per process: a role change, a district
taken away or a disabled account ends the old role within that time (at once in this process)."""

from __future__ import annotations

import logging

from app.identity.accounts import add_account, disable_account
from app.identity.sign_in import principal_for
from app.identity.sessions import JITTER
from tests.web.stack import OPERATOR, email_of
from tests.web.test_identity import _registry


async def test_an_operator_reads_and_changes_no_doctors_details_through_me(web_db):
    await _registry(web_db)
    kari = await web_db.sign_in(OPERATOR[0])  # an operator serving demo, not on any roll
    pool = (await web_db.services.database()).pool
    gp05 = await pool.fetchrow("SELECT email, mobile FROM district_doctors WHERE doctor_id = 'gp05'")
    before = await pool.fetchval("SELECT count(*) FROM district_changes")
    tries = [
        ("GET", "/api/me/details?district=demo&doctor=gp05", None, 422),
        ("GET", "/api/me/details?district=demo", None, 403),
        ("POST", "/api/me/details", {"district": "demo", "doctor": "gp05", "email": OPERATOR[0]}, 422),
        ("POST", "/api/me/details", {"district": "demo", "mobile": "+4791234567"}, 403),
        ("POST", "/api/me/details", {"email": OPERATOR[0]}, 403),
        ("GET", "/api/me/calendar?district=demo&doctor=gp05", None, 422),
        ("DELETE", "/api/me/calendar?district=demo&doctor=gp05", None, 422),
        ("POST", "/api/me/requests", {"kind": "exemption", "from": "2027-01-04", "reason": "health",
                                      "district": "demo", "doctor": "gp05"}, 422),
    ]
    for method, url, body, status in tries:
        answer = await kari.request(method, url, json=body)
        assert answer.status_code == status, (method, url, answer.status_code, answer.text)
        if status == 422:
            assert answer.json()["error"].startswith("doctor: "), answer.text
        assert gp05["email"] not in answer.text and gp05["mobile"] not in answer.text
    # Nothing changed, nothing waits for a confirmation, and signing in as gp05 is still gp05's.
    assert await pool.fetchval("SELECT count(*) FROM district_changes") == before
    assert await pool.fetchval("SELECT count(*) FROM email_changes") == 0
    assert await pool.fetchval("SELECT count(*) FROM doctor_requests") == 0
    assert await pool.fetchrow("SELECT email, mobile FROM district_doctors WHERE doctor_id = 'gp05'") == gp05
    assert (await principal_for(web_db.services, OPERATOR[0])).doctors == ()


async def test_a_role_change_ends_the_old_role_within_the_cache_time(web_db):
    await _registry(web_db)
    kari = await web_db.sign_in(OPERATOR[0])
    assert (await kari.get("/api/operator/requests")).status_code == 200
    assert (await kari.get("/api/admin/districts/demo")).status_code == 403
    # Another process (the CLI) changes the account: this process learns it within the cache time.
    ticks = [1000.0]
    web_db.services.principals.clock = lambda: ticks[0]
    web_db.services.principals.forget(OPERATOR[0])
    await kari.get("/api/me")  # remembered at tick 1000
    pool = (await web_db.services.database()).pool
    await pool.execute("UPDATE accounts SET role = 'admin', districts = '{north}' WHERE email = $1", OPERATOR[0])
    # Each entry lives a random 60–100 % of the time to live (app/identity/sessions.JITTER), never longer.
    ticks[0] += web_db.services.principals.ttl * (1 - JITTER) - 0.5
    assert (await kari.get("/api/me")).json()["roles"] == ["operator"]  # still the remembered one
    ticks[0] = 1000.0 + web_db.services.principals.ttl + 0.5
    me = (await kari.get("/api/me")).json()
    assert me["roles"] == ["admin"] and me["districts"] == ["north"]
    assert (await kari.get("/api/admin/districts/demo")).status_code == 403  # no longer serves demo
    assert (await kari.get("/api/operator/requests")).json() == []

    # In this process a change made here applies at once, whatever the cache.
    await add_account(web_db.services, OPERATOR[0], "operator", OPERATOR[1], actor="admin:test", districts=["demo"])
    assert (await kari.get("/api/me")).json()["districts"] == ["demo"]
    await disable_account(web_db.services, OPERATOR[0], actor="admin:test")
    assert (await kari.get("/api/operator/requests")).status_code == 401


async def test_an_address_that_leaves_the_roll_stops_being_that_doctor(web_db):
    await _registry(web_db)
    gp05 = await web_db.sign_in(email_of("gp05"))
    pool = (await web_db.services.database()).pool
    await pool.execute("UPDATE district_doctors SET email = 'gp05.new@legekontor.example.no' WHERE doctor_id = 'gp05'")
    web_db.services.principals.ttl = 0.0  # as if the cache time had passed
    answer = await gp05.get("/api/me/details")
    assert answer.status_code == 401  # the old address signs nobody in any more


async def test_a_disabled_account_gets_no_provider_role(web_db, caplog):
    await _registry(web_db)
    services = web_db.services
    provided = await principal_for(services, "leder@klinikk.example.no", via="oidc", extra_roles=("operator",),
                                   extra_districts=("demo",), name="Leder")
    assert provided.roles == ("operator",) and provided.districts == ("demo",) and provided.serves("demo")
    assert not provided.serves("north")
    await add_account(services, "leder@klinikk.example.no", "operator", "Leder", actor="admin:test", districts=["*"])
    await disable_account(services, "leder@klinikk.example.no", actor="admin:test")
    assert await principal_for(services, "leder@klinikk.example.no", via="oidc", extra_roles=("operator",),
                               extra_districts=("demo",)) is None


async def test_an_address_on_two_doctors_of_one_district_signs_nobody_in(web_db, caplog):
    await _registry(web_db)
    pool = (await web_db.services.database()).pool
    # Written past every check (as an old database might hold it).
    await pool.execute("UPDATE district_doctors SET email = $1 WHERE doctor_id = 'gp06'", email_of("gp05"))
    caplog.set_level(logging.INFO)
    assert await principal_for(web_db.services, email_of("gp05")) is None
    assert "reason=ambiguous_address" in caplog.text and email_of("gp05") not in caplog.text
    client = web_db.client()
    assert (await client.post("/api/sign-in", json={"email": email_of("gp05")})).status_code == 202
    from app.identity.sign_in import outgoing_mail
    from infra.mailbox import read_maildir

    await outgoing_mail()
    assert not [m for m in read_maildir(web_db.maildir) if email_of("gp05") in m.to]  # no link went out
