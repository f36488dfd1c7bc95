"""Operators' and admins' accounts for the web service:
`vakt account add --email … --role … --name … --district D [--district E …]`.
Doctors need none: a doctor signs in with the e-mail address on a district's roll.

Each account has a stable id (`acct-3`), recorded as the actor of what its holder does, and the
districts it serves ("*": every district). A new account must name its districts: nobody gets
every district by default. Changing an existing account without naming districts keeps them."""

from __future__ import annotations

from pydantic import BaseModel

from app.bootstrap import Services
from app.errors import BadInput, NotFound
from app.identity.sign_in import normal_address
from app.validate import district_id as valid_district_id
from app.validate import person_name
from domain.identity import EVERY_DISTRICT

ROLES = ("operator", "admin")
NAME_DISTRICTS = "--district: name the districts the account serves (repeat --district), or '*' for every district"


class Account(BaseModel):
    email: str
    role: str
    name: str
    account_id: str = ""
    districts: list[str] = []
    created: bool = False


def scope(districts: list[str] | tuple[str, ...] | None, field: str = "--district") -> tuple[str, ...] | None:
    """The districts, validated and without repeats; ("*",) for every district; None: not given."""
    if districts is None or len(districts) == 0:
        return None
    if EVERY_DISTRICT in districts:
        return (EVERY_DISTRICT,)
    return tuple(dict.fromkeys(valid_district_id(d, field) for d in districts))


async def add_account(services: Services, email: str, role: str, name: str, *, actor: str,
                      districts: list[str] | tuple[str, ...] | None = None) -> Account:
    """Add an account, or change its role, name and (when given) districts."""
    email = normal_address(email, "--email")
    if role not in ROLES:
        raise BadInput(f"--role: must be one of {', '.join(ROLES)}")
    name = person_name(name, "--name")
    served = scope(districts)
    put = await (await services.database()).accounts.put_account(email, role, name, created_by=actor, districts=served)
    if put is None:
        raise BadInput(NAME_DISTRICTS)
    created, row = put
    services.principals.forget(email)  # this process sees the new role and scope at once
    return Account(email=email, role=role, name=name, account_id=row.account_id, districts=list(row.districts),
                   created=created)


async def list_accounts(services: Services) -> list[Account]:
    rows = await (await services.database()).accounts.accounts()
    return [Account(email=r.email, role=r.role, name=r.name, account_id=r.account_id, districts=list(r.districts))
            for r in rows]


async def disable_account(services: Services, email: str, *, actor: str) -> None:
    """Disable an operator's or admin's account; its sessions end with it (app/identity/session_cutoffs.py)."""
    email = normal_address(email, "--email")
    cutoff = await (await services.database()).accounts.disable_account(email, by=actor)
    if cutoff is None:
        raise NotFound("no such enabled account")
    services.session_cutoffs.remember(email, cutoff)
    services.principals.forget(email)
