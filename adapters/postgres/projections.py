"""RosterProjection: the operators' read side (roster rows, period status) in PostgreSQL.

Applied inside the append transaction by `EventStore`, so the projection and its recorded
position can never disagree with the events. Rebuildable from the events at any time.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from activities.store_models import StoredEvent
from domain.period.calendar import PeriodCalendar
from domain.period.events import (
    LotteryDrawn,
    MeetingOpened,
    PeriodOpened,
    PhaseClosed,
    RosterPublished,
    RoundCancelled,
    ShiftLeftUncovered,
    ShiftTaken,
    parse_event,
)
from domain.model import Phase

_UPSERT_ROSTER = """
    INSERT INTO roster_entries (stream_id, shift_id, doctor_id, source, rule, reason, version)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (stream_id, shift_id) DO UPDATE
    SET doctor_id = EXCLUDED.doctor_id, source = EXCLUDED.source, rule = EXCLUDED.rule,
        reason = EXCLUDED.reason, version = EXCLUDED.version
"""


class RosterProjection:
    name = "roster"

    async def apply(self, conn: asyncpg.Connection, stream_id: str, events: list[StoredEvent]) -> None:
        roster_rows = []
        for stored in events:
            event = parse_event(stored.data)
            v, at = stored.version, stored.occurred_at
            match event:
                case PeriodOpened(config=config, simulated=simulated):
                    total = len(PeriodCalendar.from_config(config).shifts)
                    await conn.execute(
                        """
                        INSERT INTO period_status (stream_id, district_id, simulated, phase, shifts_total,
                                                   version, updated_at, period_start, period_end)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                        ON CONFLICT (stream_id) DO UPDATE SET district_id = EXCLUDED.district_id,
                            simulated = EXCLUDED.simulated, phase = EXCLUDED.phase,
                            shifts_total = EXCLUDED.shifts_total, version = EXCLUDED.version,
                            updated_at = EXCLUDED.updated_at, period_start = EXCLUDED.period_start,
                            period_end = EXCLUDED.period_end
                        """,
                        stream_id, config.district.id, simulated, Phase.MEETING.value, total, v, at,
                        config.period.start, config.period.end,
                    )
                case ShiftTaken(shift=shift, doctor=doctor, source=source):
                    roster_rows.append((stream_id, shift, doctor, source.value, None, None, v))
                case LotteryDrawn(shift=shift, doctor=doctor):
                    roster_rows.append((stream_id, shift, doctor, "lottery", None, None, v))
                case ShiftLeftUncovered(shift=shift, rule=rule, reason=reason):
                    roster_rows.append((stream_id, shift, None, "uncovered", rule, reason, v))
                case MeetingOpened(quota=quota):
                    await self._status(conn, stream_id, v, at, meeting_open=True, quota=quota.base)
                case PhaseClosed(next_phase=nxt):
                    await self._status(conn, stream_id, v, at, phase=nxt.value, meeting_open=False)
                case RoundCancelled():
                    await self._status(conn, stream_id, v, at, phase=Phase.CANCELLED.value, meeting_open=False)
                case RosterPublished(unsafe=unsafe):
                    await self._status(conn, stream_id, v, at, phase=Phase.PUBLISHED.value, unsafe=list(unsafe))
        if roster_rows:
            await conn.executemany(_UPSERT_ROSTER, roster_rows)
        if events:
            await conn.execute(
                "UPDATE period_status SET version = $2, updated_at = $3 WHERE stream_id = $1",
                stream_id, events[-1].version, events[-1].occurred_at,
            )

    async def _status(self, conn: asyncpg.Connection, stream_id: str, version: int, at, **columns) -> None:
        # jsonb values go through the pool's JSON codec (adapters.postgres.schema).
        sets = ", ".join(f"{name} = ${i + 4}" for i, name in enumerate(columns))
        await conn.execute(
            f"UPDATE period_status SET {sets}, version = $2, updated_at = $3 WHERE stream_id = $1",
            stream_id, version, at, *columns.values(),
        )

    async def reset(self, conn: asyncpg.Connection, stream_id: str) -> None:
        await conn.execute("DELETE FROM roster_entries WHERE stream_id = $1", stream_id)
        await conn.execute("DELETE FROM period_status WHERE stream_id = $1", stream_id)


class ProjectionReader:
    """Reads of the projection for operators' views (`vakt status`), with no Temporal."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def status_row(self, stream_id: str) -> dict | None:
        row = await self.pool.fetchrow(
            "SELECT district_id, simulated, phase, meeting_open, quota, shifts_total, unsafe, version, updated_at "
            "FROM period_status WHERE stream_id = $1",
            stream_id,
        )
        return dict(row) if row else None

    async def shifts_by_source(self, stream_id: str) -> dict[str, int]:
        rows = await self.pool.fetch(
            "SELECT source, count(*) AS n FROM roster_entries WHERE stream_id = $1 GROUP BY source", stream_id
        )
        return {r["source"]: r["n"] for r in rows}

    async def last_event(self, stream_id: str) -> tuple[int, datetime] | None:
        row = await self.pool.fetchrow(
            "SELECT version, occurred_at FROM events WHERE stream_id = $1 ORDER BY version DESC LIMIT 1", stream_id
        )
        return (row["version"], row["occurred_at"]) if row else None

    async def periods(self) -> list[str]:
        """Every round in the projection."""
        return [r["stream_id"] for r in await self.pool.fetch("SELECT stream_id FROM period_status ORDER BY stream_id")]

    async def overlapping(self, district_id: str, start, end, *, other_than: str) -> str | None:
        """A round of the district, not cancelled, whose dates overlap [start, end] (R-PROC-5)."""
        return await self.pool.fetchval(
            "SELECT stream_id FROM period_status WHERE district_id = $1 AND stream_id <> $4"
            " AND phase <> 'cancelled' AND period_start <= $3 AND period_end >= $2 ORDER BY period_start LIMIT 1",
            district_id, start, end, other_than,
        )

    async def district_rounds(self, district_id: str, *, before: object = None) -> list[dict]:
        """The district's rounds, newest first (published ones carry balances, R-LOAD-1)."""
        rows = await self.pool.fetch(
            "SELECT stream_id, phase, period_start, period_end FROM period_status WHERE district_id = $1"
            " AND ($2::date IS NULL OR period_start < $2) ORDER BY period_start DESC",
            district_id, before,
        )
        return [dict(r) for r in rows]

    async def phase(self, stream_id: str) -> str | None:
        return await self.pool.fetchval("SELECT phase FROM period_status WHERE stream_id = $1", stream_id)
