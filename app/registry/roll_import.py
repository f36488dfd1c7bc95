"""Importing a district's roll from a browser: preview, then confirm.

`preview_roll` reads the uploaded file whole (app.registry.roll_files), compares it with the
stored roll (domain.registry.roll_changes) and keeps the parsed roll on the server, keyed by a
digest of the district, the admin, the file and the stored roll it was compared with. Nothing
is stored. `confirm_roll` takes only that key: it applies exactly the previewed roll, or refuses
when the registry changed since (checked again inside the import's transaction). A second
confirmation of the same preview finds the roll already as previewed and says so. The
district's schedule of rounds (R-PROC-5) is created or brought up to date at once.

Only an admin serving the district imports; the history records `admin:<account id>`.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from adapters.postgres.registry import ImportOutcome
from app.bootstrap import Services
from app.errors import Conflict, NotFound, Unavailable, VaktError
from app.periods.amend import sync_running_periods
from app.identity.access import serving
from app.registry.roll_files import read_roll
from app.validate import district_id as valid_district_id
from domain.clock import oslo_today
from domain.identity import Principal
from domain.registry.records import RegistryImport
from domain.registry.roll_changes import RollChanged, RollPlan, plan_import, roll_digest

STAGED_FOR_SECONDS = 30 * 60
MAX_STAGED = 32
MAX_FILENAME = 120


@dataclass(frozen=True)
class StagedRoll:
    token: str
    district: str
    actor: str
    filename: str
    data: RegistryImport
    plan: RollPlan
    today: date
    staged_at: float


@dataclass(frozen=True)
class RollStored:
    outcome: ImportOutcome | None  # None: the roll was already as previewed (a second confirmation)
    schedule: str  # "created", "updated" or "unavailable" (Temporal not reachable: try again later)


class _Staging:
    """Previews waiting for their confirmation, in this process: at most MAX_STAGED, each for
    STAGED_FOR_SECONDS. A lost preview (a restart, another process) asks for the file again."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, StagedRoll] = OrderedDict()

    def put(self, item: StagedRoll) -> None:
        self._expire()
        self._items[item.token] = item
        self._items.move_to_end(item.token)
        while len(self._items) > MAX_STAGED:
            self._items.popitem(last=False)

    def get(self, token: str) -> StagedRoll | None:
        self._expire()
        return self._items.get(token)

    def drop(self, token: str) -> None:
        self._items.pop(token, None)

    def _expire(self) -> None:
        now = time.monotonic()
        for token in [t for t, s in self._items.items() if now - s.staged_at > STAGED_FOR_SECONDS]:
            del self._items[token]


_staging = _Staging()


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
    """What importing the file would change, kept for its confirmation; nothing is stored.
    RollFileError (BadInput) naming each bad row and column when the file is not a valid roll."""
    district, actor = _admin(principal, district)
    data = read_roll(filename or "", content)
    today = today or oslo_today(services.clock)
    stored = await (await services.database()).registry.doctors(district)
    plan = plan_import(stored, data.doctors, today)
    digest = hashlib.sha256()
    for part in (district.encode(), actor.encode(), plan.roll_before.encode(), today.isoformat().encode()):
        digest.update(part + b"\x00")
    digest.update(content)
    staged = StagedRoll(digest.hexdigest(), district, actor, _filename(filename), data, plan, today, time.monotonic())
    _staging.put(staged)
    return staged


def staged_roll(principal: Principal | None, district: str, token: str) -> StagedRoll:
    """A preview of this admin for this district; NotFound when expired or never made."""
    district, actor = _admin(principal, district)
    staged = _staging.get(str(token)[:64])
    if staged is None or staged.district != district or staged.actor != actor:
        raise NotFound("preview: expired or unknown; upload the file again")
    return staged


async def confirm_roll(services: Services, principal: Principal | None, district: str, token: str) -> RollStored:
    """Store exactly the previewed roll (R-DATA-1: all of it or nothing), then create or update
    the district's schedule. Conflict when the registry changed since the preview."""
    staged = staged_roll(principal, district, token)
    registry = (await services.database()).registry
    current = roll_digest(await registry.doctors(staged.district))
    if current != staged.plan.roll_before:
        if current == staged.plan.roll_after:
            return RollStored(None, await schedule_rounds(services, staged.district))
        _staging.drop(staged.token)
        raise Conflict("preview: the registry has changed since the preview; upload the file again")
    try:
        outcome = await registry.import_district(
            staged.district, staged.data, actor=staged.actor, today=staged.today, expected_roll=staged.plan.roll_before
        )
    except RollChanged:  # changed between the check and the transaction: by this very preview?
        if roll_digest(await registry.doctors(staged.district)) == staged.plan.roll_after:
            return RollStored(None, await schedule_rounds(services, staged.district))
        _staging.drop(staged.token)
        raise Conflict("preview: the registry has changed since the preview; upload the file again") from None
    # Kept until it expires: a second click finds the roll as previewed and stores nothing again.
    await _amend_rounds(services, staged.district, staged.actor)
    return RollStored(outcome, await schedule_rounds(services, staged.district))


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

