"""drand, the public randomness beacon (R-LOT-5): fetching a round over HTTP and checking its
BLS signature against the chain's public key.

Any drand HTTP endpoint serves `GET /<chain hash>/public/<round>` as JSON (`round`,
`randomness`, `signature`, and `previous_signature` on a chained beacon): the League of
Entropy's own (https://api.drand.sh, https://api2.drand.sh, https://api3.drand.sh), Cloudflare's
(https://drand.cloudflare.com) or a clinic's own relay. `VAKT_DRAND_URL` names them,
comma-separated, tried in order. A relay is not trusted: every round is checked against the
chain's public key before it is used, and again by `vakt verify`.

The signature check is `drand-verify` (a Rust implementation of drand's schemes, pinned in
pyproject.toml): `bls-unchained-g1-rfc9380` (quicknet: G1 signatures over sha256(round)) and
`pedersen-bls-chained` (the original League of Entropy chain: G2 signatures over
sha256(previous signature ‖ round)).
"""

from __future__ import annotations

import asyncio
import json
import os
import urllib.error
import urllib.request

import drand_verify

from domain.lottery.beacon import randomness_of
from domain.model import BeaconChain

PUBLIC_ENDPOINTS = ("https://api.drand.sh", "https://api2.drand.sh", "https://drand.cloudflare.com")
TIMEOUT_SECONDS = 10.0


class BeaconError(Exception):
    """The round could not be had from any endpoint, or what came back is not the round."""


def endpoints(configured: str | None = None) -> list[str]:
    """The endpoints to try, in order: `VAKT_DRAND_URL` (comma-separated) or drand's public ones."""
    text = configured if configured is not None else os.environ.get("VAKT_DRAND_URL", "")
    chosen = [u.strip().rstrip("/") for u in text.split(",") if u.strip()]
    return chosen or list(PUBLIC_ENDPOINTS)


def signature_valid(chain: BeaconChain, round_number: int, signature: str, previous: str | None) -> str | None:
    """None when `signature` is the chain's valid BLS signature of the round, else why not."""
    try:
        if chain.scheme == "bls-unchained-g1-rfc9380":
            got = drand_verify.verify_bls_unchained_g1_rfc9380(round_number, signature, chain.public_key)
        else:
            if previous is None:
                return "a chained beacon's round needs the previous signature"
            got = drand_verify.verify_pedersen_bls_chained(round_number, previous, signature, chain.public_key)
    except ValueError as e:  # drand-verify raises ValueError for a bad point or a failed pairing check
        return str(e) or "verification failed"
    if got != randomness_of(signature):
        return "the verified randomness is not sha256(signature)"
    return None


def _get(url: str) -> dict:
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "vaktfordeling"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (configured URL)
        return json.loads(response.read(64 * 1024))


async def fetch_round(chain: BeaconChain, round_number: int, urls: list[str]) -> dict:
    """The round from the first endpoint that serves it with a valid signature:
    {"round", "signature", "previous_signature"}. BeaconError names every endpoint's failure."""
    problems = []
    for base in urls:
        url = f"{base}/{chain.hash}/public/{round_number}"
        try:
            body = await asyncio.to_thread(_get, url)
        except (urllib.error.URLError, OSError, ValueError) as e:
            problems.append(f"{base}: {getattr(e, 'reason', None) or e}")
            continue
        signature, previous = body.get("signature"), body.get("previous_signature") or None
        if body.get("round") != round_number or not isinstance(signature, str):
            problems.append(f"{base}: the answer is not round {round_number}")
            continue
        why = signature_valid(chain, round_number, signature, previous)
        if why is not None:
            problems.append(f"{base}: invalid signature ({why})")
            continue
        return {"round": round_number, "signature": signature, "previous_signature": previous}
    raise BeaconError(f"drand round {round_number} not available: " + "; ".join(problems))
