"""One shift as a message states it (domain/mail/facts.py, domain/mail/vacancy_facts.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import AwareDatetime, field_validator, model_validator

from domain.model import Frozen, ShiftKind


class ShiftFact(Frozen):
    """One of the doctor's shifts. Start and end are kept in UTC, as `domain.model.Shift` does:
    two datetimes sharing the Oslo tzinfo subtract as wall-clock, which would make the spring
    DST night 9 hours instead of 8 (R-TIME-1)."""

    shift_id: str  # "DATE/NAME", stable within the period (the calendar UID uses it)
    name: str
    kind: ShiftKind
    start: AwareDatetime
    end: AwareDatetime

    @field_validator("start", "end")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _ordered(self) -> ShiftFact:
        if self.end <= self.start:
            raise ValueError("a shift ends after it starts")
        return self

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600
