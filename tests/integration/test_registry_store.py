"""The registry in a real PostgreSQL (migration 006), as the application's role: whole-district
imports in one transaction, the change history (who, when, what) and its append-only guard,
reads as of a date, policy changes, contact data for the mail sender, and a period's config."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import date

import asyncpg
import pytest

from adapters.postgres.schema import create_pool
from adapters.postgres.registry import Contact, RegistryStore
from app.errors import BadInput, Conflict, NotFound
from app.registry.districts import period_config_for
from app.demo.samples import SAMPLE_PATH
from domain.district import DistrictPolicy, RoundPolicy, round_dates
from domain.registry.records import RegistryDoctor, RegistryImport
from domain.registry.config import period_config_from_registry
from domain.registry.policy import apply_policy_changes
from domain.registry.from_scenario import registry_from_scenario
from domain.scenario import parse_scenario
from tests.helpers.support import services_for

ADMIN = "admin:Kari Nordmann"
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def sample() -> RegistryImport:
    return registry_from_scenario(parse_scenario(json.loads(SAMPLE_PATH.read_text())))


@pytest.fixture
async def app_pool(app_database_url: str):
    pool = await create_pool(app_database_url)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
def store(app_pool) -> RegistryStore:
    return RegistryStore(app_pool)


async def _counts(pool: asyncpg.Pool) -> dict[str, int]:
    return {t: await pool.fetchval(f"SELECT count(*) FROM {t}") for t in ("districts", "district_doctors", "district_changes")}


def _with(data: RegistryImport, doctors) -> RegistryImport:
    return dataclasses.replace(data, doctors=tuple(doctors))


async def test_an_import_stores_every_doctor_and_records_each_addition(store, app_pool, sample):
    outcome = await store.import_district("mosse", sample, actor=ADMIN, today=TODAY)
    assert (outcome.created, outcome.added, outcome.changed, outcome.left) == (True, 74, 0, 0)
    assert await store.doctors("mosse") == sorted(sample.doctors, key=lambda d: d.id)
    stored = await store.district("mosse")
    assert stored.record.name == sample.name and stored.record.shift_template == sample.shift_template
    assert stored.record.policy == sample.policy
    history = await store.history("mosse")
    assert len(history) == 75 and history[0].doctor_id is None and history[0].action == "added"
    assert {h.actor for h in history} == {ADMIN}
    moss01 = next(h for h in history if h.doctor_id == "moss01")
    assert moss01.changes["email"] == {"old": None, "new": "heidi.larsen@moss-legesenter.example.no"}
    assert await _counts(app_pool) == {"districts": 1, "district_doctors": 74, "district_changes": 75}


async def test_a_reimport_records_one_change_for_one_changed_email(store, sample):
    """Must show: who, when and what — the field with its old and new value."""
    await store.import_district("mosse", sample, actor="admin:first", today=TODAY)
    before = await store.history("mosse")
    again = await store.import_district("mosse", sample, actor="admin:second", today=TODAY)
    assert (again.created, again.added, again.changed, again.unchanged, again.left) == (False, 0, 0, 74, 0)
    assert await store.history("mosse") == before  # nothing changed, nothing recorded

    doctors = [d.model_copy(update={"email": "heidi@ny-adresse.example.no"}) if d.id == "moss01" else d for d in sample.doctors]
    outcome = await store.import_district("mosse", _with(sample, doctors), actor=ADMIN, today=TODAY)
    assert (outcome.changed, outcome.unchanged) == (1, 73)
    new = (await store.history("mosse"))[len(before):]
    assert len(new) == 1
    change = new[0]
    assert (change.doctor_id, change.action, change.actor) == ("moss01", "changed", ADMIN)
    assert change.changes == {"email": {"old": "heidi.larsen@moss-legesenter.example.no", "new": "heidi@ny-adresse.example.no"}}
    assert change.changed_at > before[-1].changed_at
    assert await store.contact("mosse", "moss01") == ("heidi@ny-adresse.example.no", "+4747242269")


async def test_doctors_missing_from_a_reimport_are_marked_as_left_and_can_come_back(store, sample):
    await store.import_district("mosse", sample, actor=ADMIN, today=TODAY)
    without = [d for d in sample.doctors if d.id not in ("moss02", "sub05")]
    outcome = await store.import_district("mosse", _with(sample, without), actor=ADMIN, today=date(2027, 2, 1))
    assert (outcome.left, outcome.unchanged) == (2, 72)
    everyone = {d.id: d for d in await store.doctors("mosse")}
    assert len(everyone) == 74 and everyone["moss02"].left_on == date(2027, 2, 1)
    assert "moss02" not in {d.id for d in await store.doctors("mosse", as_of=date(2027, 2, 2))}
    assert "moss02" in {d.id for d in await store.doctors("mosse", as_of=date(2027, 2, 1))}
    left = [h for h in await store.history("mosse", doctor_id="moss02") if h.action == "left"]
    assert [h.changes for h in left] == [{"left_on": {"old": None, "new": "2027-02-01"}}]

    again = await store.import_district("mosse", _with(sample, without), actor=ADMIN, today=date(2027, 3, 1))
    assert again.left == 0  # already marked
    back = await store.import_district("mosse", sample, actor=ADMIN, today=date(2027, 4, 1))
    assert (back.changed, back.added) == (2, 0)
    assert (await store.doctors("mosse", as_of=date(2027, 4, 1)))[0].left_on is None


async def test_doctors_as_of_a_date_follow_joining_and_leaving(store, sample):
    doctors = [
        d.model_copy(update={"joined_on": date(2027, 3, 1)}) if d.id == "moss01"
        else d.model_copy(update={"left_on": date(2027, 1, 31)}) if d.id == "moss02" else d
        for d in sample.doctors
    ]
    await store.import_district("mosse", _with(sample, doctors), actor=ADMIN, today=TODAY)
    feb = {d.id for d in await store.doctors("mosse", as_of=date(2027, 2, 15))}
    assert "moss01" not in feb and "moss02" not in feb and len(feb) == 72
    assert len(await store.doctors("mosse")) == 74


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
async def test_an_import_that_fails_midway_stores_nothing(store, app_pool, sample):
    """One transaction: a row the database refuses rolls back the whole district."""
    await store.import_district("mosse", sample, actor=ADMIN, today=TODAY)
    before = await _counts(app_pool)
    bad = RegistryDoctor.model_construct(**{**sample.doctors[-1].__dict__, "id": "zz-new", "role": "nurse"})
    changed = [d.model_copy(update={"email": "changed@example.no"}) for d in sample.doctors[:3]]
    with pytest.raises(asyncpg.CheckViolationError):
        await store.import_district("mosse", _with(sample, [*changed, *sample.doctors[3:], bad]), actor=ADMIN, today=TODAY)
    assert await _counts(app_pool) == before
    assert (await store.contact("mosse", sample.doctors[0].id)).email == sample.doctors[0].email


async def test_two_imports_of_one_district_at_once_both_finish_and_agree(store, app_pool, sample):
    first, second = await asyncio.gather(
        store.import_district("mosse", sample, actor="admin:a", today=TODAY),
        store.import_district("mosse", sample, actor="admin:b", today=TODAY),
    )
    assert {first.created, second.created} == {True, False}
    assert {first.added, second.added} == {74, 0}
    assert await _counts(app_pool) == {"districts": 1, "district_doctors": 74, "district_changes": 75}


async def test_the_history_refuses_update_delete_and_truncate_for_every_role(store, app_pool, pg_pool, sample):
    await store.import_district("mosse", sample, actor=ADMIN, today=TODAY)
    for pool in (app_pool, pg_pool):  # the application's role, and the tables' owner
        for sql in (
            "UPDATE district_changes SET actor = 'admin:someone else'",
            "DELETE FROM district_changes",
            "TRUNCATE district_changes CASCADE",
            "DELETE FROM district_doctors WHERE doctor_id = 'moss01'",
            "DELETE FROM districts",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await pool.execute(sql)
    assert await app_pool.fetchval("SELECT count(DISTINCT actor) FROM district_changes") == 1
    assert await app_pool.fetchval("SELECT count(*) FROM district_doctors") == 74


async def test_a_policy_change_is_recorded_setting_by_setting(store, sample):
    await store.import_district("mosse", sample, actor=ADMIN, today=TODAY)
    update = await store.update_policy(
        "mosse", lambda p: apply_policy_changes(p, ["rounds.meeting_weeks_before=6", "carry.enabled=false"]), actor=ADMIN
    )
    assert update.changes == {
        "carry.enabled": {"old": True, "new": False}, "rounds.meeting_weeks_before": {"old": 5, "new": 6}
    }
    assert (await store.district("mosse")).record.policy.rounds.meeting_weeks_before == 6
    last = (await store.history("mosse"))[-1]
    assert (last.doctor_id, last.action, last.actor) == (None, "changed", ADMIN)
    assert last.changes == {f"policy.{k}": v for k, v in update.changes.items()}
    same = await store.update_policy("mosse", lambda p: p, actor=ADMIN)
    assert same.changes == {} and (await store.history("mosse"))[-1] == last
    assert await store.update_policy("nowhere", lambda p: p, actor=ADMIN) is None


async def test_a_reimport_keeps_the_policy_and_changes_the_name_only_when_given(store, sample):
    await store.import_district("mosse", sample, actor=ADMIN, today=TODAY)
    await store.update_policy("mosse", lambda p: p.model_copy(update={"min_rest_hours": 11.0}), actor=ADMIN)
    await store.import_district("mosse", dataclasses.replace(sample, name=None, policy=DistrictPolicy()), actor=ADMIN, today=TODAY)
    stored = (await store.district("mosse")).record
    assert stored.policy.min_rest_hours == 11 and stored.name == sample.name
    await store.import_district("mosse", dataclasses.replace(sample, name="Moss [bold]og omegn[/bold]"), actor=ADMIN, today=TODAY)
    assert (await store.district("mosse")).record.name == "Moss [bold]og omegn[/bold]"
    assert (await store.history("mosse"))[-1].changes == {
        "name": {"old": sample.name, "new": "Moss [bold]og omegn[/bold]"}
    }


async def test_contact_gives_email_and_mobile_and_hides_them_in_its_repr(store, sample):
    await store.import_district("mosse", sample, actor=ADMIN, today=TODAY)
    found = await store.contact("mosse", "moss03")
    assert isinstance(found, Contact)
    email, mobile = found
    assert (email, mobile) == ("astrid.nilsen@moss-legesenter.example.no", "+4740978532")
    assert "astrid" not in repr(found) and "+47" not in str(found)
    assert await store.contact("mosse", "ghost") is None
    assert await store.contact("elsewhere", "moss03") is None


async def test_period_config_for_builds_the_rounds_period_from_the_registry(app_database_url, tmp_path, store, sample):
    await store.import_district("mosse", sample, actor=ADMIN, today=TODAY)
    services = services_for(app_database_url, tmp_path)
    try:
        config = await period_config_for(services, "mosse", date(2027, 1, 1), carried={"moss01": 1.5})
        dates = round_dates("mosse", date(2027, 1, 1), RoundPolicy())
        expected = period_config_from_registry(
            (await store.district("mosse")).record, await store.doctors("mosse"), dates, carried={"moss01": 1.5}
        )
        assert config == expected and config.period.id == "mosse-2027-h1" and len(config.doctors) == 74
        assert config.doctor("moss01").carried == 1.5
        text = config.model_dump_json()  # what the workflow would carry: no contact, birth date, reason
        for secret in ("@", "+47", "1970-05-16", "age_over_60", "pregnancy", "health", "legevaktsjef", "Heidi"):
            assert secret not in text, secret
        with pytest.raises(NotFound, match="no district 'nowhere'"):
            await period_config_for(services, "nowhere", date(2027, 1, 1))
        with pytest.raises(BadInput, match="2027-02-01 is not the first day of a period"):
            await period_config_for(services, "mosse", date(2027, 2, 1))
        with pytest.raises(BadInput, match="carried: the balance of moss01 is not a number from -100 to 100"):
            await period_config_for(services, "mosse", date(2027, 1, 1), carried={"moss01": float("nan")})
        gone = [d.model_copy(update={"left_on": date(2026, 12, 31)}) for d in sample.doctors]
        await store.import_district("mosse", _with(sample, gone), actor=ADMIN, today=TODAY)
        with pytest.raises(Conflict, match="no doctors on its roll for period mosse-2027-h1"):
            await period_config_for(services, "mosse", date(2027, 1, 1))
    finally:
        await services.aclose()
