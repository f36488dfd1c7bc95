"""R-SWAP-2 over HTTP: a late swap waits ("venter på godkjenning" for both doctors); a doctor
cannot approve, nor see the queue; an operator of another district neither sees nor approves it;
a rejection without a reason is answered 422 naming the field in Norwegian; Kari approves from
the queue, and the shift has moved. The JSON API lists the same queue."""

from __future__ import annotations

import re

from tests.web.approval_rounds import DAY, HTML, RECEIVER_NAME, published_under_approval
from tests.web.stack import OPERATOR, email_of, wait_phase

IDS = re.compile(r"\b(gp\d\d|sub\d\d|st\d\d)\b")


def _form(client, **fields) -> dict:
    return {"csrf": client.headers["X-CSRF-Token"], **fields}


async def test_r_swap_2_approval_over_http_operators_only_in_their_district(web):
    from app.identity.accounts import add_account

    period = await published_under_approval(web)
    gp05, sub02 = [await web.sign_in(email_of(d)) for d in ("gp05", "sub02")]
    kari = await web.sign_in(OPERATOR[0])
    await add_account(web.services, "ola.vest@klinikk.example.no", "operator", "Ola Vest", actor="admin:test",
                      districts=["vest"])
    ola = await web.sign_in("ola.vest@klinikk.example.no")
    for client in (gp05, sub02, kari, ola):
        client.headers.update(HTML)

    sent = await gp05.post(f"/periods/{period}/swaps/offer", data=_form(gp05, shift=DAY, to=RECEIVER_NAME))
    assert sent.status_code == 303, sent.text
    state = await wait_phase(web, period, lambda s: any(o.shift == DAY for o in s.swaps.values()))
    offer = {"swap": next(k for k, o in state.swaps.items() if o.shift == DAY)}
    taken = await sub02.post(f"/periods/{period}/swaps/{offer['swap']}/accept", data=_form(sub02))
    assert taken.status_code == 303 and "/swaps?" in taken.headers["location"] and "waiting=" in taken.headers["location"]
    state = await wait_phase(web, period, lambda s: s.swaps.get(offer["swap"]) and s.swaps[offer["swap"]].accepted_by)
    assert state.assignments[DAY].doctor == "gp05"  # R-SWAP-1: the giver holds it while it waits
    for client in (gp05, sub02):
        page = await client.get(f"/periods/{period}/swaps")
        assert "venter på godkjenning" in page.text and not IDS.findall(page.text)

    # A doctor may not approve, nor see the queue.
    assert (await gp05.get("/operator/approvals")).status_code == 403
    approve = f"/operator/periods/{period}/swaps/{offer['swap']}/approve"
    assert (await sub02.post(approve, data=_form(sub02))).status_code == 403
    assert (await sub02.post(f"/api/operator/rounds/{period}/swaps/{offer['swap']}/approve", json={},
                             headers={"Accept": "application/json"})).status_code == 403
    # An operator of another district sees an empty queue and may not approve.
    other = await ola.get("/operator/approvals")
    assert other.status_code == 200 and 'data-testid="queue-empty"' in other.text and DAY not in other.text
    assert (await ola.post(approve, data=_form(ola))).status_code == 403

    # Kari's queue: the shift by name, giver and receiver by name, with the count on her home page.
    home = await kari.get("/operator")
    assert "Bytter til godkjenning (1)" in home.text
    queue = await kari.get("/operator/approvals")
    # (the district has two doctors named Tone Bakken: the operator's pages tell them apart by id)
    assert "Fra Tone Bakken (gp05) til Lars Nordmann" in queue.text and "Dag lør 9. jan" in queue.text
    assert "starter om 34 døgn" in queue.text or "starter om 33 døgn" in queue.text or "døgn" in queue.text
    api = (await kari.get("/api/operator/approvals", headers={"Accept": "application/json"})).json()
    assert [(w["shift"], w["giver"], w["receiver"]) for w in api] == [(DAY, "gp05", "sub02")]

    # Rejecting without a reason: 422, the field named in Norwegian; nothing written.
    bad = await kari.post(f"/operator/periods/{period}/swaps/{offer['swap']}/reject", data=_form(kari, reason=""))
    assert bad.status_code == 422 and "Grunn: må fylles ut" in bad.text and 'aria-invalid="true"' in bad.text
    assert (await wait_phase(web, period, lambda s: True)).swaps[offer["swap"]].accepted_by == "sub02"

    # One click: approved, and the shift has moved.
    done = await kari.post(approve, data=_form(kari))
    assert done.status_code == 303 and "done=approved" in done.headers["location"]
    after = await kari.get(done.headers["location"])
    assert "Byttet er godkjent" in after.text and 'data-testid="queue-empty"' in after.text
    state = await wait_phase(web, period, lambda s: s.assignments[DAY].doctor == "sub02")
    assert not state.swaps
    again = await kari.post(approve, data=_form(kari))
    assert again.status_code == 409 and "R-SWAP-1" in again.text
