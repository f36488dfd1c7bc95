"""Record a published round under swap approval (R-SWAP-2), for the replay test:

    .venv/bin/python -m tests.replay.record_approvals

A live, notifying period of the example district whose policy asks an operator to approve every
swap: one waiting swap approved, one withdrawn by its giver while it waits, one rejected with a
reason; their e-mails; shifts worked as they end; continue-as-new every 10 updates. Recorded
with the code from before the withdrawal notice (the `swap-withdrawn-notice` patch), so the
replay test shows that such a round keeps replaying without it. Written to
tests/replay/histories/approvals/.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.replay.record import HISTORIES, write_runs

APPROVALS = HISTORIES / "approvals"
OPERATOR = "operator:recorder"


async def record_approvals(out: Path = APPROVALS) -> list[Path]:
    from domain.model import Phase
    from domain.swap_policy import SwapApprovalPolicy
    from tests.integration.test_swap_notices import swappable
    from tests.replay.published_round import published_round
    from workflows.messages import AcceptSwapInput, ApproveSwapInput, CloseSwapInput, OfferSwapInput, RejectSwapInput
    from workflows.period import AllocationPeriodWorkflow

    async with published_round(policy={"swap_approval": SwapApprovalPolicy(mode="always")}) as r:
        involved: set[str] = set()

        async def waiting() -> tuple[str, str]:
            giver, shift, receiver = swappable(r.state, r.calendar, r.view.now, involved)
            asked = OfferSwapInput(giver=giver, shift=shift, receiver=None, actor=f"doctor:{giver}")
            swap = (await r.update(AllocationPeriodWorkflow.offer_swap, asked)).swap
            accepted = await r.update(AllocationPeriodWorkflow.accept_swap,
                                      AcceptSwapInput(swap=swap, receiver=receiver, actor=f"doctor:{receiver}"))
            assert accepted.awaiting_approval, accepted
            return swap, giver

        swap, _ = await waiting()
        await r.update(AllocationPeriodWorkflow.approve_swap, ApproveSwapInput(swap=swap, actor=OPERATOR))
        swap, giver = await waiting()
        await r.update(AllocationPeriodWorkflow.close_swap, CloseSwapInput(swap=swap, by=giver, actor=f"doctor:{giver}"))
        swap, _ = await waiting()
        await r.update(AllocationPeriodWorkflow.reject_swap,
                       RejectSwapInput(swap=swap, reason="Bakvakten må være på plass", actor=OPERATOR))
        result = await r.handle.result()  # the server skips to the last shift's end
        assert result.phase is Phase.PUBLISHED and result.runs > 1, result
        return await write_runs(r.env.client, r.first_run, out)


if __name__ == "__main__":
    from infra.process import exit_now, install_temporal_runtime

    install_temporal_runtime()
    paths = asyncio.run(record_approvals())
    print("\n".join(f"wrote {p} ({p.stat().st_size:,} bytes)" for p in paths))
    exit_now(0)
