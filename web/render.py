"""Server-rendered pages (Jinja2, autoescaped: free text is always shown as the characters it
holds). The language comes from `?lang=nb|en`, remembered in a cookie; Norwegian by default."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse

from domain.model import OSLO_TZ
from domain.period import titles
from web import shift_names
from web.form_errors import field_errors
from web.idempotency import FORM_FIELD
from web.i18n import DEFAULT, LANGS, has, next_step, rule_title, text
from web.request_state import session_of

LANG_COOKIE = "vakt_lang"
_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"], default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(value: datetime | date | None, lang: str = DEFAULT) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return value.astimezone(OSLO_TZ).strftime("%d.%m.%Y %H:%M" if lang == "nb" else "%Y-%m-%d %H:%M")
    return value.strftime("%d.%m.%Y" if lang == "nb" else "%Y-%m-%d")


_env.filters["when"] = _when


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    stored = request.cookies.get(LANG_COOKIE)
    return stored if stored in LANGS else DEFAULT


def _form_keys(csrf: str) -> Markup:
    """The hidden fields every form sends: the session's CSRF token, and a new Idempotency-Key
    for each form shown (web/idempotency.py), so a form sent twice does one thing."""
    return Markup('<input type="hidden" name="csrf" value="{}"><input type="hidden" name="{}" value="{}">').format(
        csrf, FORM_FIELD, uuid.uuid4().hex)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    session = session_of(request)
    csrf = session.csrf if session else ""
    html = _env.get_template(template).render(
        form_keys=lambda: _form_keys(csrf),
        t=lambda key, **params: text(key, lang, **params), lang=lang, path=request.url.path,
        shift_name=lambda s: shift_names.shift_name(s.name, s.start, s.end, lang),
        moment=lambda v: titles.moment_text(v, lang) if v else "–",
        when_day=lambda v: titles.day_text(_day(v), lang) if v else "",
        period_title=lambda start, end: titles.period_title(_day(start), _day(end), lang),
        principal=session.principal if session else None, csrf=session.csrf if session else "",
        when=lambda v: _when(v, lang),
        rule_title=lambda rule: rule_title(rule, lang), next_step=lambda v: next_step(v, lang), **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=3600 * 24 * 365, samesite="lax", httponly=True)
    return response  # the security headers and no-store: web.edge, on every answer


def fragment(template: str, **context: Any) -> str:
    """A part of a page rendered on its own (autoescaped like a page), for a page to keep."""
    return _env.get_template(template).render(**context)


def sign_in_page(
    request: Request, status_code: int = 200, message: str | None = None, error: str | None = None,
    next_path: str = "/",
) -> HTMLResponse:
    """`next_path` (already safe: web/next_path.py) rides along in the form and the provider's link."""
    settings = request.app.state.services.web_settings.oidc
    # With a provider configured, only doctors may still use links, and only when allowed.
    links = settings is None or settings.allow_doctor_links
    return page(request, "sign_in.html", status_code=status_code, message=message, error=error,
                oidc=settings is not None, links=links, next_path=next_path)


def error_page(
    request: Request, status_code: int, message: str, rule: str | None = None, *, localized: bool = False
) -> HTMLResponse:
    """An error as a page in the page's language: what happened, in words (`error.<status>`), and
    the detail. The service's own detail (English: the API's words) is shown on English pages; a
    Norwegian page names the field or the rule in Norwegian instead."""
    lang = language(request)
    headline = text(f"error.{status_code}", lang) if has(f"error.{status_code}") else text("error", lang)
    if localized or lang == "en":
        detail = message
    elif rule:
        detail = text("error.rule", lang, title=rule_title(rule, lang) or rule)
    else:
        detail = " ".join(e.message for e in field_errors(message, lang)) if ": " in (message or "") else None
    return page(request, "error.html", status_code=status_code, headline=headline, message=detail, rule=rule)


def refusal_page(request: Request, status_code: int, key: str) -> HTMLResponse:
    """The edge's refusals (413, 403 cross-site, 429) as a page in the page's language."""
    return error_page(request, status_code, text(key, language(request)), localized=True)
