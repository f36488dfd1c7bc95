"""The clinic head's round page at a desk (1366×900), in a real browser: it follows the round
while doctors act (coverage and the events renew without a reload, a half-typed form is left
alone), says its verdict in words, and passes axe-core in each state it shows."""

from __future__ import annotations

from app.identity.accounts import add_account
from domain.model import Phase
from tests.web.a11y import assert_accessible
from tests.web.norwegian import assert_norwegian
from tests.web.stack import OPERATOR, close_until, email_of, start_example_period
from tests.web.test_browser import sign_in
from tests.web.test_meeting_desk import shots

DESK = {"width": 1366, "height": 900}
SHIFT = "2027-01-07/evening"


async def test_the_round_page_follows_a_claim_without_a_reload(web, browser, tmp_path):  # noqa: F811
    period = await start_example_period(web)
    await close_until(web, period, Phase.OFFERING)
    operator = await sign_in(browser, web, OPERATOR[0], viewport=DESK)
    await operator.goto(f"{web.base_url}/operator")
    assert await operator.locator(f"a[href='/operator/periods/{period}']").text_content() == "4.1.2027–17.1.2027"
    await assert_accessible(operator, "the operator's list of rounds")
    await assert_norwegian(operator, "the operator's list of rounds")
    await operator.goto(f"{web.base_url}/operator/periods/{period}")
    await assert_accessible(operator, "the round page in the offering")
    await assert_norwegian(operator, "the round page in the offering")
    before = await operator.text_content("[data-refresh=facts]")
    await operator.fill("#extend-reason", "halvveis skrevet")  # a form being filled in stays as it is

    doctor = await web.sign_in(email_of("gp04"))
    taken = await doctor.post(f"/periods/{period}/act", data={
        "verb": "claim", "shift": SHIFT, "csrf": doctor.headers["X-CSRF-Token"]})
    assert taken.status_code == 303
    await operator.wait_for_function(
        "before => document.querySelector('[data-refresh=facts]').textContent !== before", arg=before, timeout=3000)
    assert "Vakt tatt" in await operator.text_content("[data-refresh=events]")
    assert (await operator.text_content("[data-testid=updated]")).startswith("oppdatert kl")
    assert await operator.input_value("#extend-reason") == "halvveis skrevet"
    await assert_accessible(operator, "the round page after a doctor's claim")
    await operator.screenshot(path=str(shots(tmp_path) / "desk-round.png"), full_page=True)


async def test_a_stuck_round_is_restarted_with_a_reason_from_the_page(web, browser):  # noqa: F811
    period = await start_example_period(web)
    await close_until(web, period, Phase.OFFERING)
    client = await web.services.temporal()
    await client.get_workflow_handle(period).terminate("a run whose history is lost")
    operator = await sign_in(browser, web, OPERATOR[0], viewport=DESK)
    await operator.goto(f"{web.base_url}/operator/periods/{period}")
    verdict = await operator.text_content("[data-testid=verdict]")
    assert verdict.startswith("Står fast"), verdict
    assert await operator.locator("[data-testid=close]").count() == 0  # no steering a stopped run
    await operator.fill("#restart-reason", "historikken er tapt")
    await operator.click("form[data-testid=restart] button")
    consequence = await operator.text_content("[data-testid=consequence]")
    assert consequence.startswith("Runden bygges opp igjen fra de") and "hendelsene i PostgreSQL" in consequence
    await assert_accessible(operator, "confirming a restart")
    await operator.click("[data-testid=confirm] button")
    await operator.wait_for_selector("[data-testid=outcome]")
    assert await operator.text_content("[data-testid=outcome]") == "Runden er startet på nytt."
    for _ in range(40):  # the new run records the restart a moment after the answer
        events = await operator.text_content("[data-refresh=events]")
        if "Runden startet på nytt" in events:
            break
        await operator.wait_for_timeout(250)
        await operator.reload()
    assert "Runden startet på nytt" in events and OPERATOR[1] in events
    assert not (await operator.text_content("[data-testid=verdict]")).startswith("Står fast")
    await assert_accessible(operator, "the round page after a restart")


async def test_the_accounts_page_at_a_desk(web, browser):  # noqa: F811
    await start_example_period(web)
    await add_account(web.services, "anne@legevakt.example.no", "admin", "Anne Admin", actor="admin:test",
                      districts=["demo"])
    admin = await sign_in(browser, web, "anne@legevakt.example.no", viewport=DESK)
    await admin.goto(f"{web.base_url}/admin/accounts")
    await assert_accessible(admin, "the accounts page")
    await assert_norwegian(admin, "the accounts page")
    await admin.fill("#name", "Per Hansen")
    await admin.fill("#email", "per@legevakt.example.no")
    await admin.fill("#districts", "demo")
    await admin.click("form[data-testid=add-account] button[type=submit]")
    await admin.wait_for_selector("[data-testid=outcome]")
    assert "Per Hansen" in await admin.text_content("[data-testid=accounts]")
    await assert_accessible(admin, "the accounts page after adding one")
