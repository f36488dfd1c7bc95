"""Operators and admins act only in the districts their account serves: a round, a request, the
registry and a doctor's feed of another district are refused (403, or 404 where a request's
existence must not show), the lists show only served districts, and nothing changes. Nobody
decides a request they entered themselves, or their own as a doctor. (Stored rounds stand in for
live ones: each refusal comes before Temporal would be asked.)"""

from __future__ import annotations

from datetime import timedelta

from app.identity.accounts import add_account
from app.registry.districts import import_scenario
from tests.integration.rounds import EXAMPLE, example_config, published_round, store_round
from tests.web.stack import OPERATOR, account_id, email_of
from tests.web.test_identity import _registry

OLA = ("ola.operator@klinikk.example.no", "Ola Operator")
ADA = ("ada.admin@klinikk.example.no", "Ada Admin")


async def _two_districts(stack) -> tuple[str, str]:
    """demo (served by Kari, Ola and Ada) and north (served by none of them), a round of each."""
    await _registry(stack)
    await import_scenario(stack.services, "north", EXAMPLE, actor="admin:test")
    await add_account(stack.services, OLA[0], "operator", OLA[1], actor="admin:test", districts=["demo"])
    await add_account(stack.services, ADA[0], "admin", ADA[1], actor="admin:test", districts=["demo"])
    db = await stack.services.database()
    rounds = []
    for district in ("demo", "north"):
        config = example_config(f"scope-{district}", meeting_in=timedelta(days=2))
        config = config.model_copy(update={"district": config.district.model_copy(update={"id": district})})
        await store_round(db.store, published_round(config, simulated=False))
        rounds.append(config.period.id)
    return rounds[0], rounds[1]


async def test_an_operator_of_one_district_neither_sees_nor_steers_another(web_db):
    demo, north = await _two_districts(web_db)
    kari = await web_db.sign_in(OPERATOR[0])
    me = (await kari.get("/api/me")).json()
    assert me["districts"] == ["demo"] and me["account_id"].startswith("acct-")

    listed = await kari.get("/api/operator/rounds")
    assert listed.status_code == 200, listed.text
    assert [r["period"] for r in listed.json()["rounds"]] == [demo]  # north's round is not listed
    assert (await kari.get(f"/api/operator/rounds/{demo}/events")).status_code == 200
    tries = [
        ("GET", f"/api/operator/rounds/{north}", None),
        ("GET", f"/api/operator/rounds/{north}/events", None),
        ("POST", f"/api/operator/rounds/{north}/close", {"reason": "x"}),
        ("POST", f"/api/operator/rounds/{north}/extend", {"reason": "x", "until": "2030-01-01T10:00"}),
        ("POST", f"/api/operator/rounds/{north}/cancel", {"reason": "x"}),
        ("GET", f"/api/operator/rounds/{north}/restart", None),
        ("POST", f"/api/operator/rounds/{north}/restart", {"reason": "x"}),
        ("POST", f"/api/operator/periods/{north}/act", {"verb": "claim", "shift": "2027-01-05/evening", "doctor": "gp05"}),
        ("POST", "/api/operator/requests", {"district": "north", "doctor": "gp05", "kind": "exemption",
                                            "reason": "health", "from": "2027-01-04"}),
        ("DELETE", "/api/operator/districts/north/doctors/gp05/calendar", None),
    ]
    for method, url, body in tries:
        answer = await kari.request(method, url, json=body)
        assert answer.status_code == 403, (method, url, answer.status_code, answer.text)
        assert answer.json()["error"] == "your account does not serve this district"
    page = await kari.get(f"/operator/periods/{north}", headers={"Accept": "text/html"})
    assert page.status_code == 403
    home = await kari.get("/operator", headers={"Accept": "text/html"})
    assert home.status_code == 200 and demo in home.text and north not in home.text
    events = await (await web_db.services.database()).store.read_stream(north)
    assert all(e.type != "DeadlineExtended" for e in events)  # nothing was steered


