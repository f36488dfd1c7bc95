"""The allocation meeting for the clinic: a desk where an operator enters the picks that GPs call
out in the room (and the staff doctors' shifts before it), and a view for the room's screen.

The desk is keyboard-first: doctor (by name), then shift (from the filtered list), Enter. Each
entry is checked by the rulebook at once; a refusal is shown by the form with its rule and the
doctor stays chosen; an accepted entry redirects back (post-redirect-get) with the doctor kept for
the next pick. Every entry is recorded as `operator:<id> for doctor:<id>`. Parse, call, render."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from app.bootstrap import Services
from app.errors import BadInput, Refused
from app.periods import doctor_actions
from app.reads import meeting_views
from web import shift_names as names
from web.banners import done_shift
from web.form_errors import field_errors
from web.i18n import has, text
from web.render import language, page
from web.request_state import principal_of
from web.session import read_form

router = APIRouter(tags=["pages"])
VERBS = ("staff", "wish", "pick", "claim")


def _svc(request: Request) -> Services:
    return request.app.state.services


def _verb_for(view: meeting_views.MeetingView) -> str:
    """What an entry is in this phase: staff shifts and wishes before the meeting opens, picks
    at it, claims in the offering."""
    if view.phase == "offering":
        return "claim"
    return "pick" if view.meeting_open else "wish"


async def _desk(request: Request, period: str, *, doctor: str | None = None, kind: str | None = None,
                done: str | None = None, refusal: dict | None = None, at_least: int = 0,
                status_code: int = 200, chosen_verb: str | None = None) -> Response:
    lang = language(request)
    view = await meeting_views.meeting_view(_svc(request), principal_of(request), period, kind=kind,
                                            at_least=at_least, done=done)
    place = view.district_name
    done_name = names.shift_name(view.done.name, view.done.start, view.done.end, lang, place) if view.done else None
    return page(
        request, "meeting.html", status_code=status_code, v=view, doctor=doctor if doctor in view.names else None,
        kind=kind if kind in view.kinds else None, verb=chosen_verb or _verb_for(view), verbs=VERBS, refusal=refusal,
        done=done, done_name=done_name, shift_label=lambda s: names.shift_name(s.name, s.start, s.end, lang, place),
        week_heading=lambda w: names.week_heading(w.week, w.first, w.last, lang),
        kind_word=lambda k: names.kind_word(k, lang),
    )


@router.get("/operator/periods/{period}/meeting", summary="The allocation meeting's desk: enter picks for doctors (page)")
async def meeting_desk(request: Request, period: str, doctor: str | None = None, kind: str | None = None,
                       done: str | None = None, v: int = Query(0, ge=0)) -> Response:
    return await _desk(request, period, doctor=doctor, kind=kind, done=done_shift(done), at_least=v)


@router.post("/operator/periods/{period}/meeting", summary="Enter a doctor's pick, wish, claim or staff shift (form)")
async def enter(request: Request, period: str) -> Response:
    fields = await read_form(request)
    doctor, shift, kind = fields.get("doctor", ""), fields.get("shift", ""), fields.get("kind") or None
    verb = fields.get("verb", "")
    lang = language(request)
    try:
        if verb not in VERBS:
            raise BadInput("verb: one of staff, wish, pick, claim")
        if not doctor:
            raise BadInput("doctor: Field required")
        if not shift:
            raise BadInput("shift: Field required")
        outcome = await doctor_actions.act_for_doctor(_svc(request), principal_of(request), period, verb, shift, doctor)
    except BadInput as e:
        said = " ".join(f.message for f in field_errors(e.message, lang))
        return await _desk(request, period, doctor=doctor, kind=kind, status_code=e.http_status, chosen_verb=verb,
                           refusal={"said": said})
    except Refused as e:
        code = e.code if has(f"refusal.{e.code}") else "other"
        return await _desk(request, period, doctor=doctor, kind=kind, status_code=409, chosen_verb=verb,
                           refusal={"rule": e.rule, "said": text(f"refusal.{code}", lang)})
    if not outcome.accepted:
        code = outcome.code if outcome.code and has(f"refusal.{outcome.code}") else "other"
        return await _desk(request, period, doctor=doctor, kind=kind, status_code=409, chosen_verb=verb,
                           refusal={"rule": outcome.rule, "said": text(f"refusal.{code}", lang)})
    keep = {"doctor": doctor, "done": shift, "v": str(outcome.version or 0), **({"kind": kind} if kind else {})}
    return RedirectResponse(f"/operator/periods/{period}/meeting?{urlencode(keep)}", status_code=303)


@router.get("/operator/periods/{period}/projector", summary="The room's screen at the meeting: open shifts, who still needs how many (page)")
async def projector(request: Request, period: str) -> Response:
    lang = language(request)
    view = await meeting_views.meeting_view(_svc(request), principal_of(request), period)
    return page(request, "projector.html", v=view, week_heading=lambda w: names.week_heading(w.week, w.first, w.last, lang),
                kind_word=lambda k: names.kind_word(k, lang),
                day_label=lambda d: names.day_label(d, lang), short=lambda s: names.shift_short(s.name, s.start, s.end, lang))
