"""Benchmark: the event store's idempotent, hash-chained, batched append against PostgreSQL's
`COPY` of the same rows, in one run on an embedded PostgreSQL.

    .venv/bin/python bench/bench_append.py [--events 20000] [--runs 3]

The append (adapters/postgres/event_store.py) does what a bare COPY does not: it locks the stream, checks
which event ids are already stored (a retried activity stores nothing twice), checks the
version, asks PostgreSQL for the canonical text of each jsonb value and chains the hashes,
inserts with ON CONFLICT, and updates the roster projection in the same transaction. The ratio
says what all of that costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from activities.batching import APPEND_BATCH_BYTES, encoded_size  # noqa: E402
from adapters.postgres.schema import create_pool, migrate  # noqa: E402
from adapters.postgres.projections import RosterProjection  # noqa: E402
from adapters.postgres.event_store import AppendEventsInput, EventStore, NewEvent  # noqa: E402
from infra.embedded import embedded_postgres_url  # noqa: E402


def events(n: int) -> list[NewEvent]:
    """Picks as a meeting makes them: ShiftTaken events of realistic size."""
    t0 = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    return [
        NewEvent(
            event_id=uuid.uuid4(), version=v, type="ShiftTaken",
            data={"type": "ShiftTaken", "shift": f"2027-{1 + v % 12:02d}-{1 + v % 28:02d}/s{v % 8}-evening",
                  "doctor": f"gp{v % 1000:04d}", "source": "meeting"},
            occurred_at=t0 + timedelta(milliseconds=v), actor=f"doctor:gp{v % 1000:04d}",
        )
        for v in range(1, n + 1)
    ]


def batches(stream: str, evs: list[NewEvent]) -> list[AppendEventsInput]:
    out, current, size = [], [], 0
    for e in evs:
        w = encoded_size(e)
        if current and size + w > APPEND_BATCH_BYTES:
            out.append(AppendEventsInput(stream_id=stream, stream_kind="live", events=current))
            current, size = [], 0
        current.append(e)
        size += w
    out.append(AppendEventsInput(stream_id=stream, stream_kind="live", events=current))
    return out


async def run(n: int, runs: int) -> dict:
    url = embedded_postgres_url(Path(tempfile.mkdtemp(prefix="vakt-bench-append-")), cleanup_mode="delete")
    pool = await create_pool(url, max_size=2)
    await migrate(pool)
    await pool.execute("CREATE TABLE copy_target (LIKE events INCLUDING DEFAULTS)")
    store = EventStore(pool, [RosterProjection()])
    appends, copies, retries = [], [], []
    for r in range(runs):
        evs = events(n)
        stream = f"bench-{r}"
        await pool.execute(
            "INSERT INTO period_status (stream_id, district_id, simulated, phase, shifts_total, version, updated_at)"
            " VALUES ($1, 'bench', false, 'meeting', 0, 0, now())", stream,
        )
        work = batches(stream, evs)
        t = time.perf_counter()
        for b in work:
            await store.append(b)
        appends.append(time.perf_counter() - t)
        t = time.perf_counter()
        for b in work:  # every batch again, as a retried activity would send it: nothing stored twice
            assert (await store.append(b)).inserted == 0
        retries.append(time.perf_counter() - t)
        rows = [
            (e.event_id, stream, e.version, e.type, json.dumps(e.data), e.occurred_at, e.actor)
            for e in evs
        ]
        conn = await asyncpg.connect(url)  # asyncpg's own jsonb codec, which COPY's binary format needs
        try:
            t = time.perf_counter()
            await conn.copy_records_to_table(
                "copy_target", records=[(i + 1, *row) for i, row in enumerate(rows)],
                columns=["position", "event_id", "stream_id", "version", "type", "data", "occurred_at", "actor"],
            )
            copies.append(time.perf_counter() - t)
        finally:
            await conn.close()
        await pool.execute("TRUNCATE copy_target")
    await pool.close()
    a, c, rt = statistics.median(appends), statistics.median(copies), statistics.median(retries)
    return {
        "events": n, "batches": len(work), "append_s": round(a, 3), "copy_s": round(c, 3),
        "retried_append_s": round(rt, 3), "append_per_s": round(n / a), "copy_per_s": round(n / c),
        "ratio_append_over_copy": round(a / c, 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.events, args.runs)), indent=1))
