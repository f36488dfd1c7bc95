"""The doctor's board of one period, phone first: where they stand in one line, then the shifts
they can take now by ISO week, one button per shift. Parse, call app/, render.

An action keeps the doctor's place. Without JavaScript, POST /periods/{p}/act always answers
303 (post/redirect/get) to the board with the month and filters it was sent from and an anchor
to the shift's week, so a reload never re-posts; a refusal travels as a code, a rule ID and a
shift id, each shown only when it is one we know (web.banners' rule: a crafted link cannot put
words on the page). With JavaScript (web/static/board.js) the same POST asked for JSON answers
with the outcome in the page's language, and the row is updated in place.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from app.bootstrap import Services
from app.errors import Refused
from app.periods import doctor_actions
from app.reads import doctor_views, vacancy_views
from domain.clock import oslo_now
from domain.period.board_filters import KINDS
from domain.period.shifts import WEEKDAYS
from web.banners import done_shift
from web.board_rows import take_rows
from web.i18n import has, text
from web.render import language, page
from web.request_state import principal_of, session_of
from web.session import read_form
from web import shift_names as names

router = APIRouter(tags=["pages"])
_RULE = re.compile(r"R-[A-Z]+-\d{1,2}")
_MONTH = re.compile(r"\d{4}-\d{2}")


def _svc(request: Request) -> Services:
    return request.app.state.services


def _filters(month: str | None, kind: str | None, day: str | None) -> dict[str, str]:
    """The place on the board worth keeping across an action: only values we know."""
    kept = {}
    if month and _MONTH.fullmatch(month):
        kept["month"] = month
    if kind in KINDS:
        kept["kind"] = kind
    if day in WEEKDAYS:
        kept["day"] = day
    return kept


def refusal_shown(code: str | None, rule: str | None, shift: str | None) -> dict[str, str] | None:
    """A refusal from the query string, or None: a known code, a rule ID with a title, a shift id."""
    if not code or not has(f"refusal.{code}") or not rule or not _RULE.fullmatch(rule) or not has(f"rule.{rule}"):
        return None
    return {"code": code, "rule": rule, "shift": done_shift(shift) or ""}


@router.get("/periods/{period}", summary="A period as the doctor sees it (page)")
async def board_page(
    request: Request, period: str, month: str | None = None, v: int = 0, done: str | None = None,
    kind: str | None = None, day: str | None = None, refused: str | None = None, rule: str | None = None,
    shift: str | None = None,
) -> Response:
    refusal = refusal_shown(refused, rule, shift)
    return await _board(request, period, month=month, kind=kind, day=day, at_least=v, done=done_shift(done),
                        refusal=refusal)


@router.get("/periods/{period}/wishes", summary="The link in the invitation (page)")
async def wishes_page(request: Request, period: str) -> Response:
    return await _board(request, period)


async def _board(
    request: Request, period: str, *, month: str | None = None, kind: str | None = None, day: str | None = None,
    at_least: int = 0, done: str | None = None, refusal: dict[str, str] | None = None,
) -> Response:
    svc = _svc(request)
    about = done or (refusal or {}).get("shift") or None
    b = await doctor_views.board(svc, principal_of(request), period, month=month if month and _MONTH.fullmatch(month)
                                 else None, at_least=max(0, at_least), kind=kind, day=day, about=about)
    colleagues = await doctor_views.colleagues(svc, principal_of(request), period) if b.phase == "published" else []
    # R-VAC-2: vacant shifts this doctor may take come first on the published board.
    vacancies = await vacancy_views.for_doctor(svc, principal_of(request), period) if b.phase == "published" else None
    lang = language(request)
    place = b.district_name
    now = oslo_now(svc.clock)
    session = session_of(request)
    tr = lambda key, **params: text(key, lang, **params)  # noqa: E731 - as page() gives `t`
    name = lambda s: names.shift_name(s.name, s.start, s.end, lang, place)  # noqa: E731
    short = lambda s: names.shift_short(s.name, s.start, s.end, lang)  # noqa: E731
    when_at = lambda s: names.shift_when(s.start, lang, place)  # noqa: E731
    rows = take_rows(lang=lang, place=place, period=b.period, verb=b.verb, csrf=session.csrf if session else "",
                     keep=_filters(b.month, b.kind, b.day), name=name, short=short, when_at=when_at, t=tr,
                     weekly_cap=b.weekly_cap)
    return page(
        request, "board.html", b=b, colleagues=colleagues, vacancies=vacancies, done=done, refusal=refusal, place=place, take_rows=rows,
        standing=names.standing(len(b.held), b.quota, b.next_deadline, lang),
        outcome_week=_week_anchor(about) if about else None,
        updated=f"{now:%H:%M}", keep=_filters(b.month, b.kind, b.day), kinds=KINDS, weekdays=WEEKDAYS,
        name=name, bare=lambda s: names.shift_name(s.name, s.start, s.end, lang),  # where the place is said above
        short=short, when_at=when_at,
        day_label=lambda d: names.day_label(d, lang),
        week_heading=lambda w: names.week_heading(w.week, w.first, w.last, lang),
        month_title=lambda m: names.month_title(m, lang),
        tp=lambda key, **params: text(key, lang, **{k: str(v) for k, v in params.items()}),
        reason=lambda code: text(f"refusal.{code if has(f'refusal.{code}') else 'other'}", lang),
        query=lambda **extra: urlencode({**_filters(b.month, b.kind, b.day), **extra}),
    )


def _week_anchor(shift: str) -> str:
    year, week, _ = date.fromisoformat(shift[:10]).isocalendar()
    return f"uke-{year}-{week:02d}"


@router.post("/periods/{period}/act", summary="Wish, pick or claim one shift (form)")
async def act(request: Request, period: str) -> Response:
    fields = await read_form(request)
    shift = fields.get("shift", "")
    try:
        outcome = await doctor_actions.act_signed_in(
            _svc(request), principal_of(request), period, fields.get("verb", ""), shift
        )
        accepted, rule, code, version = outcome.accepted, outcome.rule, outcome.code, outcome.version
    except Refused as e:  # the round is over, the lottery is being drawn: the whole batch refused
        accepted, rule, code, version = False, e.rule, "phase_closed" if e.rule == "R-PROC-7" else "other", None
    code = code if code and has(f"refusal.{code}") else "other"
    keep = _filters(fields.get("month"), fields.get("kind"), fields.get("day"))
    valid = done_shift(shift)
    anchor = f"#{_week_anchor(valid)}" if valid else ""
    if "application/json" in request.headers.get("accept", ""):
        return await _json_answer(request, period, valid, accepted, rule, code, version)
    if accepted:
        target = {**keep, "v": str(version or 0), "done": shift}
    else:
        target = {**keep, "refused": code, "rule": rule or "R-PROC-7", "shift": valid or ""}
    return RedirectResponse(f"/periods/{period}?{urlencode(target)}{anchor}", status_code=303)


async def _json_answer(request: Request, period: str, shift: str | None, accepted: bool, rule: str | None,
                       code: str, version: int | None) -> JSONResponse:
    """For board.js: the outcome, said in the page's language (no other doctor in it); when
    taken, the standing line as it reads now (the board read waits for the new version)."""
    lang = language(request)
    if accepted:
        b = await doctor_views.board(_svc(request), principal_of(request), period, at_least=version or 0)
        line = names.standing(len(b.held), b.quota, b.next_deadline, lang)
        return JSONResponse({"accepted": True, "shift": shift, "version": version, "standing": line})
    said = text(f"refusal.{code}", lang)
    return JSONResponse({"accepted": False, "shift": shift, "code": code, "rule": rule, "reason": said},
                        status_code=409)
