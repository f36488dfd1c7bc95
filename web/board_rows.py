"""The board's rows of shifts a doctor can take, each rendered once and kept.

Why: a month of a large district is hundreds of rows, and the page is read by every doctor
again and again; rendering each row's dozen escaped values for every read was most of a board
page's cost. A row is the same for every doctor who can take the shift — it depends on the
shift, the page's language, the place named, the period and the action (wish, pick, claim) — but
for what is the reader's own: their session's CSRF token, the filters their page keeps, and a new
Idempotency-Key per form (web/idempotency.py).
So a row is rendered from its template (`_take_row.html`, where its markup stays) with marks in
their place, kept, and the marks are filled in per page.
"""

from __future__ import annotations

import itertools
import secrets
from collections import OrderedDict
from collections.abc import Callable

from markupsafe import Markup, escape

from web.idempotency import FORM_FIELD
from web.render import fragment

ROWS = 1 << 15  # rows kept per process: every shift of a large year in both languages, and then some
_CSRF = "\x00csrf\x00"  # marks no escaped value can contain (escaping leaves no NUL)
_KEEP = "\x00keep\x00"
_KEY = "\x00key\x00"  # each row's own Idempotency-Key (web/idempotency.py), new on every page
_rows: OrderedDict[tuple, tuple[str, str, str, str]] = OrderedDict()  # the row cut at its three marks


def take_rows(
    *, lang: str, place: str, period: str, verb: str | None, csrf: str, keep: dict[str, str],
    name: Callable, short: Callable, when_at: Callable, t: Callable, weekly_cap: int | None = None,
) -> Callable[[list], Markup]:
    """The page's `take_rows(options)`: the kept rows with this reader's token and filters."""
    token = str(escape(csrf))
    keep_fields = fragment("_keep_fields.html", keep=keep)
    # Each row's key: this page's random part and the row's number. One random draw per page,
    # not one per row (a month of eight stations has hundreds of rows; uuid4 was a tenth of it).
    page_key, numbers = secrets.token_hex(12), itertools.count()

    def take_row(option) -> str:
        # A row above the weekly cap (R-LOAD-3) says so: it is a row of its own.
        over = weekly_cap if getattr(option, "over_cap", False) else None
        key = (lang, place, period, verb, option.shift, over)
        parts = _rows.get(key)
        if parts is None:
            row = fragment("_take_row.html", o=option, period=period, verb=verb, name=name, short=short,
                           when_at=when_at, t=t, csrf=Markup(_CSRF), keep_fields=Markup(_KEEP),
                           key_field=FORM_FIELD, key=Markup(_KEY), over_cap=over).rstrip("\n")
            before, after = row.split(_CSRF)
            middle, after = after.split(_KEY)
            rest, end = after.split(_KEEP)
            parts = _rows[key] = (before, middle, rest, end)
            if len(_rows) > ROWS:
                _rows.popitem(last=False)
        return f"{parts[0]}{token}{parts[1]}{page_key}{next(numbers):x}{parts[2]}{keep_fields}{parts[3]}"

    def rows(options) -> Markup:  # one call per day's row of the page, not one per shift
        return Markup("\n        ".join(take_row(o) for o in options))

    return rows
