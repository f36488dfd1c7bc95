"""A doctor's session acts only for that doctor: every action a doctor can take is tried for a
colleague and refused (403), and nothing changes. Operator-only endpoints refuse a doctor. No
request can name its actor. (A stored round stands in for a live one: each refusal comes
before Temporal would be asked.)"""

from __future__ import annotations

from datetime import timedelta

from tests.integration.rounds import example_config, published_round, store_round
from tests.web.stack import email_of
from tests.web.test_identity import _registry


async def _round(stack) -> str:
    config = example_config("access-1", meeting_in=timedelta(days=2))
    db = await stack.services.database()
    await store_round(db.store, published_round(config, simulated=False))
    return "access-1"


async def test_a_doctors_session_cannot_act_for_another_doctor(web_db):
    await _registry(web_db)
    period = await _round(web_db)
    gp04 = await web_db.sign_in(email_of("gp04"))
    other = {"doctor": "gp05"}
    tries = [
        ("POST", f"/api/periods/{period}/actions", {"verb": "claim", "shift": "2027-01-05/evening", **other}),
        ("POST", f"/api/periods/{period}/swaps", {"shift": "2027-01-05/evening", "receiver": "gp04", **other}),
        ("POST", f"/api/periods/{period}/swaps/s1/accept", other),
        ("POST", f"/api/periods/{period}/swaps/s1/decline", other),
        ("POST", f"/api/periods/{period}/swaps/s1/withdraw", other),
        ("GET", "/api/me/details?doctor=gp05", None),
        ("POST", "/api/me/details", {"mobile": "+4791234567", **other}),
        ("POST", "/api/me/requests", {"kind": "exemption", "from": "2027-01-04", "reason": "health", **other}),
        ("GET", "/api/me/requests?district=elsewhere", None),
        ("GET", "/api/me/calendar?doctor=gp05", None),
        ("POST", "/api/me/calendar", other),
        ("DELETE", "/api/me/calendar?doctor=gp05", None),
    ]
    for method, url, body in tries:
        answer = await gp04.request(method, url, json=body)
        # Naming another doctor is not a field here at all (422 naming it); another district is 403.
        assert answer.status_code in (403, 422), (method, url, answer.status_code, answer.text)
        if answer.status_code == 422:
            assert answer.json()["error"].startswith("doctor: "), answer.text
        assert "gp05" not in answer.json()["error"]
    operator_only = [
        ("GET", "/api/operator/rounds"), ("GET", f"/api/operator/rounds/{period}"),
        ("GET", f"/api/operator/rounds/{period}/events"), ("POST", f"/api/operator/rounds/{period}/close"),
        ("POST", f"/api/operator/rounds/{period}/extend"), ("POST", f"/api/operator/rounds/{period}/cancel"),
        ("GET", f"/api/operator/rounds/{period}/restart"), ("POST", f"/api/operator/rounds/{period}/restart"),
        ("GET", "/api/operator/schedules"), ("GET", "/api/operator/requests"),
        ("POST", "/api/operator/requests/1/decision"),
    ]
    bodies = {"close": {"reason": "x"}, "cancel": {"reason": "x"}, "restart": {"reason": "x"},
              "extend": {"reason": "x", "until": "2030-01-01T10:00"}, "decision": {"grant": True}}
    for method, url in operator_only:
        body = bodies.get(url.rsplit("/", 1)[-1]) if method == "POST" else None
        answer = await gp04.request(method, url, json=body)
        assert answer.status_code == 403, (method, url, answer.status_code, answer.text)
    # Nothing changed: no request, no feed, no registry change for gp05.
    pool = (await web_db.services.database()).pool
    assert await pool.fetchval("SELECT count(*) FROM doctor_requests") == 0
    assert await pool.fetchval("SELECT count(*) FROM calendar_feeds") == 0
    assert await pool.fetchval("SELECT count(*) FROM district_changes WHERE actor LIKE 'doctor:%'") == 0
    # The doctor's own requests work, and no request may name its actor.
    own = await gp04.post("/api/me/requests", json={"kind": "exemption", "from": "2027-01-04", "reason": "health"})
    assert own.status_code == 201 and own.json()["submitted_by"] == "doctor:gp04"
    named = await gp04.post(f"/api/periods/{period}/actions", json={"verb": "claim", "shift": "2027-01-05/evening",
                                                                    "actor": "operator:Kari Nordmann"})
    assert named.status_code == 422 and named.json()["error"] == "actor: Extra inputs are not permitted"


