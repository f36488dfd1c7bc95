"""Operators' and admins' accounts: add, list, disable (which ends their sessions)."""

from __future__ import annotations

import pytest

from app.errors import BadInput, NotFound
from app.identity.accounts import add_account, disable_account, list_accounts

EMAIL = "leder@clinic.example.no"


async def test_adding_an_account_twice_changes_it(services):
    first = await add_account(services, EMAIL, "operator", "Kari Nordmann", actor="admin:test")
    again = await add_account(services, EMAIL.upper(), "admin", "Kari Nordmann", actor="admin:test")
    assert first.created and not again.created
    assert [(a.email, a.role) for a in await list_accounts(services)] == [(EMAIL, "admin")]


async def test_a_role_must_be_known(services):
    with pytest.raises(BadInput):
        await add_account(services, EMAIL, "doctor", "Kari Nordmann", actor="admin:test")


async def test_disabling_ends_the_sessions_once(services):
    await add_account(services, EMAIL, "operator", "Kari Nordmann", actor="admin:test")
    await disable_account(services, EMAIL, actor="admin:test")
    assert await list_accounts(services) == []
    known, cutoff = services.session_cutoffs.known(EMAIL)
    assert known and cutoff is not None, "this process refuses the account's sessions at once"
    with pytest.raises(NotFound):
        await disable_account(services, EMAIL, actor="admin:test")
