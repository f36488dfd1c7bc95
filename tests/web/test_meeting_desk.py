"""The allocation meeting at a desk and on the room's screen, in a real browser (1366×900):
picks entered for doctors by name, one refused with its rule beside the form, each recorded as the
operator for the doctor; the projector view loses a shift a doctor claims on a phone, without a
reload; axe-core finds nothing on either page."""

from __future__ import annotations

import os
import re
from pathlib import Path

from domain.model import Phase
from tests.web.a11y import assert_accessible
from tests.web.norwegian import assert_norwegian
from tests.web.stack import OPERATOR, close_until, email_of, start_example_period, wait_phase
from tests.web.test_browser import sign_in

DESK = {"width": 1366, "height": 900}


def shots(tmp_path) -> Path:
    """Screenshots go to the test's folder, or to `VAKT_SCREENSHOTS` (the README's)."""
    folder = Path(os.environ.get("VAKT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def _enter(page, doctor_name: str, shift: str) -> None:
    doctor = await page.locator("#desk-doctor option", has_text=doctor_name).first.get_attribute("value")
    await page.select_option("#desk-doctor", doctor)
    await page.select_option("#desk-shift", shift)
    await page.click("form[data-testid=desk] button[type=submit]")
    await page.wait_for_selector("[data-testid=outcome], [data-testid=refusal]")


async def test_three_picks_at_the_meeting_desk_and_the_room_screen_follows(web, browser, tmp_path):  # noqa: F811
    period = await start_example_period(web)
    await close_until(web, period, Phase.MEETING)
    operator = await sign_in(browser, web, OPERATOR[0], viewport=DESK)
    desk = f"{web.base_url}/operator/periods/{period}/meeting"
    await operator.goto(desk)
    await assert_accessible(operator, "the meeting desk")
    await assert_norwegian(operator, "the meeting desk")
    assert await operator.input_value("#desk-verb") == "pick"

    await _enter(operator, "Tone Pedersen", "2027-01-04/evening")
    said = await operator.text_content("[data-testid=outcome]")
    assert said.startswith("Registrert: Kveld man 4. jan 16–23") and "Tone Pedersen" in said, said
    assert "Tone Pedersen" in await operator.locator("#desk-doctor option[selected]").text_content()  # kept
    await _enter(operator, "Tone Pedersen", "2027-01-05/night")
    await _enter(operator, "Tone Pedersen", "2027-01-05/evening")  # overlaps the night she now has
    refusal = await operator.text_content("[data-testid=refusal]")
    assert "R-REST-1" in refusal and "Ikke registrert" in refusal, refusal
    await assert_accessible(operator, "the meeting desk after a refusal")
    await _enter(operator, "Ola Larsen", "2027-01-05/evening")
    assert "Ola Larsen" in await operator.text_content("[data-testid=outcome]")
    await operator.screenshot(path=str(shots(tmp_path) / "desk-meeting.png"), full_page=True)

    state = await wait_phase(web, period, lambda s: "2027-01-05/evening" in s.assignments)
    assert state.assignments["2027-01-04/evening"].doctor == "gp04"
    events = await (await web.sign_in(OPERATOR[0])).get(f"/api/operator/rounds/{period}/events",
                                                        params={"type": "ShiftTaken"})
    actors = {e["actor"] for e in events.json()["events"]}
    assert any(re.fullmatch(r"operator:\S+ for doctor:gp04", a) for a in actors), actors

    # The room's screen; the offering opens and a doctor claims on a phone: the shift leaves it.
    screen = await operator.context.new_page()  # a second tab of the same sign-in, for the room's screen
    await close_until(web, period, Phase.OFFERING)
    await screen.goto(f"{web.base_url}/operator/periods/{period}/projector")
    await assert_accessible(screen, "the projector view")
    await assert_norwegian(screen, "the projector view")
    shift = "2027-01-06/night"
    assert await screen.locator(f"[data-shift='{shift}']").count() == 1
    doctor = await web.sign_in(email_of("gp05"))
    taken = await doctor.post(f"/periods/{period}/act", data={
        "verb": "claim", "shift": shift, "csrf": doctor.headers["X-CSRF-Token"]})
    assert taken.status_code == 303
    await screen.wait_for_selector(f"[data-shift='{shift}']", state="detached", timeout=3000)
    await screen.screenshot(path=str(shots(tmp_path) / "desk-projector.png"))
