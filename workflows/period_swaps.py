"""Swaps after publication (R-SWAP-1) and the shifts worked (R-LOAD-1): the published round.

A live period's workflow does not end at publication: until its last shift has ended, doctors
offer shifts to a named colleague or to everyone who may take them, accept, decline or withdraw.
The giver owns the shift until a swap completes; every step is an event; offers expire on a
durable timer (at the latest when the shift starts). Whenever a shift ends, whoever holds it
then is recorded as having worked it. Each update has a validator, so a refusal writes nothing.
The doctors concerned are told by e-mail (workflows/period_swap_notices.py).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import actors
    from domain.period.rules import RuleViolation
    from domain.period.swaps import accept_swap, all_worked, close_swap, expired_swaps, next_wakeup, offer_swap, shifts_ended
    from workflows.messages import AcceptSwapInput, CloseSwapInput, OfferSwapInput, SwapResult
    from workflows.period_base import rule_violation_error
    from workflows.period_swap_notices import SwapNoticeSender


class SwapHandlers(SwapNoticeSender):
    # ------------------------------------------------------------- the published round

    async def _follow_through(self) -> None:
        """After publication: record worked shifts and expired offers as time passes, until the
        last shift has ended (or the run continues as new)."""
        while not all_worked(self._state, self._calendar):
            self._record_time_passing()
            if all_worked(self._state, self._calendar):
                return
            if self._should_continue_as_new():
                await self._continue_as_new()
                continue
            wake = next_wakeup(self._state, self._calendar)
            version = self._state.version
            timeout = max((wake - self._now()).total_seconds(), 0.001) if wake else None
            try:
                await workflow.wait_condition(
                    lambda: self._state.version != version or self._should_continue_as_new(),
                    timeout=timedelta(seconds=timeout) if timeout is not None else None,
                )
            except asyncio.TimeoutError:
                pass

    def _record_time_passing(self) -> None:
        now = self._now()
        closed = expired_swaps(self._state, now)
        if closed:
            self._record_swap(closed, actors.actor("system", "swap-expiry"))
        worked = shifts_ended(self._state, self._calendar, now)
        if worked is not None:
            self._record([worked], actors.actor("system", "shift-end"))

    def _decide_swap(self, decision) -> SwapResult:
        if isinstance(decision, RuleViolation):
            raise rule_violation_error(decision)
        return SwapResult(swap=decision.swap, shift=decision.shift, version=self._state.version + 1)

    # ----------------------------------------------------------------------- updates

    @workflow.update
    def offer_swap(self, inp: OfferSwapInput) -> SwapResult:
        """R-SWAP-1: a holder offers a shift to a colleague, or to all who may take it."""
        self._updates_this_run += 1
        decision = self._offer(inp, str(workflow.uuid4()))
        result = self._decide_swap(decision)
        self._record_swap([decision], inp.actor)
        return result

    @offer_swap.validator
    def _validate_offer(self, inp: OfferSwapInput) -> None:
        self._admit()
        self._decide_swap(self._offer(inp, "to-be-assigned"))

    def _offer(self, inp: OfferSwapInput, swap_id: str):
        return offer_swap(
            self._state, self._calendar, swap_id=swap_id, giver=inp.giver, shift_id=inp.shift,
            receiver=inp.receiver, now=self._now(),
        )

    @workflow.update
    def accept_swap(self, inp: AcceptSwapInput) -> SwapResult:
        """R-SWAP-1: the receiver takes the shift over, if R-QUAL-2/3 and R-REST-1 allow it."""
        self._updates_this_run += 1
        decision = accept_swap(self._state, self._calendar, swap_id=inp.swap, receiver=inp.receiver, now=self._now())
        result = self._decide_swap(decision)
        self._record_swap([decision], inp.actor)
        return result

    @accept_swap.validator
    def _validate_accept(self, inp: AcceptSwapInput) -> None:
        self._admit()
        self._decide_swap(accept_swap(self._state, self._calendar, swap_id=inp.swap, receiver=inp.receiver, now=self._now()))

    @workflow.update
    def close_swap(self, inp: CloseSwapInput) -> SwapResult:
        """The named receiver declines, or the giver withdraws: nothing changes hands."""
        self._updates_this_run += 1
        decision = close_swap(self._state, swap_id=inp.swap, by=inp.by)
        result = self._decide_swap(decision)
        self._record_swap([decision], inp.actor)
        return result

    @close_swap.validator
    def _validate_close_swap(self, inp: CloseSwapInput) -> None:
        self._admit()
        self._decide_swap(close_swap(self._state, swap_id=inp.swap, by=inp.by))
