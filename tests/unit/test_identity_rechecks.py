"""Who a session's person is, remembered per process (app/identity/sessions.py): each entry for a
random 60–100 % of its time to live, so doctors who signed in together are not all derived again
at the same moment, and never longer than the bound; requests that miss one entry at once share
one lookup."""

from __future__ import annotations

import asyncio

import pytest

from app.identity.sessions import PrincipalCache, SingleFlight


def test_entries_expire_spread_out_and_never_after_the_bound() -> None:
    now = [0.0]
    cache = PrincipalCache(ttl=5.0, clock=lambda: now[0])
    keys = [(f"gp{i}@x.no",) for i in range(200)]
    for key in keys:
        cache.put(key, None)
    now[0] = 2.9  # before 60 % of the time to live: all still known
    assert all(cache.get(k)[0] for k in keys)
    now[0] = 4.0  # in the spread: some derived again, not all
    known = sum(cache.get(k)[0] for k in keys)
    assert 20 < known < 180, known
    now[0] = 5.01  # past the bound: none
    assert not any(cache.get(k)[0] for k in keys)


def test_forgetting_one_address_and_everyone() -> None:
    cache = PrincipalCache(ttl=5.0, clock=lambda: 0.0)
    cache.put(("a@x.no", "link"), None)
    cache.put(("a@x.no", "oidc"), None)
    cache.put(("b@x.no", "link"), None)
    cache.forget("A@x.no")
    assert not cache.get(("a@x.no", "link"))[0] and not cache.get(("a@x.no", "oidc"))[0]
    assert cache.get(("b@x.no", "link"))[0]
    cache.forget_all()
    assert not cache.get(("b@x.no", "link"))[0]


async def test_concurrent_misses_share_one_lookup() -> None:
    flight, calls = SingleFlight(), []

    async def lookup() -> str:
        calls.append(1)
        await asyncio.sleep(0.01)
        return "principal"

    answers = await asyncio.gather(*(flight.run("a@x.no", lookup) for _ in range(50)))
    assert answers == ["principal"] * 50 and len(calls) == 1
    assert await flight.run("a@x.no", lookup) == "principal" and len(calls) == 2  # done: the next one reads again


async def test_a_failed_lookup_fails_every_waiter_and_the_next_reads_again() -> None:
    flight = SingleFlight()

    async def down() -> str:
        await asyncio.sleep(0.01)
        raise ConnectionError("database down")

    answers = await asyncio.gather(*(flight.run("k", down) for _ in range(5)), return_exceptions=True)
    assert all(isinstance(a, ConnectionError) for a in answers)

    async def up() -> str:
        return "ok"

    assert await flight.run("k", up) == "ok"


async def test_a_cancelled_first_request_leaves_the_others_to_read_for_themselves() -> None:
    flight, calls = SingleFlight(), []

    async def lookup() -> str:
        calls.append(1)
        await asyncio.sleep(0.05)
        return "principal"

    first = asyncio.create_task(flight.run("k", lookup))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(flight.run("k", lookup))
    await asyncio.sleep(0.01)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await second == "principal" and len(calls) == 2
