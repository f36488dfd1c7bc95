"""Operators' and admins' accounts: add, list, disable (which ends their sessions)."""

from __future__ import annotations

import pytest

from app.errors import BadInput, NotFound
from app.identity.accounts import add_account, disable_account, list_accounts

EMAIL = "leder@clinic.example.no"


async def test_adding_an_account_twice_changes_it_and_keeps_its_id_and_districts(services):
    first = await add_account(services, EMAIL, "operator", "Kari Nordmann", actor="admin:test", districts=["demo"])
    again = await add_account(services, EMAIL.upper(), "admin", "Kari Nordmann", actor="admin:test")
    assert first.created and not again.created
    assert again.account_id == first.account_id and again.districts == ["demo"]
    assert [(a.email, a.role) for a in await list_accounts(services)] == [(EMAIL, "admin")]
    every = await add_account(services, EMAIL, "admin", "Kari Nordmann", actor="admin:test", districts=["demo", "*"])
    assert every.districts == ["*"]


async def test_a_new_account_must_name_its_districts(services):
    with pytest.raises(BadInput, match="--district: name the districts"):
        await add_account(services, EMAIL, "operator", "Kari Nordmann", actor="admin:test")
    with pytest.raises(BadInput, match="--district: not a district id"):
        await add_account(services, EMAIL, "operator", "Kari Nordmann", actor="admin:test", districts=["a b"])
    assert await list_accounts(services) == []


async def test_a_role_must_be_known(services):
    with pytest.raises(BadInput):
        await add_account(services, EMAIL, "doctor", "Kari Nordmann", actor="admin:test", districts=["*"])


async def test_disabling_ends_the_sessions_once(services):
    await add_account(services, EMAIL, "operator", "Kari Nordmann", actor="admin:test", districts=["*"])
    await disable_account(services, EMAIL, actor="admin:test")
    assert await list_accounts(services) == []
    known, cutoff = services.session_cutoffs.known(EMAIL)
    assert known and cutoff is not None, "this process refuses the account's sessions at once"
    with pytest.raises(NotFound):
        await disable_account(services, EMAIL, actor="admin:test")
