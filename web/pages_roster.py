"""The operator's roster of one round: a month calendar and a day's table of who holds what, by
name, filtered by station, kind and doctor (plain GET forms and links: no script needed);
uncovered and unsafe shifts (R-QUAL-3) marked; drawn shifts marked with their draw's number,
which links to the draw and from there to the doctor's explanation. Parse, call app/, render.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.roster import views
from domain.period.ledger import station_of
from web import roster_words as words
from web import shift_names
from web.render import language, page
from web.request_state import principal_of

router = APIRouter(tags=["pages"])


def _svc(request: Request):
    return request.app.state.services


def _day(value: str | None, start: date, end: date) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is not None and start <= day <= end else None


@router.get("/operator/periods/{period}/roster", summary="The round's roster: a month calendar and a day (page)")
async def roster_page(request: Request, period: str, month: str | None = None, day: str | None = None,
                      station: str | None = None, kind: str | None = None, doctor: str | None = None) -> Response:
    lang = language(request)
    roster = await views.round_roster(_svc(request), principal_of(request), period)
    entries = roster.source.entries
    filters, choices = words.filters_of(entries, roster.names, station, kind, doctor)
    all_months = words.months(roster.start, roster.end)
    chosen_day = _day(day, roster.start, roster.end)
    shown = words.month_of(month or (chosen_day.isoformat()[:7] if chosen_day else None), all_months)
    at = all_months.index(shown)
    kept = words.by_day(entries, filters, shown)
    day_entries = words.by_day(entries, filters).get(chosen_day, []) if chosen_day else []

    def link(**change: str | None) -> str:
        query = {**filters.query(), "month": shown, **{k: v for k, v in change.items()}}
        return "?" + urlencode({k: v for k, v in query.items() if v})

    return page(
        request, "roster.html", period=roster.period, roster=roster, filters=filters,
        choices=choices, month=shown, month_title=shift_names.month_title(shown, lang), weeks=words.weeks(shown),
        kept=kept, counts=words.counts(e for es in kept.values() for e in es), all_counts=words.counts(entries),
        prev_month=all_months[at - 1] if at > 0 else None, next_month=all_months[at + 1] if at + 1 < len(all_months) else None,
        months=all_months, month_name=lambda m: shift_names.month_title(m, lang), day=chosen_day, day_entries=day_entries, link=link, w=words,
        export_query=urlencode(filters.query()),
    )


@router.get("/operator/periods/{period}/draws/{number}", summary="One lottery draw, explained (page)")
async def draw_page(request: Request, period: str, number: int) -> Response:
    roster, drawn = await views.draw(_svc(request), principal_of(request), period, number)
    config = roster.source.state.require_config()
    ids = sorted(d.id for d in config.doctors)
    shift = roster.source.calendar.by_id[drawn.shift]
    entry = next((e for e in roster.source.entries if e.shift.id == drawn.shift), None)
    station, kind = station_of(shift.name)
    lang = language(request)
    name = shift_names.shift_name(kind, shift.start, shift.end, lang, place=words.station_name(station, lang) or None)
    tied = [roster.name(d) for d in drawn.tied.ids(ids)]
    passed = [{"rule": p.rule, "why": p.why, "names": [roster.name(d) for d in p.doctors.ids(ids)]} for p in drawn.passed]
    return page(request, "roster_draw.html", period=roster.period, roster=roster, drawn=drawn, shift_name_text=name,
                pool=len(drawn.pool), tied=tied,
                passed=passed, levels=[(lv.deficit, len(lv.doctors)) for lv in drawn.levels], entry=entry)


@router.get("/operator/periods/{period}/doctors/{doctor}/explain", summary="Why a doctor holds what they hold (page)")
async def explain_page(request: Request, period: str, doctor: str) -> Response:
    svc, principal = _svc(request), principal_of(request)
    roster = await views.round_roster(svc, principal, period)
    explanation = await views.explain(svc, principal, period, doctor)
    return page(request, "roster_explain.html", period=roster.period, roster=roster, doctor=doctor,
                explanation=explanation)
