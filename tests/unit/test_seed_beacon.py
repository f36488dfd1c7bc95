"""R-LOT-5: a seed nobody chooses — the beacon's arithmetic, real drand rounds verified offline,
the seed derived from the signed value alone, and `check_seed` over stored events."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from temporalio.exceptions import ApplicationError

from activities.seed import SeedActivities
from activities.seed_models import BeaconRoundInput
from adapters.drand import BeaconError, endpoints, fetch_round, signature_valid
from domain.lottery.beacon import (
    check_seed, commitment_of, first_round_after, randomness_of, revealed_from_beacon, revealed_from_secret, round_at,
    seed_of,
)
from domain.period.events import LotteryStarted, SeedCommitted
from tests.helpers.fake_beacon import chain, fake_beacon, one_byte_changed, stored

QUICK = stored()["chains"]["quicknet"]["rounds"][0]
CHAINED = stored()["chains"]["default"]["rounds"][0]


def test_the_committed_round_is_the_first_published_after_the_offering_closes():
    """R-LOT-5: round r is published at genesis + (r - 1) × period; the commitment names the
    first round strictly after the deadline, so nobody can know its value before then."""
    quicknet, default = chain("quicknet"), chain("default")
    assert first_round_after(quicknet, datetime(2023, 9, 15, 11, 0, 0, tzinfo=UTC)) == 657413
    assert round_at(quicknet, 657413) == datetime(2023, 9, 15, 11, 0, 3, tzinfo=UTC)
    assert first_round_after(quicknet, datetime(2023, 9, 15, 11, 0, 3, tzinfo=UTC)) == 657414  # strictly after
    assert first_round_after(default, datetime(2023, 9, 15, 11, 54, 59, tzinfo=UTC)) == 3311596
    assert round_at(default, 3311596) == datetime(2023, 9, 15, 11, 55, tzinfo=UTC)


def test_real_published_rounds_verify_against_the_chains_public_keys():
    """R-LOT-5: quicknet (G1, unchained) and the original chained beacon (G2, pedersen-bls-chained)."""
    assert signature_valid(chain("quicknet"), QUICK["round"], QUICK["signature"], None) is None
    assert randomness_of(QUICK["signature"]) == QUICK["randomness"]
    assert signature_valid(chain("default"), CHAINED["round"], CHAINED["signature"], CHAINED["previous_signature"]) is None
    assert randomness_of(CHAINED["signature"]) == CHAINED["randomness"]


def test_one_changed_byte_or_another_round_fails_the_signature():
    assert signature_valid(chain("quicknet"), QUICK["round"], one_byte_changed(QUICK["signature"]), None)
    assert signature_valid(chain("quicknet"), QUICK["round"] + 1, QUICK["signature"], None)
    assert signature_valid(chain("default"), CHAINED["round"], one_byte_changed(CHAINED["signature"]),
                           CHAINED["previous_signature"])


def _events(revealed, committed=None):
    committed = committed or SeedCommitted(source="drand", chain=chain("quicknet"), round=QUICK["round"],
                                           round_at=round_at(chain("quicknet"), QUICK["round"]))
    return [committed, revealed, LotteryStarted(seed=revealed.seed, open_shifts=1)]


def test_check_seed_says_the_signature_is_valid_and_the_seed_follows_from_it():
    revealed = revealed_from_beacon(QUICK["round"], QUICK["signature"], None)
    assert revealed.seed == seed_of(QUICK["randomness"]) == int(QUICK["randomness"][:16], 16) >> 1
    check = check_seed(_events(revealed), signature_valid)
    assert check.ok and check.source == "drand"
    assert "BLS signature is valid" in check.detail and str(revealed.seed) in check.detail


def test_check_seed_names_a_changed_signature_a_changed_seed_and_another_round():
    revealed = revealed_from_beacon(QUICK["round"], QUICK["signature"], None)
    bad = revealed.model_copy(update={"signature": one_byte_changed(QUICK["signature"])})
    check = check_seed(_events(bad), signature_valid)
    assert not check.ok and "signature for round 657413 is not valid" in check.detail
    events = _events(revealed)
    events[-1] = LotteryStarted(seed=revealed.seed + 1, open_shifts=1)
    assert "does not follow" in check_seed(events, signature_valid).detail
    later = revealed_from_beacon(QUICK["round"] + 1, QUICK["signature"], None)
    assert "not the committed round" in check_seed(_events(later), signature_valid).detail


def test_an_offline_secret_is_checked_against_its_commitment():
    secret = "11" * 32
    revealed = revealed_from_secret(secret)
    committed = SeedCommitted(source="offline", commitment=commitment_of(secret))
    assert check_seed(_events(revealed, committed), signature_valid).ok
    other = SeedCommitted(source="offline", commitment=commitment_of("22" * 32))
    check = check_seed(_events(revealed, other), signature_valid)
    assert not check.ok and "does not match its SHA-256 commitment" in check.detail


def test_endpoints_come_from_vakt_drand_url_or_drands_public_relays(monkeypatch):
    monkeypatch.delenv("VAKT_DRAND_URL", raising=False)
    assert endpoints() == ["https://api.drand.sh", "https://api2.drand.sh", "https://drand.cloudflare.com"]
    monkeypatch.setenv("VAKT_DRAND_URL", "http://relay.legevakt.local/, https://api.drand.sh")
    assert endpoints() == ["http://relay.legevakt.local", "https://api.drand.sh"]


def test_the_fetch_activity_reads_a_round_from_a_beacon_and_checks_it():
    """R-LOT-5: the activity fetches the committed round over HTTP (a local fake relay serving
    real rounds); a relay serving a changed signature, or none at all, is an error — never a
    round used unchecked."""
    async def scenario():
        with fake_beacon() as beacon:
            seeds = SeedActivities(secrets=None, drand_urls=beacon.url)  # type: ignore[arg-type]
            got = await seeds.fetch_beacon_round(BeaconRoundInput(chain=chain("quicknet"), round=QUICK["round"]))
            assert got.signature == QUICK["signature"] and got.previous_signature is None
            chained = await fetch_round(chain("default"), CHAINED["round"], [beacon.url])
            assert chained["previous_signature"] == CHAINED["previous_signature"]
            beacon.mode = "tampered"
            with pytest.raises(BeaconError, match="invalid signature"):
                await fetch_round(chain("quicknet"), QUICK["round"], [beacon.url])
            beacon.mode = "down"
            with pytest.raises(ApplicationError, match="not available") as e:
                await seeds.fetch_beacon_round(BeaconRoundInput(chain=chain("quicknet"), round=QUICK["round"]))
            assert e.value.type == "BeaconUnavailable"
            beacon.mode = "up"  # the second endpoint answers when the first cannot
            got = await fetch_round(chain("quicknet"), QUICK["round"], ["http://127.0.0.1:9", beacon.url])
            assert got["signature"] == QUICK["signature"]

    asyncio.run(scenario())