async def test_bad_input_is_a_4xx_naming_the_field(web_db):
    await _registry(web_db)
    period = await _round(web_db)
    gp04 = await web_db.sign_in(email_of("gp04"))
    cases = [
        ("POST", f"/api/periods/{period}/actions", {"verb": "steal", "shift": "2027-01-05/evening"}, 422, "verb"),
        ("POST", f"/api/periods/{period}/actions", {"verb": "claim", "shift": "\x1b[31m"}, 422, "shift: not in the expected form"),
        ("POST", f"/api/periods/{period}/actions", {"verb": "claim"}, 422, "shift: Field required"),
        ("POST", "/api/periods/nope/actions", {"verb": "claim", "shift": "2027-01-05/evening"}, 404, "no period"),
        ("POST", "/api/me/details", {"mobile": "12"}, 422, "mobile"),
        ("POST", "/api/me/details", {"email": "not-an-address"}, 422, "email"),
        ("POST", "/api/me/details", {"violence_course": "1900-01-01"}, 422, "violence_course"),
        ("POST", "/api/me/requests", {"kind": "meeting_absence", "from": "2027-01-04", "to": "2027-01-01",
                                      "reason": "illness"}, 422, "before 'from'"),
        ("POST", "/api/me/requests", {"kind": "meeting_absence", "from": "2027-01-04", "to": "2027-01-05",
                                      "reason": "bored"}, 422, "reason"),
        ("GET", "/api/periods/x" + "y" * 70 + "/board", None, 422, "period: longer than 64"),
    ]
    for method, url, body, status, needle in cases:
        answer = await gp04.request(method, url, json=body)
        assert answer.status_code == status, (url, body, answer.text)
        assert needle in answer.json()["error"], (needle, answer.json())
        assert "\x1b" not in answer.text and "12" not in answer.json()["error"].replace("1200", "")


async def test_an_admin_edits_the_registry_and_is_recorded_by_account_id(web_db):
    from app.identity.accounts import add_account

    await _registry(web_db)
    ada_account = await add_account(web_db.services, "ada.admin@klinikk.example.no", "admin", "Ada Admin",
                                    actor="admin:test", districts=["demo"])
    gp04 = await web_db.sign_in(email_of("gp04"))
    kari = await web_db.sign_in("kari.nordmann@klinikk.example.no")  # an operator, not an admin
    for client in (gp04, kari):
        assert (await client.get("/api/admin/districts/demo")).status_code == 403
        assert (await client.post("/api/admin/districts/demo/policy", json={"set": ["rest.min_hours=11"]})).status_code == 403
    ada = await web_db.sign_in("ada.admin@klinikk.example.no")
    shown = await ada.get("/api/admin/districts/demo")
    assert shown.status_code == 200 and shown.json()["id"] == "demo"
    roll = (await ada.get("/api/admin/districts/demo/doctors")).json()
    assert "gp04@legekontor.example.no" not in str(roll)  # contact data masked
    bad = await ada.post("/api/admin/districts/demo/policy", json={"set": ["nonsense=1"]})
    assert bad.status_code == 422 and "nothing was changed" in bad.json()["error"]
    fixed = await ada.post("/api/admin/districts/demo/doctors/gp05", json={"mobile": "+4791112222"})
    assert fixed.status_code == 200 and fixed.json()["changed"] == ["mobile"], fixed.text
    pool = (await web_db.services.database()).pool
    actor = await pool.fetchval("SELECT actor FROM district_changes WHERE doctor_id = 'gp05' ORDER BY change_id DESC LIMIT 1")
    assert actor == f"admin:{ada_account.account_id}" and ada_account.account_id.startswith("acct-")


async def test_a_doctor_withdraws_their_own_pending_request_and_no_one_elses(web_db):
    from tests.web.stack import OPERATOR

    await _registry(web_db)
    gp04 = await web_db.sign_in(email_of("gp04"))
    gp05 = await web_db.sign_in(email_of("gp05"))
    kari = await web_db.sign_in(OPERATOR[0])
    sent = await gp04.post("/api/me/requests", json={"kind": "exemption", "reason": "health", "from": "2027-01-04"})
    assert sent.status_code == 201, sent.text
    number = sent.json()["request_id"]
    # Someone else's request is "no request" (its existence is not revealed), and stays pending.
    foreign = await gp05.post(f"/api/me/requests/{number}/withdraw")
    assert foreign.status_code == 404 and foreign.json()["error"] == f"no request #{number}"
    assert (await gp05.post("/api/me/requests/999999/withdraw")).json() == foreign.json() | {
        "error": "no request #999999"}
    withdrawn = await gp04.post(f"/api/me/requests/{number}/withdraw")
    assert withdrawn.status_code == 200, withdrawn.text
    assert (withdrawn.json()["status"], withdrawn.json()["decided_by"]) == ("withdrawn", "doctor:gp04")
    again = await gp04.post(f"/api/me/requests/{number}/withdraw")
    assert again.status_code == 409 and "already been withdrawn" in again.json()["error"]
    decided = await kari.post(f"/api/operator/requests/{number}/decision", json={"grant": True})
    assert decided.status_code == 409  # decided once: the withdrawal was the end of it
    assert (await kari.get("/api/operator/requests")).json() == []
    # The page's button does the same through a form with the CSRF token.
    second = (await gp04.post("/api/me/requests", json={"kind": "exemption", "reason": "social",
                                                         "from": "2027-02-01"})).json()["request_id"]
    page = await gp04.get("/requests", headers={"Accept": "text/html"})
    assert f'action="/requests/{second}/withdraw"' in page.text and f'action="/requests/{number}/withdraw"' not in page.text
    form = await gp04.post(f"/requests/{second}/withdraw", data={"csrf": gp04.headers["X-CSRF-Token"]})
    assert form.status_code == 303
    assert [r["status"] for r in (await gp04.get("/api/me/requests")).json()] == ["withdrawn", "withdrawn"]
