"""Telling the doctors about swaps after publication (R-SWAP-1): the named receiver of an offer,
the giver when it is accepted, declined or expires. Who gets what is decided in
`domain.mail.swap_notices`; this queues it when the swap's event is recorded and sends it.

Why a queue and a sender of its own: the period's other notices (workflows/period_notices.py)
end at publication, while swaps happen in the weeks after it (`_follow_through`). A notice is
decided in the update that records its event, from the state just before it (a closed offer
leaves the state), so it cannot be rebuilt later; the queue travels across continue-as-new and a
notice leaves it only once its `send_mail` activity has returned. The sent-log, keyed with the
swap id, makes each message go out once. Only periods started with `notify` queue anything, and
only runs that began under this code (the `swap-notices` patch, docs/decisions.md).
"""

from __future__ import annotations


from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.period.events import DomainEvent
    from domain.mail.swap_notices import still_news, swap_notices
    from workflows.mail import send_notices
    from workflows.messages import QueuedSwapNotice
    from workflows.period_base import PeriodBase


SWAP_NOTICES_PATCH = "swap-notices"


class SwapNoticeSender(PeriodBase):
    def _record_swap(self, events: list[DomainEvent], actor: str) -> None:
        """Record swap events, queueing the notices each calls for (decided on the state before it)."""
        for event in events:
            notices = swap_notices(self._state, self._calendar, event, self._now()) if self._input.notify else []
            # A round published before swap notices existed has swaps in its history that sent
            # nothing: replaying them must schedule no mail (the patch is off for that run).
            if notices and workflow.patched(SWAP_NOTICES_PATCH):
                self._swap_notices.extend(QueuedSwapNotice(doctor=doctor, facts=facts) for doctor, facts in notices)
            self._record([event], actor)

    async def _send_swap_notices(self) -> None:
        """Runs beside everything else for a notifying period: sends what is queued, until told to
        stop and drained (or the run continues as new, carrying the queue)."""
        while True:
            await workflow.wait_condition(
                lambda: bool(self._swap_notices) or self._stop_swap_notices or self._continuing
            )
            if self._continuing or not self._swap_notices:
                return
            batch = list(self._swap_notices)
            self._notifying += 1
            try:
                await send_notices(
                    self._state.require_config(),
                    [(n.doctor, n.facts) for n in batch if still_news(self._state, n.facts)],
                )
            finally:
                self._notifying -= 1
            # Notices queued while these were sent stay for the next round.
            del self._swap_notices[: len(batch)]
