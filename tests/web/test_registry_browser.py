"""The registry in a real browser at a desk (1366×900, Debian's chromium): the sample clinic head,
an admin of the district, uploads a changed roll as an Excel workbook with one bad row (named by
row and column, nothing stored), fixes it, reads the preview (added, changed field by field,
left, the rules a qualification change touches), confirms, and finds the district's schedule of
rounds created at once; then searches a doctor, reads the record and its history, and corrects
it. axe-core reports 0 violations on every page state visited, in Norwegian and once in English."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from openpyxl import Workbook

from app.demo.samples import SAMPLE_OPERATOR
from app.identity.accounts import add_account
from app.periods.schedules import schedule_id, show_schedule
from app.registry.districts import import_csv
from tests.web.a11y import assert_accessible
from tests.web.test_browser import sign_in

SAMPLE = Path(__file__).resolve().parents[2] / "app" / "data" / "sample-mosse-registry.csv"
DESK = {"width": 1366, "height": 900}
DISTRICT = "mosse"


def _workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _changed_roll() -> tuple[list[list[str]], dict]:
    rows = list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8"))))
    header = rows[0]
    col = header.index
    stand_ins = " ".join(r[col("stand_ins")] for r in rows[1:])
    changed = [list(r) for r in rows]
    renamed = changed[2][0]
    changed[2][col("mobile")] = "+47 400 00 001"
    changed[3][col("violence_course")] = ""  # no longer independently qualified (R-QUAL-1)
    gone_at = next(i for i, r in enumerate(changed) if i > 4 and r[0] not in stand_ins)
    gone = changed.pop(gone_at)
    new = list(changed[5])
    new[0], new[col("name")], new[col("email")] = "moss99", "Nora Nyansatt", "nora.nyansatt@moss-legesenter.example.no"
    changed.append(new)
    return changed, {"changed": renamed, "qualification": changed[3][0], "gone": gone[col("name")], "header": header}


async def test_the_clinic_head_imports_a_changed_roll_and_corrects_a_doctor(web, browser, tmp_path):  # noqa: F811
    services = web.services
    await import_csv(services, DISTRICT, SAMPLE, actor="admin:test", name="Mosseregionens legevakt")
    await add_account(services, SAMPLE_OPERATOR[0], "admin", SAMPLE_OPERATOR[1], actor="admin:test", districts=[DISTRICT])
    client = await services.temporal()
    shots = Path(os.environ.get("VAKT_SCREENSHOTS") or tmp_path)
    states: list[str] = []
    page = await sign_in(browser, web, SAMPLE_OPERATOR[0], viewport=DESK)
    try:
        await page.goto(web.base_url + "/operator")
        await assert_accessible(page, "operator page with the registry link", states)
        await page.click("[data-testid=registry-link]")
        await page.wait_for_url(f"**/operator/registry/{DISTRICT}")
        assert "74 leger" in await page.inner_text("[data-testid=found]")
        await assert_accessible(page, "the roll", states)

        # A changed roll with one bad row: named by row and column, and nothing is stored.
        rows, facts = _changed_roll()
        bad = [list(r) for r in rows]
        bad[7][facts["header"].index("email")] = "ikke-en-adresse"
        await page.set_input_files("#file", files=[{"name": "legeliste.xlsx", "buffer": _workbook(bad),
                                                    "mimeType": "application/octet-stream"}])
        await page.click("form[action$='/import'] button[type=submit]")
        problems = await page.inner_text("[data-testid=problems]")
        assert "Rad 8, kolonne E-post: ikke en gyldig e-postadresse" in problems
        assert "ikke-en-adresse" not in await page.content()
        await assert_accessible(page, "a bad row named", states)
        await page.screenshot(path=str(shots / "registry-bad-row.png"))

        # The fixed file: the preview shows what changes, field by field.
        await page.set_input_files("#file", files=[{"name": "legeliste.xlsx", "buffer": _workbook(rows),
                                                    "mimeType": "application/octet-stream"}])
        await page.click("form[action$='/import'] button[type=submit]")
        await page.wait_for_selector("[data-testid=counts]")
        assert "1 nye, 2 endret, 1 ute av listen, 71 uendret" in await page.inner_text("[data-testid=counts]")
        changed = await page.inner_text("[data-testid=changed]")
        assert "Mobil" in changed and "Kurs i voldshåndtering" in changed
        assert "R-QUAL-1" in await page.inner_text("[data-testid=rules]")
        assert facts["gone"] in await page.inner_text("[data-testid=left]")
        assert "Nora Nyansatt" in await page.inner_text("[data-testid=added]")
        db = await services.database()
        assert await db.registry.doctor(DISTRICT, "moss99") is None
        await assert_accessible(page, "the preview", states)
        await page.screenshot(path=str(shots / "registry-preview.png"), full_page=True)

        await page.click("[data-testid=confirm-import]")
        await page.wait_for_selector("[data-testid=notice]")
        notices = " ".join(await page.locator("[data-testid=notice]").all_inner_texts())
        assert "Legelisten er lagret: 1 nye, 2 endret, 1 ute av listen." in notices
        assert "timeplan for runder er opprettet" in notices
        assert (await db.registry.doctor(DISTRICT, "moss99")) is not None
        schedule = await show_schedule(services, DISTRICT)
        assert schedule.next_runs and not schedule.paused
        await assert_accessible(page, "the roll stored", states)

        # Search a doctor, read the record and history, correct it.
        await page.fill("#q", "Nora Ny")
        await page.click("form[role=search] button[type=submit]")
        assert "1 leger" in await page.inner_text("[data-testid=found]")
        await assert_accessible(page, "a search", states)
        await page.click("[data-testid=doctors] a")
        await page.wait_for_selector("[data-testid=history]")
        assert "lagt til" in await page.inner_text("[data-testid=history]")
        assert SAMPLE_OPERATOR[1] in await page.inner_text("[data-testid=history]")
        await assert_accessible(page, "a doctor's record", states)
        await page.fill("#mobile", "12")
        await page.click("form[action*='/doctors/'] button[type=submit]")
        await page.wait_for_selector("[data-testid=errors]")
        assert "Mobil" in await page.inner_text("[data-testid=errors]")
        await assert_accessible(page, "a correction refused, the field named", states)
        await page.fill("#mobile", "+47 400 00 099")
        await page.fill("#acute_course", "")
        await page.click("form[action*='/doctors/'] button[type=submit]")
        await page.wait_for_selector("[data-testid=notice]")
        assert "Endringene er lagret" in await page.inner_text("[data-testid=notice]")
        await assert_accessible(page, "a correction stored", states)
        await page.screenshot(path=str(shots / "registry-doctor.png"), full_page=True)
        await page.goto(page.url.split("?")[0] + "?lang=en")
        assert "History" in await page.inner_text("main")
        await assert_accessible(page, "a doctor's record in English", states)
        assert len(states) == 10, states
    finally:
        await page.context.close()
        try:
            await client.get_schedule_handle(schedule_id(DISTRICT)).delete()
        except Exception:  # noqa: BLE001 - never created
            pass
