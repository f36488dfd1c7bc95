"""The burst: many doctors claiming at once through the front door, measured against a bare
no-op update on the same server. Shared by bench/bench_burst.py (against `vakt dev`) and the
burst test (tests/integration/test_burst.py)."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from app.bootstrap import Services
from app.periods.live import start_period, submit_actions
from app.demo.samples import SAMPLE_PATH
from bench.noop import NoopWorkflow
from domain import actors
from domain.period.calendar import PeriodCalendar
from domain.model import OSLO_TZ, PeriodConfig, Role
from domain.period.rules import ActionKind
from domain.scenario import parse_scenario, to_period_config
from workflows.messages import ActionRequest


def offering_now(period_id: str, *, offering_for: timedelta = timedelta(hours=2)) -> PeriodConfig:
    """The sample district (74 doctors, 575 shifts) with its meeting behind it: the workflow
    steps through the meeting at start and is in the offering, open for `offering_for`."""
    config = to_period_config(parse_scenario(json.loads(SAMPLE_PATH.read_text())))
    now = datetime.now(OSLO_TZ).replace(microsecond=0)
    period = config.period.model_copy(
        update={
            "id": period_id,
            "wishes_due": now - timedelta(hours=3),
            "meeting_at": now - timedelta(hours=2),
            "offering_closes": now + offering_for,
        }
    )
    policy = config.district.policy.model_copy(update={"meeting_duration_hours": 1.0})
    # A district of its own: one district has one round per period (R-PROC-5).
    district = config.district.model_copy(update={"id": f"d-{period_id}"[:64], "policy": policy})
    return config.model_copy(update={"period": period, "district": district})


def claimants(config: PeriodConfig, doctors: int) -> list[str]:
    """The first `doctors` GPs and substitutes of the district: who claims in a burst."""
    return [d.id for d in config.doctors if d.role is not Role.STAFF][:doctors]


def claims(config: PeriodConfig, count: int, doctors: int, seed: int = 7) -> list[tuple[str, str]]:
    """`count` claims by `doctors` GPs and substitutes on random shifts: many collide."""
    rng = random.Random(seed)
    who = claimants(config, doctors)
    shifts = [s.id for s in PeriodCalendar.from_config(config).shifts]
    return [(rng.choice(who), rng.choice(shifts)) for _ in range(count)]


@dataclass
class BurstResult:
    actions: int
    accepted: int
    refused: int
    seconds: float
    latencies: list[float] = field(repr=False)

    @property
    def per_second(self) -> float:
        return self.actions / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def summary(self) -> dict:
        return {
            "actions": self.actions, "accepted": self.accepted, "refused": self.refused,
            "seconds": round(self.seconds, 3), "per_second": round(self.per_second, 1),
            "p50_ms": round(self.percentile(0.50) * 1000, 1), "p99_ms": round(self.percentile(0.99) * 1000, 1),
        }


async def burst(services: Services, period: str, actions: list[tuple[str, str]], in_flight: int) -> BurstResult:
    """`in_flight` clients, each sending its share of the actions one after another, all through
    the one front door of `services` — as the web service's requests would."""
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for item in actions:
        queue.put_nowait(item)
    latencies: list[float] = []
    outcomes = []

    async def client() -> None:
        while not queue.empty():
            doctor, shift = queue.get_nowait()
            request = ActionRequest(
                request_id=uuid.uuid4().hex, kind=ActionKind.OFFERING_CLAIM, doctor=doctor, shift=shift,
                actor=actors.doctor(doctor),
            )
            started = time.perf_counter()
            [outcome] = await submit_actions(services, period, [request])
            latencies.append(time.perf_counter() - started)
            outcomes.append(outcome)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(in_flight)))
    seconds = time.perf_counter() - started
    accepted = sum(o.accepted for o in outcomes)
    return BurstResult(len(outcomes), accepted, len(outcomes) - accepted, seconds, latencies)


