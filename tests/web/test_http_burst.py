"""The front door's burst guarantee through HTTP: every doctor of the example district
signed in through a mailed link, then 200 claims with 40 requests in flight, each with its own
doctor's session. Every answer is definite — 200 accepted with a version, or 409 refused with a
rule — no shift has two holders, every acceptance is stored and the log is contiguous and
hash-chained. The figures live in bench/bench_http_burst.py and the README, not here."""

from __future__ import annotations

from datetime import timedelta

from bench.burst import checked, claimants, claims
from bench.http_burst import http_burst, sign_in_all
from domain.model import Phase
from tests.integration.rounds import example_config
from tests.web.stack import close_until, email_of, start_example_period


async def test_a_burst_of_signed_in_doctors_gets_definite_answers(web):
    period = await start_example_period(web)
    await close_until(web, period, Phase.OFFERING)
    config = example_config(period, meeting_in=timedelta(0))  # the same doctors and shifts
    doctors = claimants(config, doctors=100)
    sessions = await sign_in_all(web.base_url, web.maildir, {d: email_of(d) for d in doctors})
    assert set(sessions) == set(doctors) and len({s.cookie for s in sessions.values()}) == len(doctors)

    actions = claims(config, count=200, doctors=len(doctors), seed=11)
    result = await http_burst(web.base_url, period, sessions, actions, connections=40)

    assert result.actions == 200 and set(result.statuses) <= {200, 409}, result.statuses
    assert result.accepted > 0 and result.refused > 0  # the claims collide: both answers occur
    checks = await checked(web.services, period, 200, result)
    web.period = None  # `checked` ended the period
    assert all(checks.values()), checks
