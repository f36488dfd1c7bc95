"""Telling the doctors (R-PROC-6, reminders, results): the period's notices, sent by the mail
activity (activities/mail.py) one message per doctor and kind. The sent-log makes every message
go out once, so a retried activity, a restarted run or a continue-as-new never sends twice;
SMTP being down only delays them (Temporal retries). Only periods started with `notify` send:
never a simulation. Who gets what is decided in `domain.mail.notices`.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.model import Phase
    from domain.mail.notices import invitations, offering_reminders, reminder_times, results, wishes_reminders
    from workflows.mail import send_notices
    from workflows.period_base import PeriodBase


class NoticeSender(PeriodBase):
    async def _notify(self) -> None:
        """Runs beside the main loop: the invitation at once, each reminder at its time (re-armed
        when an operator moves a deadline), the results at publication."""
        if "invitation" not in self._notices:
            await self._send("invitation", invitations(self._state, self._calendar))
        lead = timedelta(hours=self._state.require_config().district.policy.reminder_hours_before)
        while not self._continuing:
            now = self._now()
            for kind, at in reminder_times(self._state, lead).items():
                if kind in self._notices or at > now:
                    continue
                notices = self._due_reminders(kind)
                if notices is not None:
                    await self._send(kind, notices)
            if self._state.phase is Phase.PUBLISHED and "results" not in self._notices:
                await self._send("results", results(self._state, self._calendar, now))
            if self._state.finished:
                return
            upcoming = [t for k, t in reminder_times(self._state, lead).items() if k not in self._notices and t > now]
            version = self._state.version
            timeout = (min(upcoming) - now).total_seconds() if upcoming else None
            try:
                await workflow.wait_condition(
                    lambda: self._state.version != version or self._continuing,
                    timeout=timedelta(seconds=max(timeout, 0.001)) if timeout is not None else None,
                )
            except asyncio.TimeoutError:
                pass

    def _due_reminders(self, kind: str):
        """The reminder's notices if its moment is still useful; else mark it passed (None)."""
        state = self._state
        if kind == "reminder-wishes" and state.phase is Phase.MEETING and not state.meeting_open:
            if self._now() < state.require_config().period.wishes_due:
                return wishes_reminders(state, self._calendar)
        if kind == "reminder-offering" and state.phase is Phase.OFFERING:
            return offering_reminders(state, self._calendar)
        if kind == "reminder-wishes" and (state.phase is not Phase.MEETING or state.meeting_open):
            self._notices.append(kind)  # the deadline is behind us: nothing to remind of
        if kind == "reminder-offering" and state.phase not in (Phase.MEETING, Phase.OFFERING):
            self._notices.append(kind)
        return None

    async def _send(self, kind: str, notices) -> None:
        self._notifying += 1
        try:
            await send_notices(self._state.require_config(), notices)
        finally:
            self._notifying -= 1
        self._notices.append(kind)
