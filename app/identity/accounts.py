"""Operators' and admins' accounts for the web service: `vakt account add --email … --role … --name …`.
Doctors need none: a doctor signs in with the e-mail address on a district's roll."""

from __future__ import annotations

from pydantic import BaseModel

from app.bootstrap import Services
from app.errors import BadInput, NotFound
from app.identity.sign_in import normal_address
from app.validate import person_name

ROLES = ("operator", "admin")


class Account(BaseModel):
    email: str
    role: str
    name: str
    created: bool = False


async def add_account(services: Services, email: str, role: str, name: str, *, actor: str) -> Account:
    """Add an account, or change its role and name."""
    email = normal_address(email, "--email")
    if role not in ROLES:
        raise BadInput(f"--role: must be one of {', '.join(ROLES)}")
    name = person_name(name, "--name")
    created = await (await services.database()).accounts.put_account(email, role, name, created_by=actor)
    return Account(email=email, role=role, name=name, created=created)


async def list_accounts(services: Services) -> list[Account]:
    rows = await (await services.database()).accounts.accounts()
    return [Account(email=r.email, role=r.role, name=r.name) for r in rows]


async def disable_account(services: Services, email: str, *, actor: str) -> None:
    """Disable an operator's or admin's account; its sessions end with it (app/identity/session_cutoffs.py)."""
    email = normal_address(email, "--email")
    cutoff = await (await services.database()).accounts.disable_account(email, by=actor)
    if cutoff is None:
        raise NotFound("no such enabled account")
    services.session_cutoffs.remember(email, cutoff)
