"""The seed's outside sources (R-LOT-5): a drand beacon round, or a secret kept in PostgreSQL.

- `fetch_beacon_round`: the committed round from the configured drand endpoints
  (`VAKT_DRAND_URL`), its BLS signature checked before it is returned. An endpoint that cannot
  be reached, or serves a round that does not verify, fails the attempt; the workflow retries
  and alerts the operators, and never falls back to another seed.
- `commit_seed_secret`: the SHA-256 of the round's secret (generated once, kept in PostgreSQL);
  the secret itself never enters the workflow's history until it is revealed.
- `reveal_seed_secret`: the secret, at the draw.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.seed_models import BeaconRound, BeaconRoundInput, SeedErrorType, SeedSecretInput
from adapters.drand import BeaconError, endpoints, fetch_round
from adapters.postgres.seed_secrets import SeedSecrets

log = logging.getLogger(__name__)


class SeedActivities:
    def __init__(self, secrets: SeedSecrets, drand_urls: str | None = None) -> None:
        self.secrets = secrets
        self.drand_urls = drand_urls  # None: VAKT_DRAND_URL, read at each fetch

    def activities(self) -> list[Callable[..., Any]]:
        return [self.fetch_beacon_round, self.commit_seed_secret, self.reveal_seed_secret]

    @activity.defn(name="fetch_beacon_round")
    async def fetch_beacon_round(self, inp: BeaconRoundInput) -> BeaconRound:
        try:
            got = await fetch_round(inp.chain, inp.round, endpoints(self.drand_urls))
        except BeaconError as e:
            log.warning("drand beacon unreachable: %s", e)
            raise ApplicationError(str(e), type=SeedErrorType.BEACON_UNAVAILABLE) from None
        return BeaconRound(**got)

    @activity.defn(name="commit_seed_secret")
    async def commit_seed_secret(self, inp: SeedSecretInput) -> str:
        return hashlib.sha256(await self.secrets.secret_for(inp.stream_id)).hexdigest()

    @activity.defn(name="reveal_seed_secret")
    async def reveal_seed_secret(self, inp: SeedSecretInput) -> str:
        secret = await self.secrets.reveal(inp.stream_id)
        if secret is None:
            raise ApplicationError(f"no seed secret stored for {inp.stream_id}", type=SeedErrorType.NO_SECRET,
                                   non_retryable=True)
        return secret.hex()
