"""Contracts between the period workflow and the seed activities (R-LOT-5). Pydantic only."""

from __future__ import annotations

from pydantic import BaseModel

from domain.model import BeaconChain


class BeaconRoundInput(BaseModel):
    chain: BeaconChain
    round: int


class BeaconRound(BaseModel):
    """A drand round as published, its signature already checked against the chain's key."""

    round: int
    signature: str
    previous_signature: str | None = None


class SeedSecretInput(BaseModel):
    stream_id: str


class SeedErrorType:
    """`ApplicationError.type` of the seed activities."""

    BEACON_UNAVAILABLE = "BeaconUnavailable"
    NO_SECRET = "NoSeedSecret"
