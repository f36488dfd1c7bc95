"""`Idempotency-Key` on state-changing requests (web/idempotency.py), through the real service:
a retried claim gets its first answer and is applied once, a key reused for another request is
refused, a form carries its own key, and the keys are per person."""

from __future__ import annotations

import re

from domain.model import Phase
from tests.web.stack import close_until, email_of, start_example_period

EVENING, DAY = "2027-01-05/evening", "2027-01-09/day"


async def test_a_retried_claim_gets_its_first_answer_and_is_applied_once(web):
    period = await start_example_period(web)
    await close_until(web, period, Phase.OFFERING)
    gp05, sub02 = [await web.sign_in(email_of(d)) for d in ("gp05", "sub02")]
    url = f"/api/periods/{period}/actions"

    first = await gp05.post(url, json={"verb": "claim", "shift": EVENING}, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 200 and first.json()["accepted"], first.text
    again = await gp05.post(url, json={"verb": "claim", "shift": EVENING}, headers={"Idempotency-Key": "k-1"})
    assert (again.status_code, again.content) == (200, first.content)  # not 409 "already held by" gp05
    assert again.headers["idempotent-replayed"] == "true"

    other = await gp05.post(url, json={"verb": "claim", "shift": DAY}, headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 422 and other.json()["error"].startswith("Idempotency-Key: already used")
    bad = await gp05.post(url, json={"verb": "claim", "shift": DAY}, headers={"Idempotency-Key": "x" * 200})
    assert bad.status_code == 422 and "Idempotency-Key" in bad.json()["error"]

    # Another person's same key is their own request: refused by the rulebook, not a replay.
    theirs = await sub02.post(url, json={"verb": "claim", "shift": EVENING}, headers={"Idempotency-Key": "k-1"})
    assert theirs.status_code == 409 and theirs.json()["rule"], theirs.text
    # Without a key, a resend is a new request (the rulebook answers it).
    resent = await gp05.post(url, json={"verb": "claim", "shift": EVENING})
    assert resent.status_code == 409


async def test_a_form_sends_its_own_key_and_a_resent_form_does_one_thing(web):
    period = await start_example_period(web)
    await close_until(web, period, Phase.OFFERING)
    gp05 = await web.sign_in(email_of("gp05"))
    board = await gp05.get(f"/periods/{period}", headers={"Accept": "text/html"})
    assert board.status_code == 200
    keys = re.findall(r'name="idempotency_key" value="([0-9a-f]{25,32})"', board.text)
    assert len(keys) > 1 and len(set(keys)) == len(keys)  # one per form shown
    form = re.search(r'<form[^>]*class="[^"]*take[^"]*"[^>]*action="([^"]+)".*?</form>', board.text, re.S)
    assert form is not None
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', form.group(0)))
    assert set(fields) >= {"csrf", "idempotency_key", "verb", "shift"}
    sent = [await gp05.post(form.group(1), data=fields, headers={"Accept": "text/html"}) for _ in range(2)]
    assert [s.status_code for s in sent] == [303, 303]
    assert sent[0].headers["location"] == sent[1].headers["location"] and "done=" in sent[0].headers["location"]


async def test_a_missing_grant_names_the_table_and_the_role(web_db, pg_pool):
    from app.identity.accounts import add_account
    from tests.conftest import APP_ROLE
    from tests.web.stack import OPERATOR

    await add_account(web_db.services, OPERATOR[0], "operator", OPERATOR[1], actor="admin:test", districts=["*"])
    client = await web_db.sign_in(OPERATOR[0])
    await pg_pool.execute(f'REVOKE ALL ON idempotency_keys FROM "{APP_ROLE}"')
    answer = await client.post("/api/operator/requests/1/decision", json={}, headers={"Idempotency-Key": "grant-1"})
    assert answer.status_code == 500, answer.text
    assert answer.json()["error"].startswith(f"PostgreSQL: role {APP_ROLE} lacks a grant on table idempotency_keys")
    ready = await client.get("/ready")  # readiness is about reachability: the grant is a deployment fault
    assert ready.json()["postgresql"] == "ok"
