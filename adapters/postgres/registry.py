"""The district registry in PostgreSQL (migration 006, live schema only).

`RegistryStore` imports a whole district in one transaction, reads districts and their rolls,
changes a district's policy and answers the mail sender's one question: where to reach a doctor.
Every change is recorded in `district_changes` (who, when, what: field, old, new) in the same
transaction as the change itself; that table refuses UPDATE and DELETE.

These rows hold personal data. Log ids and counts only, never a record or a change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

import asyncpg

from domain.district import DistrictPolicy
from domain.registry.records import STORED, DistrictRecord, RegistryDoctor, RegistryImport
from domain.registry.history import RegistryChange, diff, district_fields, doctor_fields
from domain.registry.policy import policy_diff
from domain.registry.roll_changes import RollChanged, roll_digest

log = logging.getLogger(__name__)

_DOCTOR_COLUMNS = (
    "role", "name", "mobile", "email", "birth_date",
    "specialist_gp", "violence_course", "acute_course", "clinical_months", "duty_shifts_done", "gp_months",
    "exemptions", "absences", "stand_ins", "joined_on", "left_on",
)
_DATE_COLUMNS = {"birth_date", "specialist_gp", "violence_course", "acute_course", "joined_on", "left_on"}
_QUALIFICATION = ("specialist_gp", "violence_course", "acute_course", "clinical_months", "duty_shifts_done", "gp_months")


class Contact(NamedTuple):
    """Where to reach a doctor: (email, mobile). Its repr hides both (logs, tracebacks)."""

    email: str
    mobile: str

    def __repr__(self) -> str:
        return "Contact(email=<hidden>, mobile=<hidden>)"

    __str__ = __repr__


@dataclass(frozen=True)
class ImportOutcome:
    district_id: str
    created: bool  # the district is new
    added: int
    changed: int
    left: int  # on the roll before, missing from this import: marked as left
    unchanged: int

    @property
    def doctors(self) -> int:
        return self.added + self.changed + self.unchanged


@dataclass(frozen=True)
class PolicyUpdate:
    policy: DistrictPolicy  # as it now stands
    changes: dict[str, dict[str, Any]]  # setting -> {"old", "new"}; empty when nothing changed


@dataclass(frozen=True)
class StoredDistrict:
    record: DistrictRecord
    created_at: Any
    updated_at: Any


@dataclass(frozen=True)
class StagedRollRow:
    """An uploaded roll waiting for its confirmation (migration 016). `content` is the file."""

    token: str
    district_id: str
    actor: str
    filename: str
    today: date
    roll_before: str
    roll_after: str
    content: bytes = field(repr=False)


STAGED_FOR = "30 minutes"


def _row_values(d: RegistryDoctor) -> list[Any]:
    """The record as the table's columns: dates as dates, lists as JSON."""
    fields = doctor_fields(d)
    return [
        date.fromisoformat(fields[c]) if c in _DATE_COLUMNS and fields[c] else fields[c] for c in _DOCTOR_COLUMNS
    ]


def _doctor(row: asyncpg.Record) -> RegistryDoctor:
    data = {column: row[column] for column in _DOCTOR_COLUMNS}
    data["qualification"] = {c: data.pop(c) for c in _QUALIFICATION}
    return RegistryDoctor.model_validate({"id": row["doctor_id"], **data}, context={STORED: True})


def _district(row: asyncpg.Record) -> DistrictRecord:
    return DistrictRecord.model_validate({
        "id": row["district_id"],
        "name": row["name"],
        "timezone": row["timezone"],
        "policy": row["policy"],
        "shift_template": row["shift_template"],
    })


