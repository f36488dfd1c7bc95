"""The operator's fairness pages of one round: the ledger per doctor (sortable by links, so it
works without script), the deviation chart (server-drawn SVG) with its text table, the same
across the district's rounds, the payroll, and the lottery's check with each draw one click away.
Parse, call app/, render."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.roster import views
from domain.period.ledger import COLUMNS, sort_standings
from web import roster_words as words
from web import shift_names
from web.fairness_chart import deviation_chart
from web.render import language, page
from web.request_state import principal_of

router = APIRouter(tags=["pages"])
SORTS = ("name", *COLUMNS)


def _svc(request: Request):
    return request.app.state.services


def _sort(sort: str | None, direction: str | None) -> tuple[str, bool]:
    return (sort if sort in SORTS else "name"), direction == "desc"


def signed(value: float) -> str:
    return f"{value:+g}" if value else "0"


def _cells(r) -> list[str]:
    """A ledger line's numbers as shown: signed where a sign means above or below."""
    return [str(r.quota), str(r.staff), str(r.picks), str(r.claims), str(r.drawn), str(r.swaps_in),
            str(r.swaps_out), str(r.worked), f"{r.points:g}", signed(r.deviation) if r.quota > 0 else "–",
            signed(r.carried), signed(r.balance)]


@router.get("/operator/periods/{period}/fairness", summary="The round's fairness ledger and deviation chart (page)")
async def fairness_page(request: Request, period: str, sort: str | None = None, dir: str | None = None) -> Response:
    roster, rows = await views.fairness(_svc(request), principal_of(request), period)
    key, descending = _sort(sort, dir)
    ordered = sort_standings(rows, key, descending, roster.names)
    duty = [r for r in rows if r.quota > 0]
    charted = sorted(duty, key=lambda r: (r.deviation, roster.name(r.doctor).casefold()))
    chart = deviation_chart([(roster.name(r.doctor), r.deviation) for r in charted])
    draws: dict[str, list[int]] = {}
    for number, drawn in sorted(roster.source.draws.items()):
        draws.setdefault(drawn.doctor, []).append(number)
    deviations = [r.deviation for r in duty]

    def sort_link(column: str) -> str:
        flip = "asc" if column != key or descending else "desc"
        return "?" + urlencode({"sort": column, "dir": flip})

    lines = [(r.doctor, roster.name(r.doctor), _cells(r), draws.get(r.doctor, ())) for r in ordered]
    cap, over = views.over_cap_of(roster)
    lang = language(request)
    over_cap = [(doctor, roster.name(doctor), shift_names.day_label(date.fromisoformat(w["first"]), lang),
                 shift_names.day_label(date.fromisoformat(w["last"]), lang), w["shifts"],
                 [words.source_word(src, lang) for src in w["sources"]]) for doctor, w in over]
    return page(request, "fairness.html", period=roster.period, roster=roster, lines=lines, sort=key,
                cap=cap, over_cap=over_cap,
                descending=descending, sort_link=sort_link, columns=COLUMNS, chart=chart, charted=charted, draws=draws,
                spread=round(max(deviations) - min(deviations), 3) if deviations else 0.0,
                weighted=bool(roster.source.state.quota and roster.source.state.quota.weighted),
                phase=roster.source.state.phase.value)


@router.get("/operator/periods/{period}/fairness/history", summary="Fairness across the district's rounds (page)")
async def history_page(request: Request, period: str) -> Response:
    roster, rounds = await views.history(_svc(request), principal_of(request), period)
    doctors = sorted({d for r in rounds for d, s in r.standings.items() if s.quota > 0},
                     key=lambda d: (roster.name(d).casefold(), d))
    totals = {d: round(sum(r.standings[d].deviation for r in rounds if d in r.standings and r.standings[d].quota > 0), 3)
              for d in doctors}
    spreads = []
    running: dict[str, float] = {}
    for r in rounds:
        for d, s in r.standings.items():
            if s.quota > 0:
                running[d] = running.get(d, 0.0) + s.deviation
        spreads.append(round(max(running.values()) - min(running.values()), 3) if running else 0.0)
    return page(request, "fairness_history.html", period=roster.period, roster=roster, rounds=rounds,
                doctors=doctors, totals=totals, spreads=spreads)


@router.get("/operator/periods/{period}/payroll", summary="Worked shifts per doctor per month, with points (page)")
async def payroll_page(request: Request, period: str) -> Response:
    roster, table = await views.payroll_of(_svc(request), principal_of(request), period)
    lang = language(request)
    months = sorted({m for per in table.values() for m in per})
    doctors = sorted(table, key=lambda d: (roster.name(d).casefold(), d))
    return page(request, "payroll.html", period=roster.period, roster=roster, table=table, months=months,
                doctors=doctors, month_name=lambda m: shift_names.month_title(m, lang))


@router.get("/operator/periods/{period}/verify", summary="The lottery recomputed from the stored events (page)")
async def verify_page(request: Request, period: str) -> Response:
    svc, principal = _svc(request), principal_of(request)
    roster = await views.round_roster(svc, principal, period)
    result = await views.verify(svc, principal, period)
    lang = language(request)
    by_id = {e.shift.id: e for e in roster.source.entries}
    draws = [(n, d, words.shift_full(by_id[d.shift], lang)) for n, d in sorted(roster.source.draws.items())]
    return page(request, "verify.html", period=roster.period, roster=roster, result=result, draws=draws)
