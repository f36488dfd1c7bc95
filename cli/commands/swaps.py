"""`vakt swap queue | approve | reject | carry-out`: R-SWAP-2 for IT on the command line — the
swaps waiting for approval in a round, an operator's approval or rejection, and a swap carried
out for two doctors who agree. Recorded as `operator:<--operator>` (the CLI has no accounts);
the same use cases as the operator's pages (app/periods/swap_approvals.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from app.periods import swap_approvals
from app.periods.live import operator_actor
from cli.runner import OperatorOpt, ReasonOpt, call, finish, os_user, out, print_json
from cli.text import safe
from domain.clock import local_time

app = typer.Typer(help="Swap approval (R-SWAP-2): the queue, approve, reject, carry out.", no_args_is_help=True)
PeriodArg = Annotated[str, typer.Argument(help="Period id")]
SwapArg = Annotated[str, typer.Argument(help="Swap id (see `vakt swap queue`)")]


@app.command("queue")
def queue(period: PeriodArg, as_json: Annotated[bool, typer.Option("--json", help="Print JSON only")] = False) -> None:
    """The swaps waiting for an operator's approval in the round, soonest shift first."""
    waiting = call(lambda services: swap_approvals.waiting_in_period(services, period))
    if as_json:
        print_json([w.model_dump(mode="json") for w in waiting])
        finish(0)
    if not waiting:
        out.print("No swap waits for approval.")
    for w in waiting:
        out.print(f"{safe(w.swap)}  {safe(w.shift)} ({local_time(w.start)})  {safe(w.giver)} → {safe(w.receiver)}",
                  soft_wrap=True)
    finish(0)


def _done(result, what: str) -> None:
    out.print(f"{what}: {safe(result.shift)}, version {result.version}.", soft_wrap=True)
    finish(0)


@app.command("approve")
def approve(period: PeriodArg, swap: SwapArg, operator: OperatorOpt = "") -> None:
    """Approve a waiting swap: R-SWAP-1 is checked again, then the shift moves."""
    result = call(lambda services: swap_approvals.approve_swap(
        services, period, swap, actor=operator_actor(operator or os_user())))
    _done(result, "Approved")


@app.command("reject")
def reject(period: PeriodArg, swap: SwapArg, reason: ReasonOpt, operator: OperatorOpt = "") -> None:
    """Reject a waiting swap with a reason (told to both doctors); the giver keeps the shift."""
    result = call(lambda services: swap_approvals.reject_swap(
        services, period, swap, reason=reason, actor=operator_actor(operator or os_user())))
    _done(result, "Rejected")


@app.command("carry-out")
def carry_out(
    period: PeriodArg,
    shift: Annotated[str, typer.Argument(help="Shift id, DATE/NAME")],
    giver: Annotated[str, typer.Argument(help="The doctor who holds it")],
    receiver: Annotated[str, typer.Argument(help="The doctor who takes it over")],
    reason: ReasonOpt,
    operator: OperatorOpt = "",
) -> None:
    """Carry out a swap for two doctors who agree, at once (R-SWAP-1's checks apply)."""
    result = call(lambda services: swap_approvals.carry_out_swap(
        services, period, shift=shift, giver=giver, receiver=receiver, reason=reason,
        operator_actor=operator_actor(operator or os_user())))
    _done(result, "Carried out")