async def noop_throughput(client: Client, task_queue: str, updates: int, in_flight: int) -> float:
    """Bare no-op updates per second on one workflow with `in_flight` concurrent callers."""
    async with Worker(client, task_queue=task_queue, workflows=[NoopWorkflow]):
        handle = await client.start_workflow(
            NoopWorkflow.run, id=f"bench-noop-{uuid.uuid4().hex[:8]}", task_queue=task_queue
        )
        remaining = iter(range(updates))

        async def caller() -> None:
            for i in remaining:
                await handle.execute_update(NoopWorkflow.noop, i)

        started = time.perf_counter()
        await asyncio.gather(*(caller() for _ in range(in_flight)))
        seconds = time.perf_counter() - started
        await handle.signal(NoopWorkflow.finish)
        await handle.result()
    return updates / seconds


NOOP_IN_FLIGHT = (1, 2, 4, 8, 10)  # Temporal admits at most 10 updates in flight per workflow


async def noop_bar(client: Client, updates: int) -> dict[int, float]:
    """The bar a burst is measured against: bare no-op updates/s at each of NOOP_IN_FLIGHT."""
    noop = {}
    for in_flight in NOOP_IN_FLIGHT:
        noop[in_flight] = await noop_throughput(client, "bench-noop", updates, in_flight)
        print(f"bare no-op update, {in_flight:>2} in flight: {noop[in_flight]:7.1f}/s", flush=True)
    return noop


async def start_offering_period(services: Services, period: str) -> PeriodConfig:
    config = offering_now(period)
    await start_period(services, config, started_by="operator:bench")
    await wait_for_offering(services, period)
    return config


async def wait_for_offering(services: Services, period: str) -> None:
    from workflows.period import AllocationPeriodWorkflow

    client = await services.temporal()
    handle = client.get_workflow_handle(period)
    for _ in range(300):
        view = await handle.query(AllocationPeriodWorkflow.phase)
        # Stored too: the web service finds a period by its stored status row.
        if view.phase.value == "offering" and view.stored_version == view.version:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{period} did not reach the offering with every event stored")


async def wait_for_notices(services: Services, period: str, *, quiet: float = 1.0, timeout: float = 60.0) -> int:
    """Wait until the period's notices sent at its start (the invitations, and reminders already
    due) have gone out: the mail log has some and no more arrive for `quiet` seconds. A clinic's
    offering opens days after its invitations; a benchmark's period starts in its offering, so
    without this its burst would race 70 invitation mails. How many were sent."""
    loop = asyncio.get_running_loop()
    give_up, last, since = loop.time() + timeout, -1, loop.time()
    db = await services.database()
    while loop.time() < give_up:
        sent = len(await db.mail_log.of_period(period))
        if sent != last:
            last, since = sent, loop.time()
        elif sent > 0 and loop.time() - since >= quiet:
            return sent
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{period}'s notices were still going out after {timeout:.0f} s")


async def checked(services: Services, period: str, sent: int, result: BurstResult) -> dict:
    """What a burst must never break, read back once the period has stored all it accepted:
    every action answered, no shift held twice, a contiguous and hash-chained log. Ends the
    period (a benchmark's period is thrown away)."""
    from adapters.postgres.chain import verify_chain
    from domain.period.events import parse_event
    from workflows.period import AllocationPeriodWorkflow

    handle = (await services.temporal()).get_workflow_handle(period)
    for _ in range(200):
        view = await handle.query(AllocationPeriodWorkflow.phase)
        if view.stored_version == view.version:
            break
        await asyncio.sleep(0.05)
    db = await services.database()
    stored = await db.store.read_stream(period)
    chain = verify_chain(period, await db.store.read_chain(period))
    await handle.terminate(reason="benchmark over")
    taken_events = [parse_event(e.data) for e in stored if e.type == "ShiftTaken"]
    taken = Counter(e.shift for e in taken_events)
    return {
        "every_action_answered": result.accepted + result.refused == sent,
        "no_shift_held_twice": not taken or max(taken.values()) == 1,
        "log_contiguous": [e.version for e in stored] == list(range(1, len(stored) + 1)),
        "hash_chain_intact": chain.ok,
        "every_acceptance_stored": result.accepted == sum(e.source.value == "offering" for e in taken_events),
    }


def median(values: list[float]) -> float:
    return statistics.median(values)
