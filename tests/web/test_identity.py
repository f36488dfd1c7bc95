"""Identity at the HTTP edge, on a real server and PostgreSQL (no Temporal needed):
every request without a session is refused (the OpenAPI walk), sign-in links are single-use,
expire, are signed and rate-limited, and never tell whether an address exists; sessions are
signed cookies; API writes and forms need the CSRF token."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from app.errors import Unauthenticated
from app.identity.sessions import decode_session, encode_session, new_session
from app.identity.sign_in import RATE_LIMIT, outgoing_mail, use_link
from domain.identity import DoctorRef, Principal
from infra.mailbox import read_maildir
from tests.web.stack import OPERATOR, SECRET, email_of

# Reachable without a session, by design (README: the web service).
PUBLIC = {
    ("GET", "/health"), ("GET", "/ready"), ("GET", "/docs"), ("GET", "/openapi.json"), ("GET", "/sign-in"), ("POST", "/sign-in"),
    ("POST", "/api/sign-in"), ("GET", "/sign-in/link"), ("POST", "/sign-in/link"), ("GET", "/sign-in/oidc"),
    ("GET", "/sign-in/oidc/callback"), ("GET", "/calendar/{token}.ics"),
    ("GET", "/me/email/confirm"), ("POST", "/me/email/confirm"),  # a new address's link: the token is the credential
}


async def _registry(stack):
    from app.identity.accounts import add_account
    from app.registry.districts import import_scenario
    from tests.integration.rounds import EXAMPLE

    await import_scenario(stack.services, "demo", EXAMPLE, actor="admin:test")
    await add_account(stack.services, OPERATOR[0], "operator", OPERATOR[1], actor="admin:test", districts=["demo"])


async def test_every_operation_without_a_session_is_refused(web_db):
    from fastapi.openapi.utils import get_openapi

    from web.service import create_app

    client = web_db.client()
    # Every operation the service has, pages included (the served document lists only the API).
    app = create_app(web_db.services)
    walked = 0
    for path, operations in get_openapi(title="all", version="0", routes=app.routes)["paths"].items():
        for method in operations:
            method = method.upper()
            url = re.sub(r"\{[^}]+\}", "x1", path)
            answer = await client.request(method, url, json={}, headers={"Accept": "application/json"})
            walked += 1
            if (method, path) in PUBLIC:
                assert answer.status_code != 500, (method, path)
                continue
            assert answer.status_code == 401, (method, path, answer.status_code)
            assert answer.json()["error"] == "sign in first"
    assert walked >= 45
    # Pages answer 401 too, with the sign-in form.
    page = await client.get("/periods/x1", headers={"Accept": "text/html"})
    assert page.status_code == 401 and 'action="/sign-in"' in page.text


async def test_the_public_exceptions_give_nothing_away(web_db):
    client = web_db.client()
    assert (await client.get("/health")).json() == {"status": "ok"}
    feed = await client.get("/calendar/" + "a" * 40 + ".ics")
    assert feed.status_code == 404
    oidc = await client.get("/sign-in/oidc", headers={"Accept": "application/json"})
    assert oidc.status_code == 422 and "VAKT_OIDC_ISSUER" in oidc.json()["error"]
    bad = await client.post("/sign-in/link", data={"token": "forged.token"})
    assert bad.status_code == 401 and "ikke gyldig" in bad.text  # the page says it in Norwegian


async def test_a_link_signs_in_once_and_a_doctor_sees_only_themselves(web_db):
    await _registry(web_db)
    client = web_db.client()
    await client.post("/api/sign-in", json={"email": email_of("gp04")})
    link = await web_db.link_for(email_of("gp04"))
    token = re.search(r"token=(\S+)", link).group(1)
    confirm = await client.get(f"/sign-in/link?token={token}")
    assert confirm.status_code == 200 and "vakt_session" not in confirm.headers.get("set-cookie", "")
    signed = await client.post("/sign-in/link", data={"token": token})
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie  # http public URL
    me = (await client.get("/api/me")).json()
    assert me["roles"] == ["doctor"] and me["doctors"] == [{"district": "demo", "doctor": "gp04"}]
    again = web_db.client()
    assert (await again.post("/sign-in/link", data={"token": token})).status_code == 401  # single use


async def test_an_expired_link_does_not_sign_in(web_db):
    await _registry(web_db)
    client = web_db.client()
    await client.post("/api/sign-in", json={"email": email_of("gp05")})
    token = re.search(r"token=(\S+)", await web_db.link_for(email_of("gp05"))).group(1)
    with pytest.raises(Unauthenticated):
        await use_link(web_db.services, token, now=datetime.now(UTC) + timedelta(minutes=16))
    stored = await (await web_db.services.database()).pool.fetch("SELECT * FROM sign_in_links")
    assert token not in str([dict(r) for r in stored])  # only its hash is stored


async def test_known_and_unknown_addresses_get_the_same_answer_and_the_rate_limit_holds(web_db):
    await _registry(web_db)
    client = web_db.client()
    timings = {}
    answers = {}
    for email in (email_of("gp06"), "nobody@nowhere.example.no"):
        started = time.perf_counter()
        answer = await client.post("/api/sign-in", json={"email": email})
        timings[email] = time.perf_counter() - started
        answers[email] = (answer.status_code, answer.json())
    assert answers[email_of("gp06")] == answers["nobody@nowhere.example.no"]
    assert abs(timings[email_of("gp06")] - timings["nobody@nowhere.example.no"]) < 0.5
    page_known = await client.post("/sign-in", data={"email": email_of("gp07")})
    page_unknown = await client.post("/sign-in", data={"email": "nobody2@nowhere.example.no"})
    assert page_known.status_code == page_unknown.status_code == 200
    assert page_known.text.replace(email_of("gp07"), "") == page_unknown.text.replace("nobody2@nowhere.example.no", "")
    await outgoing_mail()
    to = [m.to for m in read_maildir(web_db.maildir)]
    assert any(email_of("gp06") in t for t in to) and not any("nowhere" in a for t in to for a in t)
    for _ in range(RATE_LIMIT + 2):
        assert (await client.post("/api/sign-in", json={"email": email_of("gp08")})).status_code == 202
    await outgoing_mail()
    sent = [m for m in read_maildir(web_db.maildir) if email_of("gp08") in m.to]
    assert len(sent) == RATE_LIMIT
    bad = await client.post("/api/sign-in", json={"email": "not an address"})
    assert bad.status_code == 422 and bad.json()["error"] == "email: not a valid e-mail address"


async def test_forged_tampered_or_expired_sessions_are_refused(web_db):
    now = datetime.now(UTC)
    doctor = Principal(email="x@y.no", name="X", roles=("doctor",), doctors=(DoctorRef(district="demo", doctor="gp04"),))
    operator = Principal(email="k@y.no", name="Kari", roles=("operator",))
    good = encode_session(new_session(doctor, now), SECRET)
    assert decode_session(good, SECRET, now).principal == doctor
    body, mac = good.split(".")
    forged = encode_session(new_session(operator, now), "another-secret-" + "y" * 32)
    assert decode_session(forged, SECRET, now) is None
    swapped = encode_session(new_session(operator, now), SECRET).split(".")[0] + "." + mac
    assert decode_session(swapped, SECRET, now) is None
    assert decode_session(good, SECRET, now + timedelta(hours=13)) is None
    client = web_db.client()
    client.cookies.set("vakt_session", forged)
    assert (await client.get("/api/operator/rounds")).status_code == 401


async def test_writes_need_the_csrf_token(web_db):
    await _registry(web_db)
    client = await web_db.sign_in(email_of("gp04"))
    token = client.headers.pop("X-CSRF-Token")
    refused = await client.post("/api/me/details", json={"mobile": "+4791234567"})
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["error"]
    form = await client.post("/me", data={"mobile": "+4791234567"})
    assert form.status_code == 403 and "CSRF" in form.text
    client.headers["X-CSRF-Token"] = token
    assert (await client.post("/api/me/details", json={"mobile": "+4791234567"})).status_code == 200


async def test_vakt_dev_gives_an_empty_registry_a_sample_doctor_to_sign_in_as(web_db):
    from app.demo.samples import ensure_sample_district
    from app.identity.sign_in import principal_for

    sample = await ensure_sample_district(web_db.services)
    assert sample["doctor"].endswith(".example.no") and sample["district"] == "mosse"
    doctor = await principal_for(web_db.services, sample["doctor"].lower())
    operator = await principal_for(web_db.services, sample["operator"])
    assert doctor.roles == ("doctor",) and doctor.doctors[0].district == "mosse"
    assert operator.roles == ("admin",) and operator.is_operator  # the clinic head also keeps the roll
    assert await ensure_sample_district(web_db.services) is None  # a registry with districts is left alone


async def test_signing_out_ends_the_session_on_every_device(web_db):
    await _registry(web_db)
    phone = await web_db.sign_in(email_of("gp04"))
    laptop = await web_db.sign_in(email_of("gp04"))
    assert (await phone.get("/api/me")).status_code == 200 and (await laptop.get("/api/me")).status_code == 200
    signed_out = await laptop.post("/sign-out", data={"csrf": laptop.headers["X-CSRF-Token"]})
    assert signed_out.status_code == 303
    # The cookie is a signed value stored nowhere: a copy kept by the phone (or a thief) is
    # refused all the same, by the cutoff on the address.
    assert (await phone.get("/api/me")).status_code == 401
    assert (await phone.post("/api/me/details", json={"mobile": "+4791234567"})).status_code == 401
    again = await web_db.sign_in(email_of("gp04"))
    assert (await again.get("/api/me")).status_code == 200  # signing in again works at once


async def test_a_disabled_account_or_an_admins_sign_out_ends_open_sessions(web_db, monkeypatch):
    from app.identity import sessions
    from app.identity.accounts import disable_account
    from app.identity.session_cutoffs import end_sessions
    from tests.helpers.support import services_for

    await _registry(web_db)
    operator = await web_db.sign_in(OPERATOR[0])
    doctor = await web_db.sign_in(email_of("gp05"))
    assert (await operator.get("/api/operator/rounds")).status_code == 200
    await disable_account(web_db.services, OPERATOR[0], actor="admin:test")
    assert (await operator.get("/api/operator/rounds")).status_code == 401
    # Another process (the CLI) ends the doctor's sessions: the web process sees the cutoff
    # when it next reads it (every RECHECK seconds; shortened here).
    monkeypatch.setattr(sessions, "RECHECK", 0.2)
    assert (await doctor.get("/api/me")).status_code == 200
    other = services_for(web_db.services.settings.database_url, web_db.services.settings.data_dir, None)
    try:
        await end_sessions(other, email_of("gp05").upper(), actor="admin:Ola")
    finally:
        await other.aclose()
    await asyncio.sleep(0.3)
    assert (await doctor.get("/api/me")).status_code == 401
    stored = await (await web_db.services.database()).pool.fetch("SELECT email, set_by FROM session_cutoffs ORDER BY email")
    assert [(r["email"], r["set_by"]) for r in stored] == sorted(
        [(email_of("gp05").lower(), "admin:Ola"), (OPERATOR[0].lower(), "admin:test")]
    )


async def test_an_unexpected_error_is_a_500_that_logs_no_data_and_no_traceback(web_db, monkeypatch, caplog, capfd):
    import web.api_doctor
    import web.session

    await _registry(web_db)
    client = await web_db.sign_in(email_of("gp04"))
    secret = "heidi.larsen@moss-legesenter.example.no born 1970-03-01"

    def broken(*args, **kwargs):
        raise RuntimeError(secret)

    async def database_down(*args, **kwargs):
        import asyncpg

        raise asyncpg.exceptions.ConnectionDoesNotExistError(secret)

    monkeypatch.setattr(web.api_doctor, "signed_in", broken)  # a route that breaks
    answer = await client.get("/api/me")
    assert answer.status_code == 500 and answer.json() == {"error": "internal error (RuntimeError)", "status": 500}
    page = await client.get("/me", headers={"Accept": "text/html"})
    assert page.status_code in (200, 500) and secret not in page.text
    monkeypatch.setattr(web.session, "signed_in_now", database_down)  # the gatekeeper's own read breaks
    answer = await client.get("/api/me")  # the database not reachable: 503, try again later
    assert answer.status_code == 503 and answer.json()["error"].endswith("is not reachable (ConnectionDoesNotExistError)")
    assert answer.headers["retry-after"].isdigit() and secret not in answer.text
    logged = caplog.text + "".join(capfd.readouterr())
    assert "Traceback" not in logged and secret not in logged and "heidi" not in logged
    assert "unexpected RuntimeError on GET /api/me" in caplog.text


async def test_a_doctor_taken_off_the_roll_is_refused_at_once_in_this_process(web_db, tmp_path):
    """The person behind a session is remembered for a few seconds (app/identity/sessions.py);
    a roll stored by this process is seen by its next request, not after that time."""
    import json

    from app.registry.districts import import_scenario
    from tests.integration.rounds import EXAMPLE

    await _registry(web_db)
    doctor = await web_db.sign_in(email_of("gp05"))
    me = await doctor.get("/api/me")
    assert me.status_code == 200 and {"district": "demo", "doctor": "gp05"} in me.json()["doctors"]
    scenario = json.loads(EXAMPLE.read_text())
    for d in scenario["doctors"]:
        if d["id"] == "gp05":  # the roll now has another address for them (one dropped from the file leaves
            d["email"] = "tone.bakken@annet.example.no"  # only tomorrow: still on it today)
    changed = tmp_path / "demo.json"
    changed.write_text(json.dumps(scenario))
    await import_scenario(web_db.services, "demo", changed, actor="admin:test")
    assert (await doctor.get("/api/me")).status_code == 401  # the old address: on no roll, no account
