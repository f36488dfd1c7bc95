"""Telling the doctors (R-PROC-6, reminders, results): the period's notices, sent by the mail
activity (activities/mail.py) one message per doctor and kind. The sent-log makes every message
go out once, so a retried activity, a restarted run or a continue-as-new never sends twice;
SMTP being down only delays them (Temporal retries). Only periods started with `notify` send:
never a simulation. Who gets what is decided in `domain.mail.notices`; the kinds already sent are
carried across continue-as-new (`CarriedState.notices`).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.model import Phase
    from domain.mail.notices import Notice, invitations, offering_reminders, reminder_times, results, wishes_reminders
    from workflows.mail import send_notices
    from workflows.period.runtime import PeriodRuntime


class NoticeSender:
    def __init__(self, runtime: PeriodRuntime) -> None:
        self.rt = runtime

    async def run(self) -> None:
        """Runs beside the main loop: the invitation at once, each reminder at its time (re-armed
        when an operator moves a deadline), the results at publication; ends when the round is
        finished or the run continues as new."""
        rt = self.rt
        sent = rt.carried.notices
        if "invitation" not in sent:
            await self._send("invitation", invitations(rt.state, rt.calendar))
        lead = timedelta(hours=rt.state.require_config().district.policy.reminder_hours_before)
        while not rt.continuing:
            now = rt.now()
            for kind, at in reminder_times(rt.state, lead).items():
                if kind in sent or at > now:
                    continue
                notices = self._due_reminders(kind)
                if notices is not None:
                    await self._send(kind, notices)
            if rt.state.phase is Phase.PUBLISHED and "results" not in sent:
                await self._send("results", results(rt.state, rt.calendar, now))
            if rt.state.finished:
                return
            upcoming = [t for k, t in reminder_times(rt.state, lead).items() if k not in sent and t > now]
            version = rt.state.version
            timeout = (min(upcoming) - now).total_seconds() if upcoming else None
            try:
                await workflow.wait_condition(
                    lambda: rt.state.version != version or rt.continuing,
                    timeout=timedelta(seconds=max(timeout, 0.001)) if timeout is not None else None,
                )
            except asyncio.TimeoutError:
                pass

    def _due_reminders(self, kind: str) -> list[Notice] | None:
        """The reminder's notices if its moment is still useful; else mark it passed (None)."""
        rt = self.rt
        state = rt.state
        if kind == "reminder-wishes" and state.phase is Phase.MEETING and not state.meeting_open:
            if rt.now() < state.require_config().period.wishes_due:
                return wishes_reminders(state, rt.calendar)
        if kind == "reminder-offering" and state.phase is Phase.OFFERING:
            return offering_reminders(state, rt.calendar)
        if kind == "reminder-wishes" and (state.phase is not Phase.MEETING or state.meeting_open):
            rt.carried.notices.append(kind)  # the deadline is behind us: nothing to remind of
        if kind == "reminder-offering" and state.phase not in (Phase.MEETING, Phase.OFFERING):
            rt.carried.notices.append(kind)
        return None

    async def _send(self, kind: str, notices: list[Notice]) -> None:
        rt = self.rt
        rt.notifying += 1
        try:
            await send_notices(rt.state.require_config(), notices)
        finally:
            rt.notifying -= 1
        rt.carried.notices.append(kind)
