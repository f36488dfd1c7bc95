"""A fake `Database` (the unit of work) with in-memory repositories, and fake `Services` around it:
use cases run without PostgreSQL or Temporal, as cosmicpython's FakeUnitOfWork lets its handlers.

Each fake keeps the contract of its PostgreSQL repository (adapters/postgres/…) that the use
cases rely on — what is returned, what None means — not its SQL. Only what the use-case tests
need is here; a use case that reaches for more fails loudly with AttributeError.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from activities.store_models import StoredEvent
from adapters.postgres.accounts import AccountRow
from adapters.postgres.registry import Contact, ImportOutcome, PolicyUpdate, StoredDistrict
from adapters.postgres.requests import StoredRequest
from app.identity.sessions import PrincipalCache, SessionCutoffs
from app.reads.period_cache import PeriodCache
from domain.clock import Clock, FixedClock
from domain.district import DistrictPolicy
from domain.period.events import DomainEvent
from domain.registry.history import diff, doctor_fields
from domain.registry.policy import policy_diff
from domain.registry.records import DistrictRecord, RegistryDoctor, RegistryImport


def _now() -> datetime:
    return datetime.now(UTC)


class FakeRegistry:
    def __init__(self) -> None:
        self.districts_by_id: dict[str, StoredDistrict] = {}
        self.rolls: dict[str, dict[str, RegistryDoctor]] = {}

    async def import_district(self, district_id: str, data: RegistryImport, *, actor: str, today: date) -> ImportOutcome:
        created = district_id not in self.districts_by_id
        if created:
            record = DistrictRecord(
                id=district_id, name=data.name or district_id, policy=data.policy or DistrictPolicy(),
                **({"shift_template": data.shift_template} if data.shift_template else {}),
            )
            self.districts_by_id[district_id] = StoredDistrict(record, _now(), _now())
        roll = self.rolls.setdefault(district_id, {})
        stored = dict(roll)
        added = changed = unchanged = left = 0
        for doctor in data.doctors:
            old = stored.pop(doctor.id, None)
            if old is None:
                added += 1
            elif diff(doctor_fields(old), doctor_fields(doctor)):
                changed += 1
            else:
                unchanged += 1
            roll[doctor.id] = doctor
        for doctor in stored.values():
            if doctor.left_on is None:
                roll[doctor.id] = doctor.model_copy(update={"left_on": today})
                left += 1
        return ImportOutcome(district_id, created, added, changed, left, unchanged)

    async def update_policy(
        self, district_id: str, change: Callable[[DistrictPolicy], DistrictPolicy], *, actor: str
    ) -> PolicyUpdate | None:
        stored = self.districts_by_id.get(district_id)
        if stored is None:
            return None
        new = change(stored.record.policy)
        self.districts_by_id[district_id] = StoredDistrict(
            stored.record.model_copy(update={"policy": new}), stored.created_at, _now()
        )
        return PolicyUpdate(policy=new, changes=policy_diff(stored.record.policy, new))

    async def change_doctor(self, district_id: str, doctor_id: str, change, *, actor: str, conn=None):
        old = self.rolls.get(district_id, {}).get(doctor_id)
        if old is None:
            return None
        new = change(old)
        self.rolls[district_id][doctor_id] = new
        return new, diff(doctor_fields(old), doctor_fields(new))

    async def doctor(self, district_id: str, doctor_id: str) -> RegistryDoctor | None:
        return self.rolls.get(district_id, {}).get(doctor_id)

    async def district(self, district_id: str) -> StoredDistrict | None:
        return self.districts_by_id.get(district_id)

    async def districts(self) -> list[DistrictRecord]:
        return [self.districts_by_id[k].record for k in sorted(self.districts_by_id)]

    async def doctors(self, district_id: str, *, as_of: date | None = None) -> list[RegistryDoctor]:
        roll = self.rolls.get(district_id, {})
        return [
            d for _, d in sorted(roll.items())
            if as_of is None or ((d.joined_on is None or d.joined_on <= as_of) and (d.left_on is None or d.left_on >= as_of))
        ]

    async def doctor_names(self, district_id: str) -> dict[str, str]:
        return {d.id: d.name for d in await self.doctors(district_id)}

    async def contact(self, district_id: str, doctor_id: str) -> Contact | None:
        d = await self.doctor(district_id, doctor_id)
        return None if d is None else Contact(d.email, d.mobile)


class FakeAccounts:
    def __init__(self) -> None:
        self.rows: dict[str, AccountRow] = {}
        self.disabled: set[str] = set()
        self.cutoffs: dict[str, datetime] = {}

    async def put_account(self, email: str, role: str, name: str, *, created_by: str,
                          districts: tuple[str, ...] | None = None) -> tuple[bool, AccountRow] | None:
        old = self.rows.get(email)
        if old is None and districts is None:
            return None
        account_id = old.account_id if old else f"acct-{len(self.rows) + 1}"
        self.rows[email] = AccountRow(email, role, name, account_id, districts or old.districts)
        self.disabled.discard(email)
        return old is None, self.rows[email]

    async def disable_account(self, email: str, *, by: str) -> datetime | None:
        if email not in self.rows or email in self.disabled:
            return None
        self.disabled.add(email)
        return await self.end_sessions(email, by=by)

    async def end_sessions(self, email: str, *, by: str) -> datetime:
        self.cutoffs[email.lower()] = _now()
        return self.cutoffs[email.lower()]

    async def session_cutoff(self, email: str) -> datetime | None:
        return self.cutoffs.get(email.lower())

    async def account(self, email: str) -> AccountRow | None:
        return None if email in self.disabled else self.rows.get(email)

    async def accounts(self) -> list[AccountRow]:
        return [r for e, r in sorted(self.rows.items()) if e not in self.disabled]


class FakeRequests:
    def __init__(self) -> None:
        self.rows: dict[int, StoredRequest] = {}
        self._ids = itertools.count(1)

    async def submit(self, district_id: str, doctor_id: str, kind: str, details: dict, *, actor: str) -> StoredRequest:
        request = StoredRequest(
            request_id=next(self._ids), district_id=district_id, doctor_id=doctor_id, kind=kind, details=details,
            submitted_by=actor, submitted_at=_now(), status="pending",
        )
        self.rows[request.request_id] = request
        return request

    async def get(self, request_id: int) -> StoredRequest | None:
        return self.rows.get(request_id)

    async def pending(self, limit: int = 500) -> list[StoredRequest]:
        return [r for r in self.rows.values() if r.status == "pending"][:limit]

    async def of_doctor(self, district_id: str, doctor_id: str, limit: int = 100) -> list[StoredRequest]:
        mine = [r for r in self.rows.values() if (r.district_id, r.doctor_id) == (district_id, doctor_id)]
        return sorted(mine, key=lambda r: (r.submitted_at, r.request_id), reverse=True)[:limit]

    async def withdraw(self, request_id: int, district_id: str, doctor_id: str, *, actor: str) -> StoredRequest | None:
        r = self.rows.get(request_id)
        if r is None or (r.district_id, r.doctor_id) != (district_id, doctor_id) or r.status != "pending":
            return None
        self.rows[request_id] = r.model_copy(update={"status": "withdrawn", "decided_by": actor, "decided_at": _now()})
        return self.rows[request_id]


class FakeEventStore:
    """Streams of stored events, as the read side sees them (no appends: the workflow's job)."""

    def __init__(self, kind: str = "live") -> None:
        self.kind = kind
        self.streams: dict[str, list[StoredEvent]] = {}
        self.created: dict[str, datetime] = {}
        self.reads: list[tuple[str, int, tuple[str, ...] | None]] = []  # (stream, after_version, types) per read

    def add_stream(self, stream_id: str, events: Iterable[DomainEvent], *, actor: str = "operator:test") -> None:
        """The stream written anew (a simulation re-run replaces its stream: a new creation time)."""
        self.streams[stream_id] = []
        self.created[stream_id] = datetime.now(UTC) + timedelta(microseconds=len(self.created))
        self.append(stream_id, events, actor=actor)

    def append(self, stream_id: str, events: Iterable[DomainEvent], *, actor: str = "operator:test") -> None:
        stream = self.streams.setdefault(stream_id, [])
        self.created.setdefault(stream_id, _now())
        for e in events:
            i = len(stream) + 1
            stream.append(StoredEvent(
                position=i, event_id=f"00000000-0000-4000-8000-{i:012d}", stream_id=stream_id, version=i,
                type=e.type, data=e.model_dump(mode="json"), occurred_at=_now(), recorded_at=_now(), actor=actor,
            ))

    async def stream_kind(self, stream_id: str) -> str | None:
        return self.kind if stream_id in self.streams else None

    async def stream_position(self, stream_id: str) -> tuple[datetime, int] | None:
        if stream_id not in self.streams:
            return None
        return self.created[stream_id], len(self.streams[stream_id])

    async def stored_version(self, stream_id: str) -> int:
        return len(self.streams.get(stream_id, []))

    async def read_stream(self, stream_id: str, after_version: int = 0, types=None, limit=None) -> list[StoredEvent]:
        self.reads.append((stream_id, after_version, tuple(types) if types else None))
        events = [e for e in self.streams.get(stream_id, []) if e.version > after_version]
        events = [e for e in events if types is None or e.type in types]
        return events[:limit] if limit else events


class FakeRejections:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    async def for_doctor(self, period: str, doctor: str) -> list[dict[str, Any]]:
        return [r for r in self.rows if r.get("period") == period and r.get("doctor") == doctor]


@dataclass
class FakeUrls:
    def redacted(self) -> str:
        return "fake"


class FakePool:
    """Enough of a pool for a use case that opens a transaction around several repositories:
    the fakes apply each change at once, so the transaction is a no-op."""

    @asynccontextmanager
    async def acquire(self):
        yield self

    @asynccontextmanager
    async def transaction(self):
        yield self


class FakeDatabase:
    """The `Database` the use cases see, every repository in memory."""

    def __init__(self, kind: str = "live") -> None:
        self.pool = FakePool()
        self.urls = FakeUrls()
        self.store = FakeEventStore(kind)
        self.rejections = FakeRejections()
        self.registry = FakeRegistry()
        self.accounts = FakeAccounts()
        self.requests = FakeRequests()

    async def aclose(self) -> None:
        return None


class FakeServices:
    """`app.bootstrap.Services` for use cases that need only the database: no Temporal here."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or FixedClock(datetime(2027, 1, 4, 9, tzinfo=UTC))
        self.db = FakeDatabase()
        self.simulation_db = FakeDatabase("simulation")
        self.session_cutoffs = SessionCutoffs()
        self.principals = PrincipalCache()
        self.reads = PeriodCache()

    async def database(self) -> FakeDatabase:
        return self.db

    async def simulation_database(self) -> FakeDatabase:
        return self.simulation_db

    async def temporal(self):
        raise AssertionError("a use case under test reached for Temporal")