_INSERT_DOCTOR = f"""
    INSERT INTO district_doctors (district_id, doctor_id, {", ".join(_DOCTOR_COLUMNS)})
    VALUES ($1, $2, {", ".join(f"${i}" for i in range(3, 3 + len(_DOCTOR_COLUMNS)))})
"""
_UPDATE_DOCTOR = f"""
    UPDATE district_doctors SET {", ".join(f"{c} = ${i}" for i, c in enumerate(_DOCTOR_COLUMNS, start=3))},
        updated_at = now()
    WHERE district_id = $1 AND doctor_id = $2
"""
_RECORD_CHANGE = """
    INSERT INTO district_changes (district_id, doctor_id, action, actor, changes) VALUES ($1, $2, $3, $4, $5)
"""


class RegistryStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # -- writing ----------------------------------------------------------------------------

    async def import_district(
        self, district_id: str, data: RegistryImport, *, actor: str, today: date, expected_roll: str | None = None
    ) -> ImportOutcome:
        """The district as `data` describes it, in one transaction: a new district is created;
        an existing one gets its changed doctors updated, new ones added, and the doctors
        missing from `data` marked as left on `today` (never deleted). Each change is recorded
        in the history with `actor`. The district's name and shift template change only when
        `data` sets them; its policy only through `set_policy`. `expected_roll`: the digest of the
        roll this import was previewed against (domain.registry.roll_changes); RollChanged, and
        nothing stored, when the stored roll is no longer that one."""
        async with self.pool.acquire() as conn, conn.transaction():
            created = await self._ensure_district(conn, district_id, data, actor)
            stored = {
                r["doctor_id"]: _doctor(r)
                for r in await conn.fetch("SELECT * FROM district_doctors WHERE district_id = $1 FOR UPDATE", district_id)
            }
            if expected_roll is not None and roll_digest(stored.values()) != expected_roll:
                raise RollChanged(district_id)  # the transaction rolls back: a new district too
            added = changed = unchanged = left = 0
            inserts, updates, history = [], [], []
            for doctor in data.doctors:
                old = stored.pop(doctor.id, None)
                if old is None:
                    inserts.append([district_id, doctor.id, *_row_values(doctor)])
                    history.append((district_id, doctor.id, "added", actor, diff(None, doctor_fields(doctor))))
                    added += 1
                    continue
                changes = diff(doctor_fields(old), doctor_fields(doctor))
                if changes:
                    updates.append([district_id, doctor.id, *_row_values(doctor)])
                    history.append((district_id, doctor.id, "changed", actor, changes))
                    changed += 1
                else:
                    unchanged += 1
            for doctor in stored.values():  # on the roll, missing from this import
                if doctor.left_on is None:
                    gone = doctor.model_copy(update={"left_on": today})
                    updates.append([district_id, doctor.id, *_row_values(gone)])
                    history.append((district_id, doctor.id, "left", actor, diff(doctor_fields(doctor), doctor_fields(gone))))
                    left += 1
            if inserts:
                await conn.executemany(_INSERT_DOCTOR, inserts)
            if updates:
                await conn.executemany(_UPDATE_DOCTOR, updates)
            if history:
                await conn.executemany(_RECORD_CHANGE, history)
                await conn.execute("UPDATE districts SET updated_at = now() WHERE district_id = $1", district_id)
        log.info(
            "registry import %s: created=%s added=%d changed=%d left=%d unchanged=%d",
            district_id, created, added, changed, left, unchanged,
        )
        return ImportOutcome(district_id, created, added, changed, left, unchanged)

    async def _ensure_district(
        self, conn: asyncpg.Connection, district_id: str, data: RegistryImport, actor: str
    ) -> bool:
        """Create the district, or lock it and apply a new name or shift template. True when
        created. The row lock serialises two imports of one district."""
        fresh = DistrictRecord(
            id=district_id,
            name=data.name or district_id,
            policy=data.policy or DistrictPolicy(),
            **({"shift_template": data.shift_template} if data.shift_template else {}),
        )
        inserted = await conn.fetchval(
            """
            INSERT INTO districts (district_id, name, timezone, policy, shift_template) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (district_id) DO NOTHING RETURNING true
            """,
            district_id, fresh.name, fresh.timezone, fresh.policy.model_dump(mode="json"),
            district_fields(fresh)["shift_template"],
        )
        if inserted:
            changes = {**diff(None, district_fields(fresh)), **_prefixed(policy_diff(None, fresh.policy))}
            await conn.execute(_RECORD_CHANGE, district_id, None, "added", actor, changes)
            return True
        row = await conn.fetchrow("SELECT * FROM districts WHERE district_id = $1 FOR UPDATE", district_id)
        current = _district(row)
        wanted = current.model_copy(update={
            "name": data.name or current.name,
            "shift_template": data.shift_template or current.shift_template,
        })
        changes = diff(district_fields(current), district_fields(wanted))
        if changes:
            await conn.execute(
                "UPDATE districts SET name = $2, shift_template = $3, updated_at = now() WHERE district_id = $1",
                district_id, wanted.name, district_fields(wanted)["shift_template"],
            )
            await conn.execute(_RECORD_CHANGE, district_id, None, "changed", actor, changes)
        return False

    async def update_policy(
        self, district_id: str, change: Callable[[DistrictPolicy], DistrictPolicy], *, actor: str
    ) -> PolicyUpdate | None:
        """Apply `change` to the district's policy under a row lock (two operators' changes never
        overwrite each other) and record the settings that changed. None: no such district.
        An exception from `change` rolls everything back."""
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow("SELECT policy FROM districts WHERE district_id = $1 FOR UPDATE", district_id)
            if row is None:
                return None
            old = DistrictPolicy.model_validate(row["policy"])
            new = change(old)
            changes = policy_diff(old, new)
            if changes:
                await conn.execute(
                    "UPDATE districts SET policy = $2, updated_at = now() WHERE district_id = $1",
                    district_id, new.model_dump(mode="json"),
                )
                await conn.execute(_RECORD_CHANGE, district_id, None, "changed", actor, _prefixed(changes))
        return PolicyUpdate(policy=new, changes=changes)

    async def change_doctor(
        self,
        district_id: str,
        doctor_id: str,
        change: Callable[[RegistryDoctor], RegistryDoctor],
        *,
        actor: str,
        conn: asyncpg.Connection | None = None,
    ) -> tuple[RegistryDoctor, dict[str, Any]] | None:
        """Apply `change` to one doctor's record under a row lock and record what changed in the
        history with `actor` (who) and the time (when). None: no such doctor. An exception from
        `change` changes nothing. `conn`: run inside the caller's transaction."""
        if conn is None:
            async with self.pool.acquire() as own, own.transaction():
                return await self.change_doctor(district_id, doctor_id, change, actor=actor, conn=own)
        row = await conn.fetchrow(
            "SELECT * FROM district_doctors WHERE district_id = $1 AND doctor_id = $2 FOR UPDATE", district_id, doctor_id
        )
        if row is None:
            return None
        old = _doctor(row)
        new = change(old)
        changes = diff(doctor_fields(old), doctor_fields(new))
        if changes:
            await conn.execute(_UPDATE_DOCTOR, district_id, doctor_id, *_row_values(new))
            await conn.execute(_RECORD_CHANGE, district_id, doctor_id, "changed", actor, changes)
            await conn.execute("UPDATE districts SET updated_at = now() WHERE district_id = $1", district_id)
        return new, changes

    async def doctor(self, district_id: str, doctor_id: str) -> RegistryDoctor | None:
        row = await self.pool.fetchrow(
            "SELECT * FROM district_doctors WHERE district_id = $1 AND doctor_id = $2", district_id, doctor_id
        )
        return _doctor(row) if row else None

    # -- reading ----------------------------------------------------------------------------

    async def district(self, district_id: str) -> StoredDistrict | None:
        row = await self.pool.fetchrow("SELECT * FROM districts WHERE district_id = $1", district_id)
        if row is None:
            return None
        return StoredDistrict(_district(row), row["created_at"], row["updated_at"])

    async def districts(self) -> list[DistrictRecord]:
        """Every district (the scheduler keeps one Schedule per district)."""
        return [_district(r) for r in await self.pool.fetch("SELECT * FROM districts ORDER BY district_id")]

    async def doctors(self, district_id: str, *, as_of: date | None = None) -> list[RegistryDoctor]:
        """The district's doctors by id; with `as_of`, only those on the roll that day."""
        rows = await self.pool.fetch(
            """
            SELECT * FROM district_doctors WHERE district_id = $1
              AND ($2::date IS NULL OR ((joined_on IS NULL OR joined_on <= $2) AND (left_on IS NULL OR left_on >= $2)))
            ORDER BY doctor_id
            """,
            district_id, as_of,
        )
        return [_doctor(r) for r in rows]

    async def doctor_names(self, district_id: str) -> dict[str, str]:
        """Every doctor of the district's roll, past ones too: id → name (headings and queues name
        people; the whole records are not needed for that)."""
        rows = await self.pool.fetch(
            "SELECT doctor_id, name FROM district_doctors WHERE district_id = $1 ORDER BY doctor_id", district_id)
        return {r["doctor_id"]: r["name"] for r in rows}

    async def history(
        self, district_id: str, *, doctor_id: str | None = None, limit: int = 1000
    ) -> list[RegistryChange]:
        """Recorded changes, oldest first; only one doctor's with `doctor_id`."""
        rows = await self.pool.fetch(
            """
            SELECT * FROM district_changes WHERE district_id = $1 AND ($2::text IS NULL OR doctor_id = $2)
            ORDER BY change_id LIMIT $3
            """,
            district_id, doctor_id, limit,
        )
        return [RegistryChange.model_validate(dict(r)) for r in rows]

    # -- uploads waiting for their confirmation -----------------------------------------------

    async def stage_roll(self, row: StagedRollRow, *, keep_at_most: int = 200) -> None:
        """Keep an upload for its confirmation (the same token twice: the same upload)."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(f"DELETE FROM staged_rolls WHERE staged_at < now() - interval '{STAGED_FOR}'")
            await conn.execute(
                """
                INSERT INTO staged_rolls (token, district_id, actor, filename, today, roll_before, roll_after, content)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT (token) DO UPDATE SET staged_at = now()
                """,
                row.token, row.district_id, row.actor, row.filename, row.today, row.roll_before, row.roll_after,
                row.content,
            )
            await conn.execute(
                "DELETE FROM staged_rolls WHERE token IN (SELECT token FROM staged_rolls ORDER BY staged_at DESC OFFSET $1)",
                keep_at_most,
            )

    async def staged_roll(self, token: str) -> StagedRollRow | None:
        """The upload kept under `token`, unless it has expired (expired ones are removed)."""
        await self.pool.execute(f"DELETE FROM staged_rolls WHERE staged_at < now() - interval '{STAGED_FOR}'")
        row = await self.pool.fetchrow(
            f"SELECT * FROM staged_rolls WHERE token = $1 AND staged_at >= now() - interval '{STAGED_FOR}'", token
        )
        if row is None:
            return None
        return StagedRollRow(row["token"], row["district_id"], row["actor"], row["filename"], row["today"],
                             row["roll_before"], row["roll_after"], bytes(row["content"]))

    async def drop_staged_roll(self, token: str) -> None:
        await self.pool.execute("DELETE FROM staged_rolls WHERE token = $1", token)

    async def contact(self, district_id: str, doctor_id: str) -> Contact | None:
        """Where to reach a doctor of the district — also one who has left (their last
        period's results still go out) — or None for a doctor the registry does not know."""
        row = await self.pool.fetchrow(
            "SELECT email, mobile FROM district_doctors WHERE district_id = $1 AND doctor_id = $2",
            district_id, doctor_id,
        )
        return None if row is None else Contact(row["email"], row["mobile"])


def _prefixed(changes: dict[str, Any]) -> dict[str, Any]:
    """Policy settings in the history as `policy.<setting>`."""
    return {f"policy.{key}": value for key, value in changes.items()}
