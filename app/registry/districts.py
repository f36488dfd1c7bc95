"""The district registry's use cases: import a district, read it, change its policy, and build
a period's config from it (what the scheduled starter calls).

Every input is checked, and a whole file read and validated, before anything is written; an
import stores all of a file or nothing. Errors are typed (app.errors) and name the row, column,
setting or id — never a personal value.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from adapters.postgres.registry import Contact, ImportOutcome, PolicyUpdate, RegistryStore, StoredDistrict
from app.bootstrap import Services
from app.documents import problem_list, read_json, read_text
from app.errors import BadInput, Conflict, NotFound
from app.registry.views import DistrictView, DoctorRow, district_view, doctor_row
from app.validate import district_id as valid_district_id
from app.validate import doctor_id as valid_doctor_id
from app.validate import free_text, person_name
from domain import actors
from domain.clock import oslo_today
from domain.district import period_start_for, round_dates
from domain.limits import MAX_NAME_LENGTH
from domain.model import PeriodConfig
from domain.registry.records import RegistryError, RegistryImport
from domain.registry.config import period_config_from_registry
from domain.registry.csv_format import parse_registry_csv
from domain.registry.policy import apply_policy_changes
from domain.registry.from_scenario import registry_from_scenario
from domain.scenario import ScenarioError, parse_scenario

MAX_SETTINGS = 50
MAX_SETTING_LENGTH = 20_000  # a list of qualification exceptions as JSON


def admin_actor(name: str, field: str = "--operator") -> str:
    """`admin:<name>`: who changed the registry (domain.actors); `field` names the option."""
    return actors.actor("admin", person_name(name, field))


async def _store(services: Services) -> RegistryStore:
    return (await services.database()).registry


async def _district(store: RegistryStore, district_id: str) -> StoredDistrict:
    stored = await store.district(district_id)
    if stored is None:
        raise NotFound(f"no district {district_id!r} in the registry; import one with `vakt district import`")
    return stored


def _shown(path: Path) -> str:
    name = str(path)
    return name[:60] + "…" if len(name) > 500 else name


def _rows(n: int, noun: str) -> str:
    return f"{n} bad {noun}{'' if n == 1 else 's'}"


# ------------------------------------------------------------------------------ reading files


def read_registry_csv(path: Path) -> RegistryImport:
    """A registry CSV (docs/registry-csv.md), every row valid, or BadInput naming every bad row
    and column."""
    text = read_text(Path(path), what="registry CSV", kind="CSV (save it as CSV UTF-8)")
    try:
        return RegistryImport(doctors=parse_registry_csv(text))
    except RegistryError as e:
        what = _rows(e.bad_records, "row") if e.bad_records else "not a registry CSV"
        raise BadInput(f"{_shown(path)}: {what}, nothing was stored: {problem_list(e.problems)}") from None


def read_registry_scenario(path: Path) -> RegistryImport:
    """A scenario's district and doctors (docs/scenario-format.md), or BadInput naming every
    problem by JSON path."""
    document = read_json(Path(path), what="scenario")
    try:
        return registry_from_scenario(parse_scenario(document))
    except ScenarioError as e:
        raise BadInput(f"{_shown(path)}: invalid scenario, nothing was stored: {problem_list(e.problems)}") from None
    except RegistryError as e:
        what = _rows(e.bad_records or 0, "doctor record")
        raise BadInput(f"{_shown(path)}: {what}, nothing was stored: {problem_list(e.problems)}") from None


def read_registry_file(path: Path) -> RegistryImport:
    """A CSV or a scenario JSON, told apart by the extension (`.csv`, `.json`), else by the
    content: a JSON document starts with `{`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_registry_csv(path)
    if suffix == ".json":
        return read_registry_scenario(path)
    text = read_text(path, what="registry", kind="CSV or JSON")
    return read_registry_scenario(path) if text.lstrip().startswith("{") else read_registry_csv(path)


# ------------------------------------------------------------------------------ importing


async def _import(
    services: Services, district_id: str, read, path: Path, *, name: str | None, actor: str, today: date | None
) -> ImportOutcome:
    district_id = valid_district_id(district_id, "--district")
    if name is not None:
        name = free_text(name, "--name", MAX_NAME_LENGTH)
    data = read(Path(path))  # the whole file, validated, before anything is written
    if name is not None:
        data = dataclasses.replace(data, name=name)
    store = await _store(services)
    outcome = await store.import_district(district_id, data, actor=actor, today=today or oslo_today(services.clock))
    services.principals.forget_all()  # who is on which roll: derived again in this process at once
    return outcome


