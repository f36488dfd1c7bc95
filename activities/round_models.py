"""Contracts between the scheduled round starter and its activity (pure pydantic: importable by
workflows)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from domain.model import PeriodConfig, PeriodDates


class PlanRoundInput(BaseModel):
    district_id: str
    today: date  # the starter's clock (workflow.now()), Europe/Oslo date
    now: datetime | None = None  # the same moment in full (None from a starter older than this field)
    dates: PeriodDates | None = None  # a round to try by hand: these dates instead of the policy's


class StartRoundInput(BaseModel):
    """The period's workflow to start, with its whole input (workflows.messages.PeriodInput as
    a plain dict, so this module stays free of workflow imports)."""

    period_id: str
    period_input: dict


class RoundPlan(BaseModel):
    """The district's next round, built from the registry as of its start (minimised), or why
    there is none to start."""

    district_id: str
    period_id: str | None = None
    config: PeriodConfig | None = None
    invitation_at: datetime | None = None
    reason: str  # "due", or why nothing is started: "already started", "no such district" …
