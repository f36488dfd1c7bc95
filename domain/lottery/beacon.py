"""R-LOT-5: a seed nobody chooses — where it comes from, and checking it afterwards.

When the offering opens, the round commits to its seed's source (`SeedCommitted`): a round of a
public drand beacon that is published after the offering closes, or — where the district's
policy says offline — the SHA-256 of a secret generated then and kept out of the workflow's
history. At the draw the beacon's round is fetched (or the secret revealed) and recorded
(`SeedRevealed`); the seed is derived from the signed value alone:

    drand:   randomness = sha256(signature);  seed = first 8 bytes of randomness >> 1
    offline: commitment = sha256(secret);     seed = first 8 bytes of the secret >> 1

(63 bits, as the seeds generated before R-LOT-5, so every JSON reader keeps them exact.)

`check_seed` repeats all of it from the stored events. Checking a BLS signature is pairing
maths in a native library; the caller passes it in (`adapters.drand.signature_valid`), so this
module stays pure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel

from domain.model import BeaconChain
from domain.period.events import DomainEvent, LotteryStarted, SeedCommitted, SeedRevealed

QUICKNET = BeaconChain()

SignatureCheck = Callable[[BeaconChain, int, str, str | None], str | None]  # None when valid, else why


def round_at(chain: BeaconChain, round_number: int) -> datetime:
    """When a round is published: genesis + (round - 1) × period (round 1 at genesis)."""
    return datetime.fromtimestamp(chain.genesis_time + (round_number - 1) * chain.period_seconds, UTC)


def first_round_after(chain: BeaconChain, when: datetime) -> int:
    """The first round published strictly after `when`: its value cannot be known before then."""
    elapsed = int((when - datetime.fromtimestamp(chain.genesis_time, UTC)) // timedelta(seconds=1))
    if elapsed < 0:
        return 1
    return elapsed // chain.period_seconds + 2


def randomness_of(signature: str) -> str:
    """drand's randomness: the SHA-256 of the round's signature."""
    return hashlib.sha256(bytes.fromhex(signature)).hexdigest()


def commitment_of(secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(secret)).hexdigest()


def seed_of(value: str) -> int:
    """The lottery's seed from a signed value (drand's randomness) or a revealed secret."""
    return int(value[:16], 16) >> 1


def revealed_from_beacon(round_number: int, signature: str, previous_signature: str | None) -> SeedRevealed:
    randomness = randomness_of(signature)
    return SeedRevealed(
        source="drand", round=round_number, signature=signature, previous_signature=previous_signature,
        randomness=randomness, seed=seed_of(randomness),
    )


def revealed_from_secret(secret: str) -> SeedRevealed:
    return SeedRevealed(source="offline", secret=secret, seed=seed_of(secret))


class SeedCheck(BaseModel):
    """What `vakt verify` says about the seed's origin (R-LOT-5)."""

    source: str  # "drand", "offline" or "system" (a round from before R-LOT-5, or a fixed seed)
    ok: bool
    detail: str


def check_seed(events: Sequence[DomainEvent], signature_valid: SignatureCheck) -> SeedCheck:
    """R-LOT-5: the commitment came first, the revealed value matches it, the beacon's signature
    is valid for the committed round, and the lottery's seed follows from the value alone."""
    revealed = next((e for e in events if isinstance(e, SeedRevealed)), None)
    # The last commitment before the reveal: an extended offering commits to a later round.
    upto = events.index(revealed) if revealed is not None else len(events)
    committed = next((e for e in reversed(events[:upto]) if isinstance(e, SeedCommitted)), None)
    if committed is None and revealed is not None:
        return SeedCheck(source=revealed.source, ok=False, detail="a seed was revealed that nothing committed to first")
    started = next((i for i, e in enumerate(events) if isinstance(e, LotteryStarted)), None)
    if committed is None:
        return SeedCheck(source="system", ok=True, detail="the round committed to no outside seed (R-LOT-4 only)")
    if revealed is None or started is None:
        return SeedCheck(source=committed.source, ok=True, detail="committed; the draw has not been held yet")
    seed = events[started].seed  # type: ignore[union-attr]
    if committed.source == "offline":
        if revealed.secret is None or commitment_of(revealed.secret) != committed.commitment:
            return SeedCheck(source="offline", ok=False, detail="the revealed secret does not match its SHA-256 commitment")
        if seed_of(revealed.secret) != seed or revealed.seed != seed:
            return SeedCheck(source="offline", ok=False, detail=f"seed {seed} does not follow from the revealed secret")
        return SeedCheck(source="offline", ok=True,
                         detail=f"the revealed secret matches its commitment {committed.commitment}; seed {seed} follows from it")
    chain = committed.chain or QUICKNET
    if revealed.round != committed.round or revealed.signature is None:
        return SeedCheck(source="drand", ok=False, detail=f"the revealed round {revealed.round} is not the committed round {committed.round}")
    why = signature_valid(chain, revealed.round, revealed.signature, revealed.previous_signature)
    if why is not None:
        return SeedCheck(source="drand", ok=False,
                         detail=f"the beacon's signature for round {revealed.round} is not valid for chain {chain.hash[:12]}…: {why}")
    randomness = randomness_of(revealed.signature)
    if revealed.randomness != randomness or seed_of(randomness) != seed or revealed.seed != seed:
        return SeedCheck(source="drand", ok=False,
                         detail=f"seed {seed} does not follow from the signature of round {revealed.round}")
    return SeedCheck(
        source="drand", ok=True,
        detail=(f"drand round {revealed.round} of chain {chain.hash[:12]}… ({chain.scheme}): the BLS signature is valid "
                f"for the chain's public key, and seed {seed} follows from it (randomness {randomness})"),
    )
