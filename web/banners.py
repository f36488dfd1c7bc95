"""Success banners after a redirect: the query string carries a code from a fixed set, never
text; the page says it in its own language (web/i18n_edge.py). An unknown code shows nothing,
so a crafted link cannot put words in the service's mouth."""

from __future__ import annotations

import re

from web.i18n import text

NOTICES = {"extended": "notice_extended", "closed": "notice_closed", "cancelled": "notice_cancelled",
           "granted": "notice_granted", "refused": "notice_refused", "restarted": "notice_restarted",
           "paused": "notice_paused", "resumed": "notice_resumed", "started": "notice_started",
           "not_started": "notice_not_started", "swap_carried_out": "notice_swap_carried_out"}
_SHIFT = re.compile(r"\d{4}-\d{2}-\d{2}/[A-Za-z0-9][A-Za-z0-9_-]{0,40}")


def notice_text(code: str | None, lang: str, request_id: int | None = None) -> str | None:
    """The operator's banner for a code (`granted` with the request's number); None for any other."""
    key = NOTICES.get(code or "")
    if key is None:
        return None
    said = text(key, lang)
    return f"{said}: #{request_id}" if code in ("granted", "refused") and request_id is not None else said


def done_shift(value: str | None) -> str | None:
    """The doctor's banner names the shift just taken: shown only when it is a shift id."""
    return value if value and _SHIFT.fullmatch(value) else None
