"""The published round: swaps after publication (R-SWAP-1), the shifts worked (R-LOAD-1) and
the swap notices.

A live period's workflow does not end at publication: until its last shift has ended, doctors
offer shifts to a named colleague or to everyone who may take them, accept, decline or withdraw.
The giver owns the shift until a swap completes; every step is an event; offers expire on a
durable timer (at the latest when the shift starts). Whenever a shift ends, whoever holds it
then is recorded as having worked it. Each update has a validator, so a refusal writes nothing.

The doctors concerned are told by e-mail: the named receiver of an offer, the giver when it is
accepted, declined or expires; under R-SWAP-2 both doctors of an operator's decision, and the
accepter of a waiting swap its giver withdraws. Who gets what is decided in
`domain.mail.swap_notices` and `domain.mail.approval_notices`, from the state
just before the swap's event (a closed offer leaves the state), so it is queued when the event is
recorded and cannot be rebuilt later. The queue travels across continue-as-new
(`CarriedState.swap_notices`) and has a sender of its own, because the period's other notices
(notices.py) end at publication; a notice leaves the queue only once its `send_mail` activity
has returned, and the sent-log, keyed with the swap id, makes each message go out once. Only
periods started with `notify` queue anything, and only runs that began under this code (the
`swap-notices` patch, docs/decisions.md).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import actors
    from domain.period.events import DomainEvent
    from domain.mail.approval_notices import approval_notices, withdrawal_notices
    from domain.mail.swap_notices import still_news, swap_notices
    from domain.period.swap_approval import wait_or_take
    from domain.period.swaps import accept_swap, all_worked, close_swap, expired_swaps, next_wakeup, offer_swap, shifts_ended
    from workflows.mail import send_notices
    from workflows.messages import AcceptSwapInput, CloseSwapInput, OfferSwapInput, QueuedSwapNotice, SwapResult
    from workflows.period.errors import refuse_if_violation
    from workflows.period.runtime import PeriodRuntime

SWAP_NOTICES_PATCH = "swap-notices"
# R-SWAP-2: an acceptance may wait for an operator's approval (only under a district policy
# that asks for it; a round recorded before never took this path).
SWAP_APPROVAL_PATCH = "swap-approval"
# Telling the accepter of a waiting swap that the giver withdrew it: rounds that withdrew one
# before replay with no such mail.
SWAP_WITHDRAWN_PATCH = "swap-withdrawn-notice"


class PublishedRound:
    def __init__(self, runtime: PeriodRuntime) -> None:
        self.rt = runtime
        # False only for a workflow that records swaps without telling anyone (a test's stand-in
        # for the code before swap notices).
        self.tell_doctors = True

    # ---------------------------------------------------------------- time passing

    async def follow_through(self) -> None:
        """After publication: record worked shifts and expired offers as time passes, until the
        last shift has ended (continuing as new on the way when the run is long)."""
        rt = self.rt
        while not all_worked(rt.state, rt.calendar):
            self._record_time_passing()
            if all_worked(rt.state, rt.calendar):
                return
            if rt.should_continue_as_new():
                await rt.continue_as_new()
                continue
            wake = next_wakeup(rt.state, rt.calendar)
            version = rt.state.version
            timeout = max((wake - rt.now()).total_seconds(), 0.001) if wake else None
            try:
                await workflow.wait_condition(
                    lambda: rt.state.version != version or rt.should_continue_as_new(),
                    timeout=timedelta(seconds=timeout) if timeout is not None else None,
                )
            except asyncio.TimeoutError:
                pass

    def _record_time_passing(self) -> None:
        rt = self.rt
        now = rt.now()
        closed = expired_swaps(rt.state, now)
        if closed:
            self._record_swap(closed, actors.actor("system", "swap-expiry"))
        worked = shifts_ended(rt.state, rt.calendar, now)
        if worked is not None:
            rt.record([worked], actors.actor("system", "shift-end"))

    # ----------------------------------------------------------------------- updates

    def _result(self, decision) -> SwapResult:
        refuse_if_violation(decision)
        return SwapResult(swap=decision.swap, shift=decision.shift, version=self.rt.state.version + 1)

    def _offer(self, inp: OfferSwapInput, swap_id: str):
        rt = self.rt
        return offer_swap(
            rt.state, rt.calendar, swap_id=swap_id, giver=inp.giver, shift_id=inp.shift,
            receiver=inp.receiver, now=rt.now(),
        )

    def validate_offer(self, inp: OfferSwapInput) -> None:
        self.rt.admit()
        self._result(self._offer(inp, "to-be-assigned"))

    def offer(self, inp: OfferSwapInput) -> SwapResult:
        self.rt.accepted()
        decision = self._offer(inp, str(workflow.uuid4()))
        result = self._result(decision)
        self._record_swap([decision], inp.actor)
        return result

    def _accept(self, inp: AcceptSwapInput):
        rt = self.rt
        return accept_swap(rt.state, rt.calendar, swap_id=inp.swap, receiver=inp.receiver, now=rt.now())

    def validate_accept(self, inp: AcceptSwapInput) -> None:
        self.rt.admit()
        self._result(self._accept(inp))

    def accept(self, inp: AcceptSwapInput) -> SwapResult:
        self.rt.accepted()
        decision = self._accept(inp)
        result = self._result(decision)
        # R-SWAP-2: under the district's approval policy a valid acceptance waits for an operator.
        waiting = wait_or_take(self.rt.state, self.rt.calendar, decision, self.rt.now())
        if waiting is not decision and workflow.patched(SWAP_APPROVAL_PATCH):
            decision, result.awaiting_approval = waiting, True
        self._record_swap([decision], inp.actor)
        return result

    def validate_close(self, inp: CloseSwapInput) -> None:
        self.rt.admit()
        self._result(close_swap(self.rt.state, swap_id=inp.swap, by=inp.by))

    def close(self, inp: CloseSwapInput) -> SwapResult:
        self.rt.accepted()
        decision = close_swap(self.rt.state, swap_id=inp.swap, by=inp.by)
        result = self._result(decision)
        self._record_swap([decision], inp.actor)
        return result

    # ---------------------------------------------------------------- swap notices

    def _record_swap(self, events: list[DomainEvent], actor: str) -> None:
        """Record swap events, queueing the notices each calls for (decided on the state before it)."""
        rt = self.rt
        for event in events:
            notices = (
                swap_notices(rt.state, rt.calendar, event, rt.now()) + approval_notices(rt.state, rt.calendar, event)
                if rt.input.notify and self.tell_doctors else []
            )
            if rt.input.notify and self.tell_doctors:
                withdrawn = withdrawal_notices(rt.state, rt.calendar, event)
                if withdrawn and workflow.patched(SWAP_WITHDRAWN_PATCH):
                    notices += withdrawn
            # A round published before swap notices existed has swaps in its history that sent
            # nothing: replaying them must schedule no mail (the patch is off for that run).
            if notices and workflow.patched(SWAP_NOTICES_PATCH):
                rt.carried.swap_notices.extend(
                    QueuedSwapNotice(doctor=doctor, facts=facts) for doctor, facts in notices
                )
            rt.record([event], actor)

    async def send_swap_notices(self) -> None:
        """Runs beside everything else for a notifying period: sends what is queued, until told to
        stop and drained (or the run continues as new, carrying the queue)."""
        rt = self.rt
        queue = rt.carried.swap_notices
        while True:
            await workflow.wait_condition(lambda: bool(queue) or rt.stop_swap_notices or rt.continuing)
            if rt.continuing or not queue:
                return
            batch = list(queue)
            rt.notifying += 1
            try:
                await send_notices(
                    rt.state.require_config(),
                    [(n.doctor, n.facts) for n in batch if still_news(rt.state, n.facts)],
                )
            finally:
                rt.notifying -= 1
            # Notices queued while these were sent stay for the next round.
            del queue[: len(batch)]
