"""The operator's downloads of one round (web/exports): the roster as CSV, Excel (a sheet per
month and one per doctor), PDF (A4, a month per page) and iCalendar, filtered like the roster
page (station, kind, doctor); the fairness ledger and the payroll as CSV and Excel. Parse, call
app/, render: the files are in the page's language (`?lang=`, else the remembered one)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.roster import views
from domain.clock import oslo_now
from domain.period.ledger import sort_standings
from web import roster_words as words
from web import shift_names
from web.exports import files, xlsx
from web.exports.ics import roster_ics
from web.exports.pdf import roster_pdf
from web.exports.tables import RosterRows, fairness_table, payroll_table, roster_header, roster_table
from web.i18n import text
from web.render import language
from web.request_state import principal_of

router = APIRouter(tags=["exports"])
TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "ics": "text/calendar; charset=utf-8",
}


def _svc(request: Request):
    return request.app.state.services


def _file(body: bytes, name: str, kind: str) -> Response:
    return Response(body, media_type=TYPES[kind], headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'})


async def _roster(request: Request, period: str, station: str | None, kind: str | None, doctor: str | None):
    roster = await views.round_roster(_svc(request), principal_of(request), period)
    filters, _ = words.filters_of(roster.source.entries, roster.names, station, kind, doctor)
    return roster, [e for e in roster.source.entries if filters.keep(e)]


@router.get("/operator/periods/{period}/roster.csv", summary="The roster as CSV (download)")
async def roster_csv(request: Request, period: str, station: str | None = None, kind: str | None = None,
                     doctor: str | None = None) -> Response:
    lang = language(request)
    roster, entries = await _roster(request, period, station, kind, doctor)
    return _file(files.csv_bytes(roster_table(roster, entries, lang), lang), f"{roster.period}-vaktliste", "csv")


def _workbook(roster, entries, lang: str) -> bytes:
    """A sheet per month, then a sheet per doctor (by name) with their shifts: each row written
    once and shared by its month's sheet and its doctor's."""
    stations = any(e.station for e in entries)
    header = xlsx.row_xml(roster_header(lang, stations), header=True)
    rows = RosterRows(roster, lang, stations)
    months: dict[str, list[str]] = {}
    doctors: dict[str, list[str]] = {}
    for e in entries:
        row = xlsx.row_xml(rows.row(e))
        months.setdefault(e.shift.day.isoformat()[:7], [header]).append(row)
        if e.doctor:
            doctors.setdefault(e.doctor, [header]).append(row)
    sheets = [(shift_names.month_title(m, lang), xlsx.Rows(xml)) for m, xml in months.items()]
    sheets += [(roster.name(d), xlsx.Rows(doctors[d])) for d in sorted(doctors, key=lambda d: (roster.name(d).casefold(), d))]
    return files.workbook_bytes(sheets)


@router.get("/operator/periods/{period}/roster.xlsx", summary="The roster as an Excel workbook (download)")
async def roster_xlsx(request: Request, period: str, station: str | None = None, kind: str | None = None,
                      doctor: str | None = None) -> Response:
    lang = language(request)
    roster, entries = await _roster(request, period, station, kind, doctor)
    body = await asyncio.to_thread(_workbook, roster, entries, lang)
    return _file(body, f"{roster.period}-vaktliste", "xlsx")


@router.get("/operator/periods/{period}/roster.pdf", summary="The roster as a printable PDF, a month per page (download)")
async def roster_pdf_file(request: Request, period: str, station: str | None = None, kind: str | None = None,
                          doctor: str | None = None) -> Response:
    lang = language(request)
    roster, entries = await _roster(request, period, station, kind, doctor)
    made = oslo_now(_svc(request).clock).date()
    body = await asyncio.to_thread(roster_pdf, roster, entries, lang, made)
    return _file(body, f"{roster.period}-vaktliste", "pdf")


@router.get("/operator/periods/{period}/roster.ics", summary="The whole roster as an iCalendar file (download)")
async def roster_calendar(request: Request, period: str, station: str | None = None, kind: str | None = None,
                          doctor: str | None = None) -> Response:
    lang = language(request)
    roster, entries = await _roster(request, period, station, kind, doctor)
    body = await asyncio.to_thread(roster_ics, roster, entries, lang, oslo_now(_svc(request).clock))
    return _file(body, f"{roster.period}-vaktliste", "ics")


async def _fairness(request: Request, period: str):
    roster, rows = await views.fairness(_svc(request), principal_of(request), period)
    return roster, fairness_table(roster, sort_standings(rows, "name", False, roster.names), language(request))


@router.get("/operator/periods/{period}/fairness.csv", summary="The fairness ledger as CSV (download)")
async def fairness_csv(request: Request, period: str) -> Response:
    roster, table = await _fairness(request, period)
    return _file(files.csv_bytes(table, language(request)), f"{roster.period}-rettferdighet", "csv")


@router.get("/operator/periods/{period}/fairness.xlsx", summary="The fairness ledger as an Excel workbook (download)")
async def fairness_xlsx(request: Request, period: str) -> Response:
    roster, table = await _fairness(request, period)
    body = files.workbook_bytes([(text("fairness.title", language(request)), table)])
    return _file(body, f"{roster.period}-rettferdighet", "xlsx")


async def _payroll(request: Request, period: str):
    roster, table = await views.payroll_of(_svc(request), principal_of(request), period)
    return roster, payroll_table(roster, table, language(request))


@router.get("/operator/periods/{period}/payroll.csv", summary="Worked shifts per doctor per month, with points, as CSV")
async def payroll_csv(request: Request, period: str) -> Response:
    roster, table = await _payroll(request, period)
    return _file(files.csv_bytes(table, language(request)), f"{roster.period}-lonn", "csv")


@router.get("/operator/periods/{period}/payroll.xlsx", summary="Worked shifts per doctor per month, with points, as Excel")
async def payroll_xlsx(request: Request, period: str) -> Response:
    roster, table = await _payroll(request, period)
    body = files.workbook_bytes([(text("payroll.title", language(request)), table)])
    return _file(body, f"{roster.period}-lonn", "xlsx")
