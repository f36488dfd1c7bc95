"""The operator's steering forms: extend a deadline, close a phase, cancel a round, apply a
restart, and pause, resume or run a district's schedule.

What cannot be undone (close, cancel, a restart) is asked first: the form posts to the same
address, which answers with a page saying what will happen ("Trekningen fordeler 592 ledige vakter
og publiserer vaktlisten") and a button that posts again with `confirmed=yes`. No script is
needed, and a reload of the question changes nothing. Parse, call app/, render."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.bootstrap import Services
from app.errors import BadInput, Refused
from app.reads import operator_views
from web.pages_operator import operator_round
from web.form_errors import field_errors
from web.render import language, page
from web.request_state import principal_of
from web.session import read_form

router = APIRouter(tags=["pages"])


def _svc(request: Request) -> Services:
    return request.app.state.services


async def _steer(request: Request, period: str, step: Callable[[], Awaitable[object]], done: str) -> Response:
    try:
        result = await step()
    except Refused as e:
        return await operator_round(request, period, error=e.reason, rule=e.rule, status_code=409)
    except BadInput as e:
        return await _bad_input(request, period, e)
    version = getattr(result, "version", 0)
    return RedirectResponse(f"/operator/periods/{period}?notice={done}&v={version}", status_code=303)


async def _bad_input(request: Request, period: str, e: BadInput) -> Response:
    """The round page again, the field named in the page's language."""
    said = " ".join(f.message for f in field_errors(e.message, language(request)))
    return await operator_round(request, period, error=said, status_code=e.http_status)


def _until(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadInput("until: not a date and time (YYYY-MM-DDTHH:MM)") from None


def _reason(fields: dict[str, str]) -> str:
    reason = (fields.get("reason") or "").strip()
    if not reason:
        raise BadInput("reason: Field required")
    return reason


async def _consequence(request: Request, period: str, action: str) -> dict[str, str | int]:
    """What the action will do, from the round as it stands (the catalogue's `confirm.<action>…`)."""
    d = await operator_views.round_detail(_svc(request), principal_of(request), period)
    coverage = d.coverage
    counts = {"open": coverage.open if coverage else 0, "covered": coverage.covered if coverage else 0,
              "total": coverage.total if coverage else 0}
    if action == "close":
        return {"key": f"confirm.close_{d.phase}", **counts}
    if action == "restart":
        plan = await operator_views.restart_plan(_svc(request), principal_of(request), period)
        return {"key": f"confirm.restart_{plan.action}", "event": plan.reset_to_event or 0,
                "events": plan.stored_events, **counts}
    return {"key": "confirm.cancel", **counts}


async def _confirmed(request: Request, period: str, action: str, fields: dict[str, str],
                     step: Callable[[str], Awaitable[object]], done: str) -> Response:
    try:
        reason = _reason(fields)
    except BadInput as e:
        return await _bad_input(request, period, e)
    if fields.get("confirmed") != "yes":
        said = await _consequence(request, period, action)
        return page(request, "steer_confirm.html", period=period, action=action, reason=reason, said=said)
    return await _steer(request, period, lambda: step(reason), done)


@router.post("/operator/periods/{period}/extend", summary="Extend the deadline with a reason (form)")
async def extend(request: Request, period: str) -> Response:
    fields = await read_form(request)
    svc, principal = _svc(request), principal_of(request)
    return await _steer(request, period, lambda: operator_views.extend(
        svc, principal, period, _until(fields.get("until", "")), fields.get("reason", "")), "extended")


@router.post("/operator/periods/{period}/close", summary="Close the current phase with a reason, once confirmed (form)")
async def close(request: Request, period: str) -> Response:
    fields = await read_form(request)
    svc, principal = _svc(request), principal_of(request)
    return await _confirmed(request, period, "close", fields,
                            lambda reason: operator_views.close(svc, principal, period, reason), "closed")


@router.post("/operator/periods/{period}/cancel", summary="Cancel the round with a reason, once confirmed (form)")
async def cancel(request: Request, period: str) -> Response:
    fields = await read_form(request)
    svc, principal = _svc(request), principal_of(request)
    return await _confirmed(request, period, "cancel", fields,
                            lambda reason: operator_views.cancel(svc, principal, period, reason), "cancelled")


@router.post("/operator/periods/{period}/restart", summary="Carry out the restart plan with a reason, once confirmed (form)")
async def restart(request: Request, period: str) -> Response:
    fields = await read_form(request)
    svc, principal = _svc(request), principal_of(request)

    async def apply(reason: str) -> object:
        plan, _ = await operator_views.restart_apply(svc, principal, period, reason)
        return plan

    return await _confirmed(request, period, "restart", fields, apply, "restarted")


@router.post("/operator/schedules/{district}/{verb}", summary="Pause, resume or run a district's schedule now (form)")
async def schedule(request: Request, district: str, verb: str) -> Response:
    fields = await read_form(request)
    svc, principal = _svc(request), principal_of(request)
    if verb == "pause":
        await operator_views.pause_schedule(svc, principal, district, _reason(fields))
        return RedirectResponse("/operator?notice=paused#schedules", status_code=303)
    if verb == "resume":
        await operator_views.resume_schedule(svc, principal, district)
        return RedirectResponse("/operator?notice=resumed#schedules", status_code=303)
    if verb == "trigger":
        result = await operator_views.trigger_schedule(svc, principal, district)
        code = "started" if result.outcome == "started" else "not_started"
        return RedirectResponse(f"/operator?notice={code}#schedules", status_code=303)
    raise BadInput("verb: one of pause, resume, trigger")
