"""R-LOT-5 in the workflow: commit to the seed's source when the offering opens, reveal it at
the draw.

- Commit (`commit_if_due`, after each phase step): a drand round is pure arithmetic on the
  chain's genesis and period — the first round published after the offering's deadline — so it
  is computed here, replay-safe; an offline secret is generated and kept by an activity in
  PostgreSQL, and only its SHA-256 comes back and is recorded (`SeedCommitted`).
- Reveal (`reveal`, when the lottery is held): wait until the committed round is due, fetch it
  by activity (its signature checked there), or read the secret back; record `SeedRevealed`
  and return the seed derived from the value alone (domain.lottery.beacon).
- A beacon that cannot be reached delays the lottery: `BeaconUnreachable` is recorded (the
  operators' alert, once and then hourly) and the fetch is retried every few minutes, for as
  long as it takes. There is no fallback seed: a silent one would be a seed somebody chose.

Rounds from before R-LOT-5 (policy "system") never reach this code; `workflow.patched` guards
the new commands for any run that started on the older code.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.seed_models import BeaconRound, BeaconRoundInput, SeedSecretInput
    from domain import actors
    from domain.lottery.beacon import QUICKNET, first_round_after, revealed_from_beacon, revealed_from_secret, round_at
    from domain.model import Phase
    from domain.period.events import BeaconUnreachable, SeedCommitted
    from domain.period.process import next_deadline

if TYPE_CHECKING:
    from workflows.period.runtime import PeriodRuntime

PATCH = "seed-nobody-chooses"  # R-LOT-5
FETCH_TIMEOUT = timedelta(seconds=60)
FETCH_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), backoff_coefficient=2.0,
                          maximum_interval=timedelta(seconds=30), maximum_attempts=4)
WAIT_BETWEEN = timedelta(minutes=5)  # between rounds of attempts while the beacon is away
ALERT_EVERY = 12  # rounds of attempts (an hour) between repeated operator alerts
SECRET_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                           maximum_interval=timedelta(seconds=30))


class SeedSource:
    def __init__(self, rt: PeriodRuntime) -> None:
        self.rt = rt
        # What the lottery waits for while the beacon cannot be reached: the phase query's next
        # step says so (and through it `vakt status`), beside the BeaconUnreachable event.
        self.waiting: str | None = None

    def _source(self) -> str:
        return self.rt.state.require_config().district.policy.seed_source

    async def commit_if_due(self) -> None:
        """Record the commitment once, when the offering has opened (R-LOT-5)."""
        rt = self.rt
        state = rt.state
        if self._source() == "system" or state.phase is not Phase.OFFERING:
            return
        _, closes = next_deadline(state)
        assert closes is not None
        committed = state.seed_commitment
        if committed is not None and (committed.round_at is None or committed.round_at > closes):
            return
        # None yet — or an operator extended the offering past the committed round, which would
        # then be public while claims could still change the input: commit to the first round
        # after the new deadline. The old round is not published yet (an extension comes before
        # the deadline), so this tells nobody anything and chooses nothing.
        if not workflow.patched(PATCH):
            return
        if self._source() == "drand":
            chain = state.require_config().district.policy.beacon or QUICKNET
            number = first_round_after(chain, closes)
            event = SeedCommitted(source="drand", chain=chain, round=number, round_at=round_at(chain, number))
        else:
            commitment: str = await workflow.execute_activity(
                "commit_seed_secret", SeedSecretInput(stream_id=rt.input.config.period.id), result_type=str,
                start_to_close_timeout=timedelta(seconds=30), retry_policy=SECRET_RETRY,
            )
            event = SeedCommitted(source="offline", commitment=commitment)
        rt.record([event], actors.LOTTERY)

    async def reveal(self) -> int | None:
        """The committed seed, revealed and recorded; None when the round committed to none."""
        rt = self.rt
        committed = rt.state.seed_commitment
        if committed is None:
            return None
        if rt.state.seed_revealed is not None:  # revealed in an earlier run
            return rt.state.seed_revealed.seed
        if not workflow.patched(PATCH):
            return None
        if committed.source == "offline":
            secret: str = await workflow.execute_activity(
                "reveal_seed_secret", SeedSecretInput(stream_id=rt.input.config.period.id), result_type=str,
                start_to_close_timeout=timedelta(seconds=30), retry_policy=SECRET_RETRY,
            )
            revealed = revealed_from_secret(secret)
        else:
            got = await self._fetch(committed)
            revealed = revealed_from_beacon(got.round, got.signature, got.previous_signature)
        rt.record([revealed], actors.LOTTERY)
        return revealed.seed

    async def _fetch(self, committed: SeedCommitted) -> BeaconRound:
        rt = self.rt
        assert committed.round is not None and committed.round_at is not None
        chain = committed.chain or QUICKNET
        due = (committed.round_at - rt.now()).total_seconds()
        if due > 0:  # an early close: the round is not published yet, and nobody can know it
            await workflow.sleep(timedelta(seconds=due + 1))
        failures = 0
        while True:
            try:
                got: BeaconRound = await workflow.execute_activity(
                    "fetch_beacon_round", BeaconRoundInput(chain=chain, round=committed.round),
                    result_type=BeaconRound, start_to_close_timeout=FETCH_TIMEOUT, retry_policy=FETCH_RETRY,
                )
                self.waiting = None
                return got
            except ActivityError as e:
                why = getattr(e.cause, "message", None) or str(e.cause or e)
                self.waiting = (f"lottery waits for drand round {committed.round}: the beacon cannot be reached "
                                f"({failures + 1} attempts; retrying every {WAIT_BETWEEN.seconds // 60} minutes)")
                if failures % ALERT_EVERY == 0:
                    rt.record([BeaconUnreachable(round=committed.round, attempts=failures + 1, error=why[:500])],
                              actors.LOTTERY)
                failures += 1
                await workflow.sleep(WAIT_BETWEEN)
