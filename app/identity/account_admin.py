"""Accounts managed by an admin in the browser: list, add (or change), disable, and end every
session of an address (a lost phone). The same use cases as `vakt account …`, with the signed-in
admin as the actor and within their scope: an admin serving some districts sees and manages only
accounts inside them, and may not grant every district ("*"); an admin serving every district
manages all."""

from __future__ import annotations

from datetime import date

from app.bootstrap import Services
from app.errors import Forbidden, NotFound
from app.identity.access import require_admin
from app.identity.accounts import Account, add_account, disable_account, list_accounts, scope
from app.identity.sign_in import normal_address
from domain.identity import EVERY_DISTRICT, Principal


def _everywhere(admin: Principal) -> bool:
    return EVERY_DISTRICT in admin.districts


def _within(admin: Principal, districts: list[str] | tuple[str, ...]) -> bool:
    return _everywhere(admin) or (bool(districts) and EVERY_DISTRICT not in districts
                                  and all(admin.serves(d) for d in districts))


async def accounts_for(services: Services, principal: Principal | None) -> list[Account]:
    admin = require_admin(principal)
    return [a for a in await list_accounts(services) if _within(admin, a.districts)]


async def put_account_for(services: Services, principal: Principal | None, *, email: str, role: str, name: str,
                          districts: list[str]) -> Account:
    admin = require_admin(principal)
    served = scope(districts, "districts") or ()
    if not _within(admin, served):
        raise Forbidden("districts: you may only grant districts your own account serves")
    existing = {a.email: a for a in await list_accounts(services)}
    before = existing.get(normal_address(email, "email"))
    if before is not None and not _within(admin, before.districts):
        raise Forbidden("this account serves districts outside your own")
    return await add_account(services, email, role, name, actor=admin.admin_actor(), districts=list(served))


async def disable_account_for(services: Services, principal: Principal | None, email: str) -> None:
    admin = require_admin(principal)
    email = normal_address(email, "email")
    account = next((a for a in await list_accounts(services) if a.email == email), None)
    if account is None or not _within(admin, account.districts):
        raise NotFound("no such enabled account")
    if admin.email == email:
        raise Forbidden("an admin does not disable their own account here")
    await disable_account(services, email, actor=admin.admin_actor())


async def end_sessions_for(services: Services, principal: Principal | None, email: str, today: date) -> None:
    """Every session of the address ends now (a lost phone): a doctor on a roll the admin
    serves, or an account within their scope. The person signs in again."""
    admin = require_admin(principal)
    email = normal_address(email, "email")
    db = await services.database()
    doctors = await db.accounts.doctors_by_email(email, today)
    account = next((a for a in await list_accounts(services) if a.email == email), None)
    known = any(admin.serves(d.district_id) for d in doctors) or (account is not None and _within(admin, account.districts))
    if not known:
        raise NotFound("no doctor or account with that address in your districts")
    cutoff = await db.accounts.end_sessions(email, by=admin.admin_actor())
    services.session_cutoffs.remember(email, cutoff)
    services.principals.forget(email)
