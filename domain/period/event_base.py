"""The base of every domain event (domain/period/events.py, swap_events.py, vacancy_events.py)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
