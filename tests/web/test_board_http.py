"""The doctor's board over HTTP: post/redirect/get keeps the month, the filters and the place
(an anchor to the shift's week), a refusal is a redirect too — with a code, shown in Norwegian,
naming no colleague, safe to reload — and the filters by kind and weekday work without script."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from app.identity.accounts import add_account
from app.periods.live import start_period
from app.registry.districts import import_scenario
from domain.model import Phase
from tests.integration.rounds import EXAMPLE, example_config
from tests.web.stack import OPERATOR, close_until, email_of, start_example_period

SHIFT = "2027-01-12/evening"  # a Tuesday in ISO week 2


def _options(html: str) -> list[str]:
    """The shift ids inside the options container."""
    part = html.split('data-live="', 1)[1].split("</section>", 1)[0]
    return re.findall(r'data-shift="([^"]+)"', part)


def _mine(html: str) -> list[str]:
    part = html.split('data-testid="my-shifts"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'data-shift="([^"]+)"', part)


async def test_claim_and_refusal_redirect_back_to_the_same_place(web):
    period = await start_example_period(web)
    await close_until(web, period, Phase.OFFERING)
    first, second = await web.sign_in(email_of("gp04")), await web.sign_in(email_of("sub02"))
    form = {"verb": "claim", "shift": SHIFT, "month": "2027-01", "kind": "evening", "day": "tue"}

    answer = await first.post(f"/periods/{period}/act", data={**form, "csrf": first.headers["X-CSRF-Token"]})
    assert answer.status_code == 303, answer.text
    target = urlsplit(answer.headers["location"])
    query = parse_qs(target.query)
    assert target.path == f"/periods/{period}" and target.fragment == "uke-2027-02"
    assert query["month"] == ["2027-01"] and query["kind"] == ["evening"] and query["day"] == ["tue"]
    assert query["done"] == [SHIFT]
    shown = await first.get(answer.headers["location"])
    assert shown.status_code == 200
    assert "Registrert: Kveld tir 12. jan 16–23" in shown.text
    assert SHIFT in _mine(shown.text) and SHIFT not in _options(shown.text)  # their own: apart, never "taken"
    assert 'id="uke-2027-02"' in shown.text
    assert shown.text.index('id="uke-2027-02"') < shown.text.index("Registrert: Kveld")  # said where it lands

    refused = await second.post(f"/periods/{period}/act", data={**form, "csrf": second.headers["X-CSRF-Token"]})
    assert refused.status_code == 303
    target = urlsplit(refused.headers["location"])
    query = parse_qs(target.query)
    assert query["refused"] == ["taken"] and query["rule"] == ["R-PROC-7"] and query["shift"] == [SHIFT]
    assert query["kind"] == ["evening"] and target.fragment == "uke-2027-02"
    for _ in range(2):  # a reload shows the same page and posts nothing
        page = await second.get(refused.headers["location"])
        assert page.status_code == 200
        assert "Avvist: Kveld tir 12. jan 16–23" in page.text and "Allerede tatt" in page.text and "R-PROC-7" in page.text
        assert "gp04" not in page.text  # no colleague named
        assert SHIFT not in _options(page.text)  # taken by someone else: simply gone

    crafted = await second.get(f"/periods/{period}?refused=%3Cb%3Ehi&rule=R-PROC-7&shift={SHIFT}")
    assert "data-testid=\"outcome\"" not in crafted.text and "<b>hi" not in crafted.text
    unknown_rule = await second.get(f"/periods/{period}?refused=taken&rule=R-NOPE-1&shift={SHIFT}")
    assert "data-testid=\"outcome\"" not in unknown_rule.text

    api = await second.post(f"/periods/{period}/act", headers={"Accept": "application/json"},
                            data={**form, "csrf": second.headers["X-CSRF-Token"]})
    assert api.status_code == 409 and api.json()["code"] == "taken" and api.json()["reason"] == "Allerede tatt"
    assert "gp04" not in api.text
    english = await second.post(f"/periods/{period}/act?lang=en", headers={"Accept": "application/json"},
                                data={**form, "csrf": second.headers["X-CSRF-Token"]})
    assert english.json()["reason"] == "Already taken"


async def test_filters_by_kind_and_weekday_without_script(web):
    period = await start_example_period(web)
    await close_until(web, period, Phase.OFFERING)
    doctor = await web.sign_in(email_of("gp04"))
    board = f"/periods/{period}"

    everything = _options((await doctor.get(board)).text)
    nights = _options((await doctor.get(board, params={"kind": "night"})).text)
    assert nights and all(s.endswith("/night") for s in nights) and len(nights) < len(everything)
    backups = _options((await doctor.get(board, params={"kind": "backup"})).text)
    assert backups and {s.split("/")[1] for s in backups} <= {"backup", "backup-day"}
    weekend = _options((await doctor.get(board, params={"kind": "weekend"})).text)
    assert weekend and all(date.fromisoformat(s[:10]).weekday() >= 5 for s in weekend)
    fridays = (await doctor.get(board, params={"day": "fri", "kind": "evening"})).text
    assert _options(fridays) == ["2027-01-08/evening", "2027-01-15/evening"]
    assert 'name="kind" value="evening"' in fridays and 'name="day" value="fri"' in fridays  # kept in each form
    none = (await doctor.get(board, params={"day": "sat", "kind": "evening"})).text
    assert _options(none) == [] and "Ingen ledige vakter" in none
    english = (await doctor.get(board, params={"lang": "en", "kind": "evening", "day": "fri"})).text
    assert '<html lang="en">' in english and "You have 0" in english and "Evening Fri 8 Jan 16–23" in english
    odd = await doctor.get(board, params={"kind": "<x>", "day": "someday"})
    assert odd.status_code == 200 and _options(odd.text) == everything  # unknown: no filter


async def test_pages_are_compressed_for_a_phone_that_asks(web):
    period = await start_example_period(web)
    doctor = await web.sign_in(email_of("gp04"))
    plain = await doctor.get(f"/periods/{period}", headers={"accept": "text/html", "accept-encoding": "identity"})
    packed = await doctor.get(f"/periods/{period}", headers={"accept": "text/html", "accept-encoding": "gzip"})
    assert "content-encoding" not in plain.headers and packed.headers["content-encoding"] == "gzip"
    fresh = re.compile(r'name="idempotency_key" value="[0-9a-f]{25,32}"')  # a new key each time a page is shown
    assert fresh.sub("", packed.text) == fresh.sub("", plain.text)  # the same page, decoded
    assert packed.num_bytes_downloaded * 2 < plain.num_bytes_downloaded, (packed.num_bytes_downloaded, len(plain.content))
    assert packed.headers["content-security-policy"] == plain.headers["content-security-policy"]


async def test_r_load_3_a_doctor_above_the_weekly_cap_is_told_not_refused(web):
    await import_scenario(web.services, "demo", EXAMPLE, actor="admin:test")
    await add_account(web.services, OPERATOR[0], "operator", OPERATOR[1], actor="admin:test", districts=["demo"])
    config = example_config("cap-round", meeting_in=timedelta(seconds=3))
    policy = config.district.policy.model_copy(update={"max_shifts_per_week": 1})
    config = config.model_copy(update={"district": config.district.model_copy(update={"policy": policy})})
    await start_period(web.services, config, started_by="operator:test")
    web.period = "cap-round"
    await close_until(web, "cap-round", Phase.OFFERING)
    doctor = await web.sign_in(email_of("gp04"))
    for shift in ("2027-01-04/evening", "2027-01-06/evening"):
        taken = await doctor.post("/periods/cap-round/act", data={
            "verb": "claim", "shift": shift, "csrf": doctor.headers["X-CSRF-Token"]})
        assert taken.status_code == 303 and "done=" in taken.headers["location"]  # allowed, never refused
    page = await doctor.get(taken.headers["location"], headers={"accept": "text/html"})  # waits for its version
    banner = re.search(r'data-testid="over-cap">([^<]+)<', page.text)
    assert banner and banner.group(1).startswith("Over distriktets tak: 2 vakter"), page.text[:3000]
    assert "R-LOAD-3" in page.text
    # The operators' fairness report flags the week, with how the shifts came to be held.
    kari = await web.sign_in(OPERATOR[0])
    report = await kari.get("/operator/periods/cap-round/fairness")
    assert report.status_code == 200 and 'data-testid="over-cap-section"' in report.text
    row = re.search(r'<tr data-doctor="gp04">(.*?)</tr>', report.text.split('data-testid="over-cap"')[1], re.S)
    assert row, report.text[:3000]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
    assert cells[1] == "2" and cells[2] == "tatt fra tilbudet", cells
    english = await kari.get("/operator/periods/cap-round/fairness?lang=en")
    assert "Over the weekly cap" in english.text
