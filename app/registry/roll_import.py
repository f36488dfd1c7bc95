"""Importing a district's roll from a browser: preview, then confirm.

`preview_roll` reads the uploaded file whole (app.registry.roll_files), compares it with the
stored roll (domain.registry.roll_changes) and keeps the file in the database (migration 016,
so any web process can confirm it), keyed by a digest of the district, the admin, the day, the
file and the stored roll it was compared with. Nothing of the registry changes. `confirm_roll` takes only that key: it applies exactly the previewed roll, or refuses
when the registry changed since (checked again inside the import's transaction). A second
confirmation of the same preview finds the roll already as previewed and says so. The
district's schedule of rounds (R-PROC-5) is created or brought up to date at once.

Only an admin serving the district imports; the history records `admin:<account id>`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Literal

from adapters.postgres.registry import ImportOutcome, StagedRollRow
from app.bootstrap import Services
from app.errors import BadInput, Conflict, NotFound, Unavailable, VaktError
from app.identity.access import serving
from app.periods.amend import sync_running_periods
from app.registry.roll_files import read_roll
from app.validate import district_id as valid_district_id
from domain.clock import oslo_today
from domain.identity import Principal
from domain.registry.records import RegistryImport
from domain.registry.roll_changes import RollChanged, RollPlan, plan_import, roll_digest

MAX_FILENAME = 120
STALE = "preview: the registry has changed since the preview; upload the file again"
EXPIRED = "preview: expired or unknown; upload the file again"


@dataclass(frozen=True)
class StagedRoll:
    token: str
    district: str
    actor: str
    filename: str
    data: RegistryImport
    plan: RollPlan  # against the roll as it is stored now
    today: date
    # "ready": the stored roll is the one previewed; "stored": it is already as the file makes it
    # (confirmed before); "stale": someone changed it since.
    state: Literal["ready", "stored", "stale"] = "ready"


@dataclass(frozen=True)
class RollStored:
    outcome: ImportOutcome | None  # None: the roll was already as previewed (a second confirmation)
    schedule: str  # "created", "updated" or "unavailable" (Temporal not reachable: try again later)


def _admin(principal: Principal | None, district: str) -> tuple[str, str]:
    district = valid_district_id(district, "district")
    return district, serving(principal, district, admin=True).admin_actor()


def _filename(name: str | None) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable())[:MAX_FILENAME]
    return name or "roll"


async def preview_roll(
    services: Services, principal: Principal | None, district: str, filename: str | None, content: bytes,
    *, today: date | None = None,
) -> StagedRoll:
    """What importing the file would change, kept (in the database) for its confirmation;
    nothing of the registry is changed. RollFileError (BadInput) naming each bad row and column
    when the file is not a valid roll."""
    district, actor = _admin(principal, district)
    data = read_roll(filename or "", content)
    today = today or oslo_today(services.clock)
    registry = (await services.database()).registry
    plan = plan_import(await registry.doctors(district), data.doctors, today)
    digest = hashlib.sha256()
    for part in (district, actor, plan.roll_before, today.isoformat()):
        digest.update(part.encode() + b"\x00")
    digest.update(content)
    name = _filename(filename)
    await registry.stage_roll(StagedRollRow(digest.hexdigest(), district, actor, name, today, plan.roll_before,
                                            plan.roll_after, content))
    return StagedRoll(digest.hexdigest(), district, actor, name, data, plan, today)


async def _staged_row(services: Services, principal: Principal | None, district: str, token: str) -> StagedRollRow:
    district, actor = _admin(principal, district)
    token = str(token)
    if len(token) != 64 or any(c not in "0123456789abcdef" for c in token):
        raise NotFound(EXPIRED)
    row = await (await services.database()).registry.staged_roll(token)
    if row is None or row.district_id != district or row.actor != actor:
        raise NotFound(EXPIRED)
    return row


def _data(row: StagedRollRow) -> RegistryImport:
    try:
        return read_roll(row.filename, row.content)  # the same bytes: the same records
    except BadInput:  # pragma: no cover - it was read once already
        raise NotFound(EXPIRED) from None


async def staged_roll(services: Services, principal: Principal | None, district: str, token: str) -> StagedRoll:
    """A preview of this admin for this district, compared again with the roll as stored now;
    NotFound when expired or never made."""
    row = await _staged_row(services, principal, district, token)
    data = _data(row)
    stored = await (await services.database()).registry.doctors(row.district_id)
    plan = plan_import(stored, data.doctors, row.today)
    state = "ready" if plan.roll_before == row.roll_before else "stored" if plan.roll_before == row.roll_after else "stale"
    return StagedRoll(row.token, row.district_id, row.actor, row.filename, data, plan, row.today, state)


async def confirm_roll(services: Services, principal: Principal | None, district: str, token: str) -> RollStored:
    """Store exactly the previewed roll (R-DATA-1: all of it or nothing), then create or update
    the district's schedule. Conflict when the registry changed since the preview."""
    row = await _staged_row(services, principal, district, token)
    registry = (await services.database()).registry
    current = roll_digest(await registry.doctors(row.district_id))
    if current != row.roll_before:
        if current == row.roll_after:
            return RollStored(None, await schedule_rounds(services, row.district_id))
        await registry.drop_staged_roll(row.token)
        raise Conflict(STALE)
    try:
        outcome = await registry.import_district(
            row.district_id, _data(row), actor=row.actor, today=row.today, expected_roll=row.roll_before
        )
    except RollChanged:  # changed between the check and the transaction: by this very preview?
        if roll_digest(await registry.doctors(row.district_id)) == row.roll_after:
            return RollStored(None, await schedule_rounds(services, row.district_id))
        await registry.drop_staged_roll(row.token)
        raise Conflict(STALE) from None
    services.principals.forget_all()  # who is on which roll: derived again in this process at once
    # Kept until it expires: a second click finds the roll as previewed and stores nothing again.
    await _amend_rounds(services, row.district_id, row.actor)
    return RollStored(outcome, await schedule_rounds(services, row.district_id))


async def _amend_rounds(services: Services, district: str, actor: str) -> None:
    """The new profiles into every round of the district whose meeting has not opened (R-QUAL-4
    counts from the dates); when Temporal is down, `vakt district sync-rounds` does it later."""
    try:
        await sync_running_periods(services, district, actor=actor)
    except VaktError:
        pass


async def schedule_rounds(services: Services, district: str) -> str:
    """Create or update the district's schedule of rounds (R-PROC-5) after an import; "unavailable"
    when Temporal cannot be reached now (the registry is stored either way; `vakt schedule sync`
    catches up). Every entry point's import calls it: the web's confirmation and `vakt district import`."""
    from app.periods.schedules import sync_schedule  # Temporal's client: only when needed

    stored = await (await services.database()).registry.district(district)
    if stored is None:  # pragma: no cover - just imported
        raise NotFound(f"no district {district!r}")
    try:
        return await sync_schedule(services, district, stored.record.policy.rounds)
    except Unavailable:
        return "unavailable"
    except Exception:  # noqa: BLE001 - an RPC failure: the roll is stored; the schedule waits
        return "unavailable"

