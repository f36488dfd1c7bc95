"""The registry's pages for operators and admins: a district's doctors with a search, each
doctor's record and history, an admin's correction; a roll uploaded (CSV or workbook), previewed
and confirmed; the roll exported in the import's columns (CSV, XLSX).

Parse, call app.registry.roll_import / roll_views, render. An upload is a multipart form whose
CSRF token rides in the hidden field `csrf`, as every form's does (web/session.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from app.bootstrap import Services
from app.errors import BadInput, Conflict, Forbidden, NotFound
from app.identity.sessions import same_secret
from app.registry import roll_import, roll_views
from app.registry.roll_files import MAX_FILE_BYTES, RollFileError
from domain.registry.roll_changes import QUALIFICATION_RULES
from web.form_errors import by_field, field_errors
from web.i18n import text
from web.registry_problems import column_name, roll_problems
from web.render import language, page
from web.request_state import principal_of, session_of
from web.session import read_form

router = APIRouter(tags=["pages"])
BASE = "/operator/registry"
NOTICES = ("imported", "already", "saved", "unchanged")
SCHEDULES = ("created", "updated", "unavailable")


def _svc(request: Request) -> Services:
    return request.app.state.services


@router.get(BASE, summary="The registry: the districts this operator serves (page)")
async def registry_home(request: Request) -> Response:
    districts = await roll_views.served_districts(_svc(request), principal_of(request))
    if len(districts) == 1:
        return RedirectResponse(f"{BASE}/{districts[0].id}", status_code=303)
    return page(request, "registry_home.html", districts=districts)


async def district_page(request: Request, district: str, *, q: str = "", problems=None, banner: str | None = None,
                        status_code: int = 200) -> Response:
    svc, principal = _svc(request), principal_of(request)
    d = await roll_views.district_of(svc, principal, district)
    doctors = await roll_views.find_doctors(svc, principal, d.id, q)
    lang = language(request)
    notices = []
    notice = request.query_params.get("notice")
    if notice in NOTICES:
        counts = {k: request.query_params.get(k, "0") for k in ("added", "changed", "left")}
        counts = {k: v if v.isdigit() else "0" for k, v in counts.items()}
        notices.append(text(f"registry.notice.{notice}", lang, **counts) if notice == "imported"
                       else text(f"registry.notice.{notice}", lang))
    schedule = request.query_params.get("schedule")
    if schedule in SCHEDULES:
        notices.append(text(f"registry.notice.schedule_{schedule}", lang))
    return page(request, "registry.html", status_code=status_code, district=d, doctors=doctors, q=q,
                notices=notices, problems=problems or [], banner=banner, is_admin=bool(principal and principal.is_admin))


@router.get(BASE + "/{district}", summary="A district's doctors, with a search and the roll's upload (page)")
async def registry_district(request: Request, district: str, q: str = Query("", max_length=100)) -> Response:
    return await district_page(request, district, q=q)


def _csrf_ok(request: Request, sent: object) -> None:
    session = session_of(request)
    if session is None or not isinstance(sent, str) or not sent or not same_secret(sent, session.csrf):
        raise Forbidden("the form has expired or did not come from this service (CSRF); reload the page and try again")


@router.post(BASE + "/{district}/import", summary="Upload a roll (CSV or XLSX) to preview its changes (form)")
async def upload(request: Request, district: str) -> Response:
    svc, principal = _svc(request), principal_of(request)
    await roll_views.district_of(svc, principal, district)  # serves the district, before the body is read
    try:
        form = await request.form(max_files=1, max_fields=4, max_part_size=MAX_FILE_BYTES)
    except Exception:  # noqa: BLE001 - a malformed multipart body
        raise BadInput("file: not a form upload") from None
    try:
        _csrf_ok(request, form.get("csrf"))
        file = form.get("file")
        if isinstance(file, UploadFile) and file.filename:
            content, filename = await file.read(MAX_FILE_BYTES + 1), file.filename
        else:
            content, filename = None, None
    finally:
        await form.close()  # the spooled upload's temporary file
    lang = language(request)
    if content is None:
        return await district_page(request, district, banner=text("registry.file.missing", lang), status_code=422)
    try:
        staged = await roll_import.preview_roll(svc, principal, district, filename, content)
    except RollFileError as e:
        return await district_page(request, district, problems=roll_problems(e.problems, lang), status_code=422)
    return RedirectResponse(f"{BASE}/{staged.district}/import/{staged.token}", status_code=303)


@router.get(BASE + "/{district}/import/{token}", summary="The previewed changes of an uploaded roll (page)")
async def preview(request: Request, district: str, token: str) -> Response:
    lang = language(request)
    try:
        staged = await roll_import.staged_roll(_svc(request), principal_of(request), district, token)
    except NotFound:
        return await district_page(request, district, banner=text("registry.preview_expired", lang), status_code=404)
    if staged.state == "stored":
        return RedirectResponse(f"{BASE}/{staged.district}?notice=already", status_code=303)
    if staged.state == "stale":
        return await district_page(request, district, banner=text("registry.preview_stale", lang), status_code=409)
    return page(request, "registry_preview.html", staged=staged, plan=staged.plan,
                column=lambda c: column_name(c, language(request)))


@router.post(BASE + "/{district}/import/{token}/confirm", summary="Store exactly the previewed roll (form)")
async def confirm(request: Request, district: str, token: str) -> Response:
    await read_form(request)
    lang = language(request)
    try:
        stored = await roll_import.confirm_roll(_svc(request), principal_of(request), district, token)
    except NotFound:
        return await district_page(request, district, banner=text("registry.preview_expired", lang), status_code=404)
    except Conflict:
        return await district_page(request, district, banner=text("registry.preview_stale", lang), status_code=409)
    if stored.outcome is None:
        query = {"notice": "already", "schedule": stored.schedule}
    else:
        o = stored.outcome
        query = {"notice": "imported", "added": o.added, "changed": o.changed, "left": o.left, "schedule": stored.schedule}
    return RedirectResponse(f"{BASE}/{district}?{urlencode(query)}", status_code=303)


@router.get(BASE + "/{district}/export.{kind}", summary="The roll in the import's columns: CSV or XLSX (file)")
async def export(request: Request, district: str, kind: str) -> Response:
    name, media, content = await roll_views.export_roll(_svc(request), principal_of(request), district, kind)
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def doctor_page(request: Request, district: str, doctor: str, *, errors=None, typed=None,
                      status_code: int = 200) -> Response:
    record = await roll_views.doctor_record(_svc(request), principal_of(request), district, doctor)
    lang = language(request)
    notice = request.query_params.get("notice")
    return page(request, "registry_doctor.html", status_code=status_code, r=record, d=record.record,
                q=record.record.qualification, errors=errors or [], invalid=by_field(errors or []), typed=typed or {},
                saved=_saved(request), notice=text(f"registry.notice.{notice}", lang) if notice in NOTICES else None,
                column=lambda c: column_name(c, lang), editable=roll_views.EDITABLE)


@router.get(BASE + "/{district}/doctors/{doctor}", summary="A doctor's record and history (page)")
async def doctor(request: Request, district: str, doctor: str) -> Response:
    return await doctor_page(request, district, doctor)


@router.post(BASE + "/{district}/doctors/{doctor}", summary="An admin corrects a doctor's record (form)")
async def edit(request: Request, district: str, doctor: str) -> Response:
    fields = await read_form(request)
    typed = {k: v for k, v in fields.items() if k in roll_views.EDITABLE}
    try:
        edited = await roll_views.edit_doctor(_svc(request), principal_of(request), district, doctor, typed)
    except NotFound:
        raise
    except BadInput as e:
        return await doctor_page(request, district, doctor, errors=field_errors(e.message, language(request)),
                                 typed=typed, status_code=e.http_status)
    if not edited.changed:
        return RedirectResponse(f"{BASE}/{district}/doctors/{doctor}?notice=unchanged", status_code=303)
    query = {"notice": "saved", "fields": ",".join(edited.changed)}
    if edited.rules:
        query["qualified"] = f"{_yes(edited.qualified_before)}-{_yes(edited.qualified_after)}"
    return RedirectResponse(f"{BASE}/{district}/doctors/{doctor}?{urlencode(query)}", status_code=303)


def _yes(value: bool | None) -> str:
    return "yes" if value else "no"


def _saved(request: Request) -> dict | None:
    """What the correction just stored, from the redirect's query (checked: field names only)."""
    if request.query_params.get("notice") != "saved":
        return None
    fields = [f for f in request.query_params.get("fields", "").split(",") if f in roll_views.EDITABLE]
    qualified = request.query_params.get("qualified", "")
    before, _, after = qualified.partition("-")
    rules = list(QUALIFICATION_RULES) if {before, after} <= {"yes", "no"} and qualified else []
    return {"fields": fields, "rules": rules, "before": before, "after": after}
