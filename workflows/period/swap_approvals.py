"""R-SWAP-2 in the published round: an operator approves or rejects a swap that waits for
approval, or carries out a swap on behalf of two doctors who agree.

Each update has a validator that makes the same pure decision (domain/period/swap_approval.py),
so a refusal writes nothing; the handler decides again on the state it runs on and records the
event with its actor, queueing the doctors' notices through the published round's swap-notice
queue (workflows/period/swaps.py). These updates are new: no recorded round has them, so they
need no patch; the acceptance that waits is guarded by the `swap-approval` patch (swaps.py).
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.period.swap_approval import approve_swap, carry_out_swap, reject_swap
    from workflows.messages import ApproveSwapInput, CarryOutSwapInput, RejectSwapInput, SwapResult
    from workflows.period.errors import refuse_if_violation
    from workflows.period.swaps import PublishedRound

PENDING_ID = "to-be-assigned"


class SwapApprovals:
    def __init__(self, published: PublishedRound) -> None:
        self.published = published
        self.rt = published.rt

    def _result(self, decision) -> SwapResult:
        refuse_if_violation(decision)
        return SwapResult(swap=decision.swap, shift=decision.shift, version=self.rt.state.version + 1)

    def _record(self, decision, actor: str) -> SwapResult:
        result = self._result(decision)
        self.published._record_swap([decision], actor)
        return result

    # -- approve
    def _approve(self, inp: ApproveSwapInput):
        rt = self.rt
        return approve_swap(rt.state, rt.calendar, swap_id=inp.swap, operator=inp.actor, now=rt.now())

    def validate_approve(self, inp: ApproveSwapInput) -> None:
        self.rt.admit()
        self._result(self._approve(inp))

    def approve(self, inp: ApproveSwapInput) -> SwapResult:
        self.rt.accepted()
        return self._record(self._approve(inp), inp.actor)

    # -- reject
    def _reject(self, inp: RejectSwapInput):
        return reject_swap(self.rt.state, swap_id=inp.swap, operator=inp.actor, reason=inp.reason)

    def validate_reject(self, inp: RejectSwapInput) -> None:
        self.rt.admit()
        self._result(self._reject(inp))

    def reject(self, inp: RejectSwapInput) -> SwapResult:
        self.rt.accepted()
        return self._record(self._reject(inp), inp.actor)

    # -- carry out
    def _carry_out(self, inp: CarryOutSwapInput, swap_id: str):
        rt = self.rt
        return carry_out_swap(
            rt.state, rt.calendar, swap_id=swap_id, shift_id=inp.shift, giver=inp.giver, receiver=inp.receiver,
            operator=inp.actor, reason=inp.reason, now=rt.now(),
        )

    def validate_carry_out(self, inp: CarryOutSwapInput) -> None:
        self.rt.admit()
        self._result(self._carry_out(inp, PENDING_ID))

    def carry_out(self, inp: CarryOutSwapInput) -> SwapResult:
        self.rt.accepted()
        return self._record(self._carry_out(inp, str(workflow.uuid4())), inp.actor)
