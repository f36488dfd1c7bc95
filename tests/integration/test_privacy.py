"""What anyone with access to the Temporal cluster (its API, CLI or Web UI without the codec
endpoint) can read of a live period: no doctor id, no date of the period, no rule text.

A whole round runs on a real dev server — a staff entry, a refused wish, an operator's deadline
extension and early close, the lottery, publication — and its raw history is read with a client
that has no key. Every payload must be encrypted and every failure message encoded; what is
left in the clear (event types, task queues, timestamps, ids of the workflow) must name nothing
of the period. With the key, the same history reads in full.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import uuid
from datetime import timedelta

from temporalio.client import Client

from adapters.postgres.projections import RosterProjection
from adapters.postgres.event_store import EventStore
from worker import create_worker
from app.periods.live import act, close_phase, extend_deadline, start_period
from infra.codec import ENCODING
from tests.integration.rounds import example_config
from tests.helpers.support import services_for
from workflows.period import AllocationPeriodWorkflow

RULE = re.compile(r"R-(PROC|MEET|LOT|QUAL|EX|LOAD|SWAP|DATA|REST|TIME)-\d")
ENCRYPTED = base64.b64encode(ENCODING).decode()


def _strip_sealed(node, seen: dict) -> object:
    """The history with every payload's ciphertext and every encoded failure removed, after
    checking that each one is sealed."""
    if isinstance(node, dict):
        if "metadata" in node and "data" in node and "type" in node["metadata"]:
            # A search attribute (VaktPeriod, VaktDistrict, VaktPhase): the server indexes it, so
            # it is in the clear by design — and checked below like everything else in the clear.
            return {"search attribute": base64.b64decode(node["data"]).decode()}
        if "metadata" in node and "data" in node and "encoding" in node["metadata"]:
            assert node["metadata"]["encoding"] == ENCRYPTED, f"a payload in the clear: {node['metadata']}"
            seen["payloads"] += 1
            return {"metadata": node["metadata"]}
        if "encodedAttributes" in node:
            assert node.get("message") == "Encoded failure", node.get("message")
            seen["failures"] += 1
        return {k: _strip_sealed(v, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [_strip_sealed(v, seen) for v in node]
    return node


async def test_raw_history_names_no_doctor_no_date_no_rule(dev_server, pg_pool, pg_database_url, tmp_path):
    suffix = uuid.uuid4().hex[:6]
    task_queue, period = f"privacy-{suffix}", f"privacy-{suffix}"
    config = example_config(period, meeting_in=timedelta(seconds=3), offering_for=timedelta(seconds=2))
    policy = config.district.policy.model_copy(update={"meeting_duration_hours": 60 / 3600})
    config = config.model_copy(update={"district": config.district.model_copy(update={"policy": policy})})
    store = EventStore(pg_pool, [RosterProjection()])
    services = services_for(pg_database_url, tmp_path, dev_server.client, TEMPORAL_TASK_QUEUE=task_queue)
    async with create_worker(dev_server.client, store, task_queue):
        await start_period(services, config, started_by="operator:Kari Nordmann")
        handle = dev_server.client.get_workflow_handle(period)
        assert (await act(services, period, "staff", "st01", "2027-01-04/night", actor="operator:Kari")).accepted
        refused = await act(services, period, "wish", "gp06", "2027-01-05/evening", actor="operator:Kari")
        assert refused.rule == "R-MEET-2"
        view = await handle.query(AllocationPeriodWorkflow.phase)
        await extend_deadline(
            services, period, until=view.next_deadline + timedelta(seconds=2), operator="Kari Nordmann",
            reason="room [bold]taken[/]",
        )
        for _ in range(100):
            view = await handle.query(AllocationPeriodWorkflow.phase)
            if view.meeting_open:
                break
            await asyncio.sleep(0.1)
        await close_phase(services, period, operator="Kari Nordmann", reason="all picks done")
        for _ in range(300):  # a live round stays open after publication (swaps, worked shifts)
            view = await handle.query(AllocationPeriodWorkflow.phase)
            if view.phase.value == "published" and view.stored_version == view.version:
                break
            await asyncio.sleep(0.1)
        await handle.terminate(reason="test over")
    await services.aclose()
    assert view.phase.value == "published"

    keyless = await Client.connect(dev_server.client.service_client.config.target_host, namespace="default")
    raw = (await keyless.get_workflow_handle(period).fetch_history()).to_json_dict()
    seen = {"payloads": 0, "failures": 0}
    clear = json.dumps(_strip_sealed(raw, seen))
    assert seen["payloads"] > 10
    for doctor in config.doctors:
        assert not re.search(rf"\b{re.escape(doctor.id)}\b", clear), f"doctor id {doctor.id} in the clear"
    for day in ("2027-01-04", "2027-01-05", "2027-01-17", "2027-01"):  # the period's dates and shift ids
        assert day not in clear, f"{day} in the clear"
    assert not RULE.search(clear), RULE.search(clear)
    assert "Kari" not in clear and "taken" not in clear

    # With the key (the workers', the CLI's, the Web UI's through the codec endpoint) all of it reads.
    history = await dev_server.client.get_workflow_handle(period).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes.input.payloads
    [inp] = await dev_server.client.data_converter.decode(started, [dict])
    assert inp["config"]["period"]["id"] == period and inp["config"]["doctors"][0]["id"] == config.doctors[0].id
