"""Europe/Oslo wall-clock as people read it (R-TIME-1)."""

from __future__ import annotations

from datetime import datetime

from domain.model import OSLO_TZ


def local_time(value: datetime | None, *, seconds: bool = False) -> str:
    """e.g. "2027-01-14 12:00" in Europe/Oslo; "—" for none."""
    if value is None:
        return "—"
    return value.astimezone(OSLO_TZ).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
