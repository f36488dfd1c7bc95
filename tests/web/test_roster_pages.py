"""The operator's roster, fairness and payroll pages and downloads over HTTP (no browser, no
Temporal): two stored rounds of the sample district; names, marks, sorting without script, the
files opened and checked (formula injection guarded), both languages, and another district's
operator refused."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import datetime

from icalendar import Calendar
from openpyxl import load_workbook
from pypdf import PdfReader

from adapters.postgres.event_store import AppendEventsInput, NewEvent
from app.identity.accounts import add_account
from domain.model import OSLO_TZ
from domain.period.events import SwapAccepted
from tests.web.roster_rounds import CURRENT, PREVIOUS, store_sample_rounds

MESSAGE_ID = re.compile(r"(?<![/\w.-])(?:roster|fairness|draw|verify|history|payroll|export|explain|pdf|ics)\.[a-z_]+")


async def test_roster_fairness_and_exports_for_the_districts_operator(web_db):
    sample = await store_sample_rounds(web_db.services)
    names = {d.id: d.name for d in sample["roll"]}
    kari = await web_db.sign_in(sample["operator"][0])
    base = f"/operator/periods/{CURRENT}"

    roster = await kari.get(f"{base}/roster?month=2027-01&day=2027-01-04", headers={"Accept": "text/html"})
    assert roster.status_code == 200, roster.text
    text = roster.text
    assert "januar 2027" in text and 'data-testid="roster-day"' in text
    held = [e for e in sample["events"] if getattr(e, "type", "") == "ShiftTaken" and e.shift.startswith("2027-01-04")]
    assert held and names[held[0].doctor] in text
    assert "Trekning 1<" in text or "/draws/" in text

    drawn, giver, receiver = sample["swap"]
    fairness = await kari.get(f"{base}/fairness?sort=deviation&dir=desc", headers={"Accept": "text/html"})
    assert fairness.status_code == 200, fairness.text
    assert 'aria-sort="descending"' in fairness.text and "<svg" in fairness.text and names[receiver] in fairness.text
    english = await kari.get(f"{base}/fairness?lang=en", headers={"Accept": "text/html"})
    assert "Deviation from the quota per doctor" in english.text

    history = await kari.get(f"{base}/fairness/history?lang=nb", headers={"Accept": "text/html"})
    assert history.status_code == 200 and f"/operator/periods/{PREVIOUS}/fairness" in history.text

    got = await kari.get(f"{base}/roster.csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Dato" and len(rows) == 1 + 575
    assert any(names[receiver] in r for r in rows)

    book = load_workbook(io.BytesIO((await kari.get(f"{base}/roster.xlsx")).content), read_only=True)
    assert book.sheetnames[0] == "januar 2027" and names[receiver] in book.sheetnames

    pdf = PdfReader(io.BytesIO((await kari.get(f"{base}/roster.pdf")).content))
    assert len(pdf.pages) == 6 and "Vaktliste januar 2027" in pdf.pages[0].extract_text()

    english = PdfReader(io.BytesIO((await kari.get(f"{base}/roster.pdf?lang=en")).content))
    assert "Roster January 2027" in english.pages[0].extract_text()

    ics = await kari.get(f"{base}/roster.ics?lang=nb")
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    assert ics.headers["content-type"].startswith("text/calendar") and len(events) == 575
    swapped = next(e for e in events if str(e["UID"]).startswith(f"{CURRENT}/{drawn}@"))
    assert str(swapped["SUMMARY"]).endswith(": " + names[receiver])
    assert swapped.decoded("DTSTART").tzinfo is not None and str(swapped["LOCATION"]) == "Mosseregionens legevakt"

    for path in ("fairness.csv", "fairness.xlsx", "payroll.csv", "payroll.xlsx", "payroll", "verify", "draws/1"):
        answer = await kari.get(f"{base}/{path}", headers={"Accept": "text/html"})
        assert answer.status_code == 200, (path, answer.text[:300])
    # Every word from the catalogue in both languages: no message id shows through.
    pages = ("roster?day=2027-01-05", "fairness", "fairness/history", "payroll", "verify", "draws/2",
             f"doctors/{receiver}/explain")
    for lang in ("en", "nb"):
        for path in pages:
            said = (await kari.get(f"{base}/{path}{'&' if '?' in path else '?'}lang={lang}",
                                   headers={"Accept": "text/html"})).text
            assert not MESSAGE_ID.findall(said), (lang, path, MESSAGE_ID.findall(said)[:5])
            assert ("Roster" if lang == "en" else "Vaktliste") in said, (lang, path)
    said = (await kari.get(f"{base}/verify?lang=nb", headers={"Accept": "text/html"})).text
    assert re.search(r"<dt>Trekningsalgoritme</dt><dd>\d+ ", said), "verify names the lottery algorithm (R-LOT-4)"

    # A new event (the shift swapped back) shows at once: only it is read and folded on.
    db = await web_db.services.database()
    version = await db.store.stored_version(CURRENT)
    back = SwapAccepted(swap="swap-2", shift=drawn, giver=receiver, receiver=giver)
    await db.store.append(AppendEventsInput(stream_id=CURRENT, stream_kind="live", events=[NewEvent(
        event_id=uuid.uuid4(), version=version + 1, type=back.type, data=back.model_dump(mode="json"),
        occurred_at=datetime.now(OSLO_TZ), actor="system:test")]))
    ledger = list(csv.reader(io.StringIO((await kari.get(f"{base}/fairness.csv")).content.decode("utf-8-sig")),
                             delimiter=";"))
    swaps = {row[1]: (row[7], row[8]) for row in ledger[1:]}  # doctor id → (swaps in, swaps out)
    assert swaps[giver] == ("1", "1") and swaps[receiver] == ("1", "1")

    await add_account(web_db.services, "ola@annen.example.no", "operator", "Ola Annen", actor="admin:test",
                      districts=["annen"])
    ola = await web_db.sign_in("ola@annen.example.no")
    for path in ("roster", "fairness", "roster.csv", "roster.pdf", "verify"):
        assert (await ola.get(f"{base}/{path}")).status_code == 403, path
