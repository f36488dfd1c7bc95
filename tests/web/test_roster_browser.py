"""The clinic head at a desk (1366×900, Chromium): from the round's page to the roster (a month,
a day, filtered by kind and doctor, a drawn shift's draw and the doctor's explanation), the
fairness ledger sorted by a link and its deviation chart with the table beside it, the lottery's
check, the history across rounds; then the roster downloaded as CSV, Excel and PDF, each opened:
the workbook with openpyxl, the PDF's text with pypdf (Norwegian, æøå), its first page rendered
to PNG with PDFium. axe-core finds 0 violations on every page visited.

Screenshots go to the test's temporary folder, or to `VAKT_SCREENSHOTS` when set (the README's
come from `VAKT_SCREENSHOTS=docs/screenshots`)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.web.a11y import assert_accessible
from tests.web.roster_rounds import CURRENT, store_sample_rounds
from tests.web.test_browser import sign_in

DESK = {"width": 1366, "height": 900}


async def _download(page, selector: str, folder: Path) -> Path:
    async with page.expect_download() as waiting:
        await page.click(selector)
    download = await waiting.value
    target = folder / download.suggested_filename
    await download.save_as(str(target))
    return target


async def test_the_clinic_head_reads_the_roster_and_fairness_and_downloads_them(web_db, browser, tmp_path):  # noqa: F811
    screenshots = Path(os.environ.get("VAKT_SCREENSHOTS") or tmp_path)
    screenshots.mkdir(parents=True, exist_ok=True)
    sample = await store_sample_rounds(web_db.services)
    names = {d.id: d.name for d in sample["roll"]}
    drawn_shift, giver, receiver = sample["swap"]
    checked: list[str] = []
    page = await sign_in(browser, web_db, sample["operator"][0], viewport=DESK)

    # From the round's page to its roster.
    await page.goto(f"{web_db.base_url}/operator/periods/{CURRENT}")
    await page.click("[data-testid=round-links] a[href$='/roster']")
    await page.wait_for_selector("[data-testid=roster-month]")
    assert "januar 2027" in await page.text_content("#month-title")
    assert "575 vakter" in await page.text_content("[data-testid=roster-counts]")
    await assert_accessible(page, "the roster's month", checked)
    await page.screenshot(path=str(screenshots / "operator-roster.png"), full_page=False)

    # A day's table: every shift of the day by name; a drawn shift links to its draw.
    await page.get_by_role("link", name="16 (16.1.2027)", exact=True).click()  # the day's number, named in full
    await page.wait_for_selector("[data-testid=roster-day]")
    day = await page.text_content("[data-testid=roster-day]")
    assert "16.1.2027" in day
    await assert_accessible(page, "the roster with a day's table", checked)

    # Filtered by kind and doctor (a plain GET form): only the doctor's backup shifts.
    await page.select_option("#f-kind", "backup")
    await page.select_option("#f-doctor", receiver)
    await page.click("[data-testid=roster-filters] button[type=submit]")
    await page.wait_for_selector("[data-testid=roster-month]")
    for item in await page.locator("table.month-grid li").all_text_contents():
        assert "Bakvakt" in item and names[receiver] in item
    await assert_accessible(page, "the roster filtered by kind and doctor", checked)

    # A draw, explained, and from there the drawn doctor's explanation.
    await page.goto(f"{web_db.base_url}/operator/periods/{CURRENT}/roster?month=2027-01")
    draw = page.locator("table.month-grid a.mark.draw").first
    await draw.click()
    await page.wait_for_selector("[data-testid=draw]")
    assert "kunne lovlig ta vakten" in await page.text_content("[data-testid=draw]")
    await assert_accessible(page, "a draw explained", checked)
    await page.click("[data-testid=drawn-doctor]")
    await page.wait_for_selector("[data-testid=explanation]")
    await assert_accessible(page, "a doctor's explanation", checked)

    # Fairness: the ledger, sorted by a link (no script needed), the chart and its table.
    await page.goto(f"{web_db.base_url}/operator/periods/{CURRENT}/fairness")
    await page.wait_for_selector("[data-testid=deviation-chart]")
    bars = await page.locator("[data-testid=deviation-chart] rect").count()
    rows = await page.locator("[data-testid=chart-table] tbody tr").count()
    assert bars == rows > 50
    await page.click("[data-testid=ledger] a[data-sort=deviation]")
    await page.wait_for_selector("[data-testid=ledger] th[aria-sort=ascending] a[data-sort=deviation]")
    await page.click("[data-testid=ledger] a[data-sort=deviation]")
    await page.wait_for_selector("[data-testid=ledger] th[aria-sort=descending] a[data-sort=deviation]")
    shown = [t for t in await page.locator("[data-testid=ledger] tbody tr td:nth-of-type(10)").all_text_contents()
             if t != "–"]  # a doctor without a quota has no deviation
    deviations = [float(t) for t in shown]
    assert deviations == sorted(deviations, reverse=True) and deviations[0] > deviations[-1]
    ledger = await page.text_content("[data-testid=ledger]")
    assert names[receiver] in ledger and names[giver] in ledger
    await assert_accessible(page, "the fairness ledger and chart", checked)
    await page.screenshot(path=str(screenshots / "operator-fairness.png"), full_page=False)

    # The lottery's check, one click away, and the history across rounds.
    await page.click("[data-testid=verify-link]")
    await page.wait_for_selector("[data-testid=verify-result]")
    assert (await page.text_content("[data-testid=verify-result]")).startswith("Stemmer")
    await assert_accessible(page, "the lottery's check", checked)
    await page.goto(f"{web_db.base_url}/operator/periods/{CURRENT}/fairness/history")
    assert await page.locator("[data-testid=history] thead th").count() == 4  # doctor, two rounds, total
    await assert_accessible(page, "fairness across rounds", checked)

    # The downloads, each opened.
    await page.goto(f"{web_db.base_url}/operator/periods/{CURRENT}/roster")
    rows = list(csv.reader(io.StringIO((await _download(page, "[data-testid=export-csv]", tmp_path))
                                       .read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Dato", "Ukedag", "Fra"] and len(rows) == 576
    book = load_workbook(await _download(page, "[data-testid=export-xlsx]", tmp_path), read_only=True)
    assert book.sheetnames[:6] == [f"{m} 2027" for m in ("januar", "februar", "mars", "april", "mai", "juni")]
    assert names[receiver] in book.sheetnames
    month = list(book["januar 2027"].iter_rows(values_only=True))
    assert month[0][0] == "Dato" and any(names[receiver] in (r[5] or "") for r in month[1:])
    pdf_path = await _download(page, "[data-testid=export-pdf]", tmp_path)
    reader = PdfReader(pdf_path)
    assert len(reader.pages) == 6  # one month per page
    first_page = reader.pages[0].extract_text()
    assert "Vaktliste januar 2027 – Mosseregionens legevakt" in first_page and "lør" in first_page
    assert any(n in first_page for n in names.values() if any(c in n for c in "æøåÆØÅ"))
    assert round(float(reader.pages[0].mediabox.width)) == 595  # A4
    import pypdfium2  # noqa: PLC0415 - test-only, renders the PDF's first page

    document = pypdfium2.PdfDocument(str(pdf_path))
    document[0].render(scale=1.5).to_pil().save(screenshots / "roster-pdf.png")
    assert (screenshots / "roster-pdf.png").stat().st_size > 10_000
    assert checked and len(checked) == 8, checked
