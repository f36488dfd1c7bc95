"""The registry's pages over HTTP: a roll uploaded, previewed and confirmed exactly as
previewed (twice is once; a roll changed since is refused); bad files named by row and column,
never by value (not a CSV, too large, wrong columns, a bad cell); the export in the import's
columns with every formula-looking cell guarded; only operators and admins of the district, and
only admins change anything. Without Temporal: the schedule is reported as not reachable."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from openpyxl import load_workbook

from app.identity.accounts import add_account
from app.registry.districts import import_csv
from domain.registry.csv_format import parse_registry_csv
from tests.web.stack import OPERATOR

SAMPLE = Path(__file__).resolve().parents[2] / "app" / "data" / "sample-mosse-registry.csv"
ADMIN = ("registeransvarlig@klinikk.example.no", "Ola Registerfører")
DISTRICT = "mosse"


async def _district(stack) -> list[list[str]]:
    await import_csv(stack.services, DISTRICT, SAMPLE, actor="admin:test", name="Mosseregionens legevakt")
    await add_account(stack.services, ADMIN[0], "admin", ADMIN[1], actor="admin:test", districts=[DISTRICT])
    await add_account(stack.services, OPERATOR[0], "operator", OPERATOR[1], actor="admin:test", districts=[DISTRICT])
    return list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8"))))


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


async def _page_client(stack, email):
    client = await stack.sign_in(email)
    client.headers["Accept"] = "text/html"
    return client


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def _upload(client, body: bytes, name: str = "roll.csv", *, lang: str = "nb"):
    page = await client.get(f"/operator/registry/{DISTRICT}?lang={lang}")
    return await client.post(f"/operator/registry/{DISTRICT}/import",
                             data={"csrf": _csrf(page.text)}, files={"file": (name, body, "text/csv")})


async def test_a_changed_roll_is_previewed_then_stored_exactly_once(web_db):
    rows = await _district(web_db)
    admin = await _page_client(web_db, ADMIN[0])
    header = rows[0]
    changed = [list(r) for r in rows]
    changed[2][header.index("name")] = "Endret Navn"
    changed[3][header.index("violence_course")] = ""  # a qualification change (R-QUAL-1)
    stand_ins = " ".join(r[header.index("stand_ins")] for r in rows[1:])
    gone = changed.pop(next(i for i, r in enumerate(changed) if i > 4 and r[0] not in stand_ins))[0]
    new = list(changed[5])
    new[0], new[header.index("email")] = "gp-ny", "ny.lege@legekontor.example.no"
    changed.append(new)
    answer = await _upload(admin, _csv(changed))
    assert answer.status_code == 303, answer.text
    preview = await admin.get(answer.headers["location"])
    assert preview.status_code == 200
    assert "1 nye, 2 endret, 1 ute av listen, 71 uendret" in preview.text
    assert "Endret Navn" in preview.text and "R-QUAL-1" in preview.text and gone in preview.text
    db = await web_db.services.database()
    assert (await db.registry.doctor(DISTRICT, "gp-ny")) is None  # nothing stored by a preview

    confirm_url = re.search(r'action="([^"]+/confirm)"', preview.text).group(1)
    form = {"csrf": _csrf(preview.text)}
    stored = await admin.post(confirm_url, data=form)
    assert stored.status_code == 303
    assert "notice=imported" in stored.headers["location"] and "schedule=unavailable" in stored.headers["location"]
    page = await admin.get(stored.headers["location"])
    assert "1 nye, 2 endret, 1 ute av listen" in page.text
    assert (await db.registry.doctor(DISTRICT, "gp-ny")) is not None
    history = await db.registry.history(DISTRICT, doctor_id="gp-ny")
    admin_id = (await db.accounts.account(ADMIN[0])).account_id
    assert history[-1].actor == f"admin:{admin_id}"

    again = await admin.post(confirm_url, data=form)  # a double submit stores nothing twice
    assert again.status_code == 303 and "notice=already" in again.headers["location"]
    assert len(await db.registry.history(DISTRICT, doctor_id="gp-ny")) == 1


async def test_a_preview_is_refused_when_the_roll_changed_since_and_cannot_be_forged(web_db):
    rows = await _district(web_db)
    admin = await _page_client(web_db, ADMIN[0])
    rows[2][rows[0].index("name")] = "Endret Navn"
    answer = await _upload(admin, _csv(rows))
    preview = await admin.get(answer.headers["location"])
    confirm_url = re.search(r'action="([^"]+/confirm)"', preview.text).group(1)
    forged = await admin.post(confirm_url.replace("/import/", "/import/0") , data={"csrf": _csrf(preview.text)})
    assert forged.status_code == 404
    other = await _page_client(web_db, OPERATOR[0])  # an operator may not confirm an admin's preview
    assert (await other.post(confirm_url, data={"csrf": _csrf((await other.get("/operator")).text)})).status_code == 403
    # Someone changes the roll between the preview and the confirmation: nothing is stored.
    doctor = rows[3][0]
    edit = await admin.get(f"/operator/registry/{DISTRICT}/doctors/{doctor}")
    assert (await admin.post(f"/operator/registry/{DISTRICT}/doctors/{doctor}",
                             data={"csrf": _csrf(edit.text), "gp_months": "99"})).status_code == 303
    shown = await admin.get(answer.headers["location"])  # the preview itself says so too
    assert shown.status_code == 409 and "endret siden forhåndsvisningen" in shown.text
    stale = await admin.post(confirm_url, data={"csrf": _csrf(preview.text)})
    assert stale.status_code == 409 and "endret siden forhåndsvisningen" in stale.text
    db = await web_db.services.database()
    assert (await db.registry.doctor(DISTRICT, rows[2][0])).name != "Endret Navn"


async def test_bad_files_are_named_by_row_and_column_never_by_value(web_db):
    rows = await _district(web_db)
    admin = await _page_client(web_db, ADMIN[0])
    secret = "hemmelig.adresse.uten.krøllalfa"
    rows[6][rows[0].index("email")] = secret
    bad = await _upload(admin, _csv(rows))
    assert bad.status_code == 422
    assert "Rad 7, kolonne E-post: ikke en gyldig e-postadresse" in bad.text and secret not in bad.text
    english = await _upload(admin, _csv(rows), lang="en")
    assert "Row 7, column E-mail: not a valid e-mail address" in english.text

    png = await _upload(admin, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "roll.png")
    assert png.status_code == 422 and "ikke en CSV-fil" in png.text
    fake_xlsx = await _upload(admin, b"PK\x03\x04 not really a zip", "roll.xlsx")
    assert fake_xlsx.status_code == 422 and "ikke en Excel-arbeidsbok" in fake_xlsx.text
    wrong = await _upload(admin, _csv([["fornavn", "Qzxjklmnop"], ["Qwvbnmz", "Nordmann"]]))
    assert wrong.status_code == 422 and "Overskriftsraden mangler kolonnene" in wrong.text
    assert "Qzxjklmnop" not in wrong.text and "Qwvbnmz" not in wrong.text  # no value is repeated
    large = await _upload(admin, b"id,role\n" + b"x" * (3 * 1024 * 1024))
    assert large.status_code == 413
    forged = await admin.post(f"/operator/registry/{DISTRICT}/import", data={"csrf": "not-the-token"},
                              files={"file": ("roll.csv", _csv(rows), "text/csv")})
    assert forged.status_code == 403  # CSRF: the form's token, as every form's
    page = await admin.get(f"/operator/registry/{DISTRICT}")
    none = await admin.post(f"/operator/registry/{DISTRICT}/import", data={"csrf": _csrf(page.text)},
                            files={"file": ("", b"", "application/octet-stream")})
    assert none.status_code == 422 and "Velg en fil" in none.text
    db = await web_db.services.database()
    assert len(await db.registry.doctors(DISTRICT)) == len(rows) - 1  # nothing stored by any of them


async def test_the_export_is_the_imports_format_with_formulas_guarded(web_db):
    await _district(web_db)
    admin = await _page_client(web_db, ADMIN[0])
    doctor = "moss01"
    edit = await admin.get(f"/operator/registry/{DISTRICT}/doctors/{doctor}")
    saved = await admin.post(f"/operator/registry/{DISTRICT}/doctors/{doctor}",
                             data={"csrf": _csrf(edit.text), "name": "=HYPERLINK(\"http://x\")"})
    assert saved.status_code == 303, saved.text
    exported = await admin.get(f"/operator/registry/{DISTRICT}/export.csv")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    text = exported.content.decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], "a cell starts a formula"
    assert "'=HYPERLINK" in text and "'+47" in text
    again = parse_registry_csv(text)  # the export reads back as it was
    assert next(d for d in again if d.id == doctor).name.startswith("=HYPERLINK")
    xlsx = await admin.get(f"/operator/registry/{DISTRICT}/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type == "s" for c in values)
    assert not [c for c in values if str(c.value)[:1] in ("=", "+", "-", "@")]
    roundtrip = await _upload(admin, xlsx.content, "roll.xlsx")
    preview = await admin.get(roundtrip.headers["location"])
    assert "0 nye, 0 endret, 0 ute av listen, 74 uendret" in preview.text


async def test_only_the_districts_operators_see_and_only_its_admins_change(web_db):
    await _district(web_db)
    operator = await _page_client(web_db, OPERATOR[0])
    listing = await operator.get(f"/operator/registry/{DISTRICT}?q=moss01")
    assert listing.status_code == 200 and "moss01" in listing.text and 'name="file"' not in listing.text
    probe = await operator.get(f"/operator/registry/{DISTRICT}?q=moss-legesenter.example")  # no search by address
    assert "0 leger" in probe.text
    record = await operator.get(f"/operator/registry/{DISTRICT}/doctors/moss01")
    assert record.status_code == 200 and "@" not in record.text.split("<main>", 1)[1].split("</main>")[0]
    assert (await operator.get(f"/operator/registry/{DISTRICT}/export.csv")).status_code == 403
    post = await operator.post(f"/operator/registry/{DISTRICT}/doctors/moss01",
                               data={"csrf": _csrf(record.text), "name": "X"})
    assert post.status_code == 403
    doctor = await _page_client(web_db, await _email(web_db, "moss02"))
    assert (await doctor.get(f"/operator/registry/{DISTRICT}")).status_code == 403
    await add_account(web_db.services, "annen@klinikk.example.no", "admin", "Annen", actor="admin:test",
                      districts=["elsewhere"])
    elsewhere = await _page_client(web_db, "annen@klinikk.example.no")
    assert (await elsewhere.get(f"/operator/registry/{DISTRICT}")).status_code == 403


async def _email(stack, doctor: str) -> str:
    return (await (await stack.services.database()).registry.doctor(DISTRICT, doctor)).email


async def test_an_admins_correction_names_the_field_and_the_rules_it_touches(web_db):
    await _district(web_db)
    admin = await _page_client(web_db, ADMIN[0])
    url = f"/operator/registry/{DISTRICT}/doctors/moss01"
    page = await admin.get(url)
    bad = await admin.post(url, data={"csrf": _csrf(page.text), "mobile": "12", "clinical_months": "mange"})
    assert bad.status_code == 422 and "Mobil" in bad.text and "aria-invalid" in bad.text
    done = await admin.post(url, data={"csrf": _csrf(page.text), "violence_course": ""})
    assert done.status_code == 303
    shown = await admin.get(done.headers["location"])
    assert "R-QUAL-1" in shown.text and "Kurs i voldshåndtering" in shown.text
    assert ADMIN[1] in shown.text  # the history names who changed it


async def test_an_admins_first_import_creates_the_district(web_db):
    await add_account(web_db.services, ADMIN[0], "admin", ADMIN[1], actor="admin:test", districts=["nytt"])
    admin = await _page_client(web_db, ADMIN[0])
    home = await admin.get("/operator/registry")
    assert home.status_code == 303 and home.headers["location"] == "/operator/registry/nytt"
    empty = await admin.get("/operator/registry/nytt")
    assert empty.status_code == 200 and 'data-testid="new-district"' in empty.text
    answer = await admin.post("/operator/registry/nytt/import", data={"csrf": _csrf(empty.text)},
                              files={"file": ("roll.csv", SAMPLE.read_bytes(), "text/csv")})
    preview = await admin.get(answer.headers["location"])
    assert "74 nye, 0 endret, 0 ute av listen, 0 uendret" in preview.text
    confirm_url = re.search(r'action="([^"]+/confirm)"', preview.text).group(1)
    stored = await admin.post(confirm_url, data={"csrf": _csrf(preview.text)})
    assert "notice=imported" in stored.headers["location"]
    db = await web_db.services.database()
    assert (await db.registry.district("nytt")) is not None and len(await db.registry.doctors("nytt")) == 74


async def test_a_preview_made_on_one_web_process_is_confirmed_on_another(web_db, app_database_url, tmp_path,
                                                                       smtp_server):  # noqa: F811
    from tests.helpers.mail import free_port
    from tests.helpers.support import services_for
    from tests.web.stack import SECRET, serve

    rows = await _district(web_db)
    port = free_port()
    other = services_for(app_database_url, tmp_path / "two", None, VAKT_DEV_SMTP_PORT=str(smtp_server.port),
                         VAKT_PUBLIC_URL=f"http://127.0.0.1:{port}", VAKT_SESSION_SECRET=SECRET,
                         TEMPORAL_ADDRESS="127.0.0.1:1")
    server, task = await serve(other, port)
    try:
        admin = await _page_client(web_db, ADMIN[0])
        rows[2][rows[0].index("name")] = "Endret Navn"
        answer = await _upload(admin, _csv(rows))
        preview = await admin.get(f"http://127.0.0.1:{port}" + answer.headers["location"])  # the other process
        assert preview.status_code == 200 and "0 nye, 1 endret" in preview.text
        confirm_url = re.search(r'action="([^"]+/confirm)"', preview.text).group(1)
        stored = await admin.post(f"http://127.0.0.1:{port}" + confirm_url, data={"csrf": _csrf(preview.text)})
        assert stored.status_code == 303 and "notice=imported" in stored.headers["location"]
        again = await admin.get(answer.headers["location"])  # the preview again, on the first: already stored
        assert again.status_code == 303 and "notice=already" in again.headers["location"]
    finally:
        server.should_exit = True
        await task
        await other.aclose()
    db = await web_db.services.database()
    assert (await db.registry.doctor(DISTRICT, rows[2][0])).name == "Endret Navn"