async def import_csv(
    services: Services, district_id: str, path: Path, *, name: str | None = None, actor: str, today: date | None = None
) -> ImportOutcome:
    """Import a district's roll from a registry CSV: all rows or none (R-DATA-1)."""
    return await _import(services, district_id, read_registry_csv, path, name=name, actor=actor, today=today)


async def import_scenario(
    services: Services, district_id: str, path: Path, *, name: str | None = None, actor: str, today: date | None = None
) -> ImportOutcome:
    """Import a scenario's district (name, policy, shift template) and doctors."""
    return await _import(services, district_id, read_registry_scenario, path, name=name, actor=actor, today=today)


async def import_file(
    services: Services, district_id: str, path: Path, *, name: str | None = None, actor: str, today: date | None = None
) -> ImportOutcome:
    """Import a CSV or a scenario JSON (`read_registry_file` tells them apart)."""
    return await _import(services, district_id, read_registry_file, path, name=name, actor=actor, today=today)


# ------------------------------------------------------------------------------ reading


async def show_district(services: Services, district_id: str, *, today: date | None = None) -> DistrictView:
    district_id = valid_district_id(district_id)
    store = await _store(services)
    stored = await _district(store, district_id)
    doctors = await store.doctors(district_id)
    return district_view(stored.record, doctors, today or oslo_today(services.clock), stored.created_at, stored.updated_at)


async def doctors(
    services: Services, district_id: str, *, as_of: date | None = None, contacts: bool = False
) -> list[DoctorRow]:
    """One row per doctor: every doctor with their status today, or with `as_of` those on the
    roll that day. Contact data masked unless `contacts`."""
    district_id = valid_district_id(district_id)
    store = await _store(services)
    await _district(store, district_id)
    day = as_of or oslo_today(services.clock)
    return [doctor_row(d, day, contacts=contacts) for d in await store.doctors(district_id, as_of=as_of)]


async def contact(services: Services, district_id: str, doctor_id: str) -> Contact | None:
    """Where to reach a doctor (email, mobile), for the mail sender; None when unknown."""
    store = await _store(services)
    return await store.contact(valid_district_id(district_id), valid_doctor_id(doctor_id))


# ------------------------------------------------------------------------------ policy


async def set_policy(services: Services, district_id: str, changes: Sequence[str], actor: str) -> PolicyUpdate:
    """Apply `NAME=VALUE` settings (domain.registry.policy) to the district's policy, validated
    as a whole through DistrictPolicy and recorded in the history with `actor`."""
    district_id = valid_district_id(district_id)
    if not changes:
        raise BadInput("--set: give at least one setting, e.g. --set rounds.meeting_weeks_before=6")
    if len(changes) > MAX_SETTINGS:
        raise BadInput(f"--set: at most {MAX_SETTINGS} settings at once")
    for n, setting in enumerate(changes, start=1):
        free_text(setting, f"--set (setting {n})", MAX_SETTING_LENGTH)
    store = await _store(services)
    try:
        update = await store.update_policy(district_id, lambda p: apply_policy_changes(p, changes), actor=actor)
    except RegistryError as e:
        raise BadInput(f"--set: nothing was changed: {problem_list(e.problems)}") from None
    if update is None:
        raise NotFound(f"no district {district_id!r} in the registry; import one with `vakt district import`")
    return update


# ------------------------------------------------------------------------------ periods


async def period_config_for(
    services: Services,
    district_id: str,
    start: date,
    *,
    carried: Mapping[str, float] | None = None,
    lottery_seed: int | None = None,
) -> PeriodConfig:
    """The minimised config of the district's period that starts on `start`: its dates from the
    district's round policy (R-PROC-5, domain.district.round_dates), its doctors from the
    registry (domain.registry.config)."""
    district_id = valid_district_id(district_id)
    for doctor, balance in (carried or {}).items():
        if not (isinstance(balance, int | float) and math.isfinite(balance) and -100 <= balance <= 100):
            raise BadInput(f"carried: the balance of {valid_doctor_id(doctor, 'carried')} is not a number from -100 to 100")
    store = await _store(services)
    stored = await _district(store, district_id)
    rounds = stored.record.policy.rounds
    if period_start_for(start, rounds.months) != start:
        raise BadInput(
            f"start: {start.isoformat()} is not the first day of a period of district {district_id!r} "
            f"(periods of {rounds.months} months start on 1 January)"
        )
    dates = round_dates(district_id, start, rounds)
    try:
        config = period_config_from_registry(
            stored.record, await store.doctors(district_id), dates, carried=carried, lottery_seed=lottery_seed
        )
    except RegistryError as e:
        raise Conflict(f"district {district_id!r} cannot make period {dates.id}: {problem_list(e.problems)}") from None
    if not config.doctors:
        raise Conflict(f"district {district_id!r} has no doctors on its roll for period {dates.id}")
    return config
