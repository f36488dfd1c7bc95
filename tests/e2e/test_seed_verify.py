"""R-LOT-5 end to end: a round whose district draws its seed from drand, simulated through the
real workflow and activities against a local relay serving a real, published beacon round; then
`vakt verify` checks the beacon's BLS signature and the seed. One changed byte of the stored
signature makes verify exit 1 and say why. An offline round's secret is checked likewise."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import asyncpg
import pytest

from tests.e2e.test_cli import EXAMPLE, vakt
from tests.helpers.fake_beacon import chain, fake_beacon, one_byte_changed, stored

QUICK = stored()["chains"]["quicknet"]["rounds"][0]
CHAINED = stored()["chains"]["default"]["rounds"][0]


def scenario_in_2023(tmp_path, policy: dict, offering_closes: str) -> str:
    """The example scenario moved back whole weeks (weekdays kept) to September 2023, so that its
    offering closes just before a stored beacon round was published."""
    text = EXAMPLE.read_text()
    doc = json.loads(text)
    closes = date.fromisoformat(offering_closes[:10])
    weeks = (date.fromisoformat(doc["period"]["offering_closes"][:10]) - closes).days // 7 + 1
    shift = timedelta(weeks=weeks)
    moved = re.sub(r"\d{4}-\d{2}-\d{2}", lambda m: (date.fromisoformat(m.group()) - shift).isoformat(), text)
    doc = json.loads(moved)
    doc["period"]["id"] = f"seed-{policy['seed_source']}-2023"
    doc["period"]["offering_closes"] = offering_closes
    doc["district"]["policy"].update(policy)
    assert doc["period"]["meeting_at"] < offering_closes < doc["period"]["start"], doc["period"]
    path = tmp_path / f"{doc['period']['id']}.json"
    path.write_text(json.dumps(doc))
    return str(path)


async def _tamper_signature(database_url: str, period: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        signature = await conn.fetchval(
            "SELECT data->>'signature' FROM simulation.events WHERE stream_id = $1 AND type = 'SeedRevealed'", period)
        await conn.execute(
            """UPDATE simulation.events SET data = jsonb_set(data, '{signature}', to_jsonb($2::text))
               WHERE stream_id = $1 AND type = 'SeedRevealed'""",
            period, one_byte_changed(signature),
        )
    finally:
        await conn.close()


@pytest.mark.parametrize("name, closes, stored_round", [
    ("quicknet", "2023-09-15T13:00:00", QUICK),
    ("default", "2023-09-15T13:54:59", CHAINED),
])
async def test_verify_checks_a_real_drand_round_and_a_changed_byte_fails_it(
        database_url, tmp_path, monkeypatch, name, closes, stored_round):
    """R-LOT-5: committed when the offering opened to the first round after it closes (13:00
    Oslo = 11:00 UTC → quicknet round 657413), fetched from the relay at the draw, the seed
    derived from its signature alone; verify says the signature is valid and the seed follows."""
    beacon_chain = chain(name).model_dump()
    path = scenario_in_2023(tmp_path, {"seed_source": "drand", "beacon": beacon_chain}, closes)
    with fake_beacon() as beacon:
        monkeypatch.setenv("VAKT_DRAND_URL", beacon.url)
        run = vakt("simulate", path, "--json", database_url=database_url)
        assert run.returncode == 0, run.stderr
        assert beacon.requests == [f"/{beacon_chain['hash']}/public/{stored_round['round']}"]
    period = json.loads(run.stdout)["period"]
    ok = vakt("verify", period, database_url=database_url)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"drand round {stored_round['round']}" in ok.stdout
    assert "BLS signature is valid" in ok.stdout and "seed" in ok.stdout
    report = json.loads(vakt("verify", period, "--json", database_url=database_url).stdout)
    assert report["seed"]["ok"] and report["lottery"]["seed"] == int(stored_round["randomness"][:16], 16) >> 1

    await _tamper_signature(database_url, period)
    bad = vakt("verify", period, database_url=database_url)
    assert bad.returncode == 1
    assert "SEED NOT VERIFIED" in bad.stdout and f"signature for round {stored_round['round']} is not valid" in bad.stdout


async def test_verify_checks_an_offline_secret_against_its_commitment(database_url, tmp_path):
    """R-LOT-5 offline: the SHA-256 recorded when the offering opened, the secret (kept in
    PostgreSQL until then) revealed at the draw, the seed from the secret alone."""
    path = scenario_in_2023(tmp_path, {"seed_source": "offline"}, "2023-09-15T13:00:00")
    run = vakt("simulate", path, "--json", database_url=database_url)
    assert run.returncode == 0, run.stderr
    period = json.loads(run.stdout)["period"]
    ok = vakt("verify", period, database_url=database_url)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "seed from offline: the revealed secret matches its commitment" in ok.stdout
    conn = await asyncpg.connect(database_url)
    try:
        kinds = [r["type"] for r in await conn.fetch(
            "SELECT type FROM simulation.events WHERE stream_id = $1 ORDER BY version", period)]
        assert kinds.index("SeedCommitted") < kinds.index("SeedRevealed") < kinds.index("LotteryStarted")
        # Committed as the offering opened (right after the meeting closed), before any claim.
        assert kinds[kinds.index("SeedCommitted") - 1] == "PhaseClosed"
        assert kinds[: kinds.index("SeedCommitted")].count("PhaseClosed") == 1
    finally:
        await conn.close()
