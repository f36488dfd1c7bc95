"""A published example round under R-SWAP-2's `within_hours` policy, for the approval tests: the
hours reach to 10 January 2027, so gp05's Saturday day shift (9 January) is a late one whose swap
waits for an operator, while the period's last week is early. Kari serves the district."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

from domain.model import OSLO_TZ, Phase
from domain.swap_policy import SwapApprovalPolicy
from tests.integration.rounds import EXAMPLE, example_config
from tests.web.stack import OPERATOR, Stack, close_until, email_of, wait_phase

DAY = "2027-01-09/day"  # gp05 claims it; a late shift under the policy
RECEIVER_NAME = "Lars Nordmann"  # sub02, who may take it
LATE_UNTIL = datetime(2027, 1, 10, 0, 0, tzinfo=OSLO_TZ)
HTML = {"Accept": "text/html"}


def approval_policy(now: datetime) -> SwapApprovalPolicy:
    return SwapApprovalPolicy(mode="within_hours", hours=math.ceil((LATE_UNTIL - now) / timedelta(hours=1)))


async def start_round_under_approval(stack: Stack) -> str:
    from app.identity.accounts import add_account
    from app.periods.live import start_period
    from app.registry.districts import import_scenario

    services = stack.services
    await import_scenario(services, "demo", EXAMPLE, actor="admin:test")
    await add_account(services, OPERATOR[0], "operator", OPERATOR[1], actor="admin:test", districts=["demo"])
    period = f"web-{uuid.uuid4().hex[:6]}"
    config = example_config(period, meeting_in=timedelta(seconds=3))
    policy = config.district.policy.model_copy(update={"swap_approval": approval_policy(datetime.now(OSLO_TZ))})
    config = config.model_copy(update={"district": config.district.model_copy(update={"policy": policy})})
    await start_period(services, config, started_by="operator:test")
    await wait_phase(stack, period, lambda s: s.opened)
    stack.period = period
    return period


async def published_under_approval(stack: Stack) -> str:
    """The round published with gp05 holding DAY (claimed in the offering)."""
    period = await start_round_under_approval(stack)
    await close_until(stack, period, Phase.OFFERING)
    gp05 = await stack.sign_in(email_of("gp05"))
    answer = await gp05.post(f"/api/periods/{period}/actions", json={"verb": "claim", "shift": DAY})
    assert answer.status_code == 200 and answer.json()["accepted"], answer.text
    kari = await stack.sign_in(OPERATOR[0])
    assert (await kari.post(f"/api/operator/rounds/{period}/close", json={"reason": "ferdig"})).status_code == 200
    await wait_phase(stack, period, lambda s: s.phase is Phase.PUBLISHED)
    return period