async def test_requests_of_another_district_are_neither_listed_nor_decided(web_db):
    await _two_districts(web_db)
    gp04 = await web_db.sign_in(email_of("gp04"))  # on both rolls
    kari = await web_db.sign_in(OPERATOR[0])
    north = await gp04.post("/api/me/requests", json={"kind": "exemption", "reason": "health", "from": "2027-01-04",
                                                       "district": "north"})
    demo = await gp04.post("/api/me/requests", json={"kind": "exemption", "reason": "social", "from": "2027-01-04",
                                                      "district": "demo"})
    assert north.status_code == demo.status_code == 201, (north.text, demo.text)
    pending = (await kari.get("/api/operator/requests")).json()
    assert [r["request_id"] for r in pending] == [demo.json()["request_id"]]
    number = north.json()["request_id"]
    refused = await kari.post(f"/api/operator/requests/{number}/decision", json={"grant": True})
    assert refused.status_code == 404 and refused.json()["error"] == f"no request #{number}"
    form = await kari.post(f"/operator/requests/{number}/decide", data={"csrf": kari.headers["X-CSRF-Token"], "grant": "yes"})
    assert form.status_code == 404
    pool = (await web_db.services.database()).pool
    assert await pool.fetchval("SELECT status FROM doctor_requests WHERE request_id = $1", number) == "pending"


async def test_an_admin_of_one_district_edits_no_other_registry(web_db):
    await _two_districts(web_db)
    ada = await web_db.sign_in(ADA[0])
    assert (await ada.get("/api/admin/districts/demo")).status_code == 200
    pool = (await web_db.services.database()).pool
    before = await pool.fetchval("SELECT count(*) FROM district_changes")
    tries = [
        ("GET", "/api/admin/districts/north", None),
        ("GET", "/api/admin/districts/north/doctors", None),
        ("POST", "/api/admin/districts/north/policy", {"set": ["rest.min_hours=11"]}),
        ("POST", "/api/admin/districts/north/doctors/gp05", {"mobile": "+4791112222"}),
    ]
    for method, url, body in tries:
        answer = await ada.request(method, url, json=body)
        assert answer.status_code == 403, (method, url, answer.status_code, answer.text)
        assert "legekontor" not in answer.text  # no roll data
    assert await pool.fetchval("SELECT count(*) FROM district_changes") == before
    # An operator is no admin, whatever districts they serve.
    kari = await web_db.sign_in(OPERATOR[0])
    assert (await kari.post("/api/admin/districts/demo/doctors/gp05", json={"mobile": "+4791112222"})).status_code == 403


async def test_nobody_decides_a_request_they_entered_or_their_own(web_db):
    await _two_districts(web_db)
    kari, ola = await web_db.sign_in(OPERATOR[0]), await web_db.sign_in(OLA[0])
    kari_id = await account_id(web_db, OPERATOR[0])
    entered = await kari.post("/api/operator/requests", json={"district": "demo", "doctor": "gp05", "kind": "exemption",
                                                              "reason": "health", "from": "2027-01-04"})
    assert entered.status_code == 201, entered.text
    assert entered.json()["submitted_by"] == f"operator:{kari_id} for doctor:gp05"
    number = entered.json()["request_id"]
    own = await kari.post(f"/api/operator/requests/{number}/decision", json={"grant": True})
    assert own.status_code == 403 and "entered themselves" in own.json()["error"]
    pool = (await web_db.services.database()).pool
    assert await pool.fetchval("SELECT status FROM doctor_requests WHERE request_id = $1", number) == "pending"
    other = await ola.post(f"/api/operator/requests/{number}/decision", json={"grant": True})
    assert other.status_code == 200, other.text
    assert other.json()["request"]["decided_by"] == f"operator:{await account_id(web_db, OLA[0])}"

    # A clinic head who is also a GP of the roll does not decide their own request.
    await add_account(web_db.services, email_of("gp06"), "operator", "Gunn Lege", actor="admin:test", districts=["demo"])
    gp06 = await web_db.sign_in(email_of("gp06"))
    assert set((await gp06.get("/api/me")).json()["roles"]) == {"doctor", "operator"}
    mine = await gp06.post("/api/me/requests", json={"kind": "exemption", "reason": "health", "from": "2027-01-04",
                                                     "district": "demo"})
    assert mine.status_code == 201 and mine.json()["submitted_by"] == "doctor:gp06"
    refused = await gp06.post(f"/api/operator/requests/{mine.json()['request_id']}/decision", json={"grant": True})
    assert refused.status_code == 403
