"""R-SWAP-2: when a swap needs an operator's approval (a district policy setting).

`on_accept` (the default, the behaviour before R-SWAP-2): a swap takes effect when the receiver
accepts. `always`: every accepted swap waits for an operator. `within_hours`: only a swap whose
shift starts within `hours` of the acceptance waits — late changes are the risky ones.

Kept apart from domain/model.py's `Policy` (which carries it) so the decisions module
(domain/period/swap_approval.py) can use it without importing the whole model.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SwapApprovalPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Literal["on_accept", "always", "within_hours"] = "on_accept"
    hours: float | None = Field(None, gt=0, le=24 * 366)  # for `within_hours` only

    @model_validator(mode="after")
    def _hours_with_mode(self) -> SwapApprovalPolicy:
        if self.mode == "within_hours" and self.hours is None:
            raise ValueError("swap_approval.hours is required when swap_approval.mode is within_hours")
        if self.mode != "within_hours" and self.hours is not None:
            raise ValueError("swap_approval.hours is used only with swap_approval.mode within_hours")
        return self

    def needs_approval(self, shift_start: datetime, now: datetime) -> bool:
        """R-SWAP-2: whether a swap accepted at `now` waits for an operator. `within_hours`
        counts real elapsed hours (aware datetimes), so a DST night counts as it is long
        (R-TIME-1); a shift starting exactly `hours` from now waits."""
        if self.mode == "always":
            return True
        if self.mode == "within_hours":
            assert self.hours is not None
            # In UTC: Python subtracts two times of the same zone on the wall clock.
            return shift_start.astimezone(UTC) - now.astimezone(UTC) <= timedelta(hours=self.hours)
        return False
