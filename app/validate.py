"""Checks of what people type, shared by every entry point. A bad value raises `BadInput`
naming the field and the problem — never echoing the value, which may be huge, personal, or
full of terminal escape codes (domain/limits.py has the limits)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from functools import cache

from app.errors import BadInput
from domain.limits import MAX_ID_LENGTH, MAX_NAME_LENGTH, MAX_SHIFT_ID_LENGTH, MAX_TEXT_LENGTH
from domain.model import OSLO_TZ

# Also the OpenAPI document's patterns (web/openapi.py), so clients see the same rule.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
SHIFT_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}/[A-Za-z0-9][A-Za-z0-9_-]*$"
SWAP_PATTERN = r"^[A-Za-z0-9-]*[A-Za-z0-9][A-Za-z0-9-]*$"
MONTH_PATTERN = r"^[0-9]{4}-[0-9]{2}$"
_ID = re.compile(ID_PATTERN)
_SHIFT = re.compile(SHIFT_PATTERN)


@cache
def _control_class() -> str:
    """A regex class of every control and format character (Unicode Cc, Cf): what free text may
    not hold (`_no_control`), for the OpenAPI document's patterns. Built once, when first asked
    (a walk over all of Unicode: not at every command's start)."""
    points = [c for c in range(0x110000) if unicodedata.category(chr(c)) in ("Cc", "Cf")]
    ranges, start = [], points[0]
    for before, here in zip(points, points[1:] + [None]):
        if here != before + 1:
            ranges.append((start, before))
            start = here

    def char(c: int) -> str:
        return f"\\u{c:04x}" if c <= 0xFFFF else chr(c)
    return "".join(char(a) if a == b else f"{char(a)}-{char(b)}" for a, b in ranges)


def text_pattern(also_not: str = "") -> str:
    """Free text as `free_text` takes it: no control characters (nor `also_not`), and something
    besides white space. A registry entry's note passes `|`, which separates entries."""
    bad = _control_class() + also_not
    return f"^[^{bad}]*[^\\s{bad}][^{bad}]*$"


def _identifier(value: str, field: str, pattern: re.Pattern[str], limit: int, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise BadInput(f"{field}: missing")
    if len(value) > limit:
        raise BadInput(f"{field}: longer than {limit} characters")
    if not pattern.fullmatch(value):
        raise BadInput(f"{field}: not {what}")
    return value


def period_id(value: str, field: str = "PERIOD") -> str:
    return _identifier(value, field, _ID, MAX_ID_LENGTH, "an id (letters, digits and _ . : - only)")


def district_id(value: str, field: str = "DISTRICT") -> str:
    return _identifier(value, field, _ID, MAX_ID_LENGTH, "a district id (letters, digits and _ . : - only)")


def doctor_id(value: str, field: str = "DOCTOR") -> str:
    return _identifier(value, field, _ID, MAX_ID_LENGTH, "a doctor id (letters, digits and _ . : - only)")


def shift_id(value: str, field: str = "SHIFT") -> str:
    return _identifier(value, field, _SHIFT, MAX_SHIFT_ID_LENGTH, "a shift id (DATE/NAME, e.g. 2027-01-05/evening)")


def _no_control(value: str, field: str) -> None:
    # Terminal escapes and other control characters would reach every screen that prints the
    # text; markup such as "[bold]" is fine: it is always shown literally.
    if any(unicodedata.category(c) in ("Cc", "Cf") and c not in "\t" for c in value):
        raise BadInput(f"{field}: contains control characters (such as terminal escape codes)")


def free_text(value: str, field: str, limit: int = MAX_TEXT_LENGTH) -> str:
    """A reason or note: 1..limit characters, no control characters; kept as typed."""
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"{field}: missing")
    if len(value) > limit:
        raise BadInput(f"{field}: longer than {limit} characters")
    _no_control(value, field)
    return value.strip()


def person_name(value: str, field: str = "--operator") -> str:
    return free_text(value, field, min(MAX_NAME_LENGTH, 100))


def oslo_time(value: datetime) -> datetime:
    """A wall-clock time without an offset is Europe/Oslo (R-TIME-1)."""
    return value.replace(tzinfo=OSLO_TZ) if value.tzinfo is None else value.astimezone(OSLO_TZ)
