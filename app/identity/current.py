"""Who a session's person is now: derived again from the accounts table and the registry.

A session keeps who signed in (the address, how, and what an identity provider granted then);
their roles, rolls and districts are derived again per request (app/identity/sign_in.principal_for),
remembered per process for a few seconds (app/identity/sessions.PrincipalCache). So a role change,
a district taken away or a changed e-mail address ends the old role within that time in every
process, and at once in the process that made the change.
"""

from __future__ import annotations

import asyncio

from app.bootstrap import Services
from app.identity.session_cutoffs import cutoff_known, still_valid
from app.identity.sessions import Session
from app.identity.sign_in import principal_for


def _key(session: Session) -> tuple:
    signed = session.principal
    return (signed.email.lower(), signed.via, signed.provider_roles, signed.provider_districts,
            signed.name if signed.via == "oidc" else None)


async def current_session(services: Services, session: Session | None) -> Session | None:
    """The session with its person derived again; None when the address no longer signs anyone in."""
    if session is None:
        return None
    key = _key(session)
    known, principal = services.principals.get(key)
    if not known:  # requests of one person that miss at once share one derivation
        principal = await services.principals.deriving.run(key, lambda: _derive(services, session, key))
    if principal is None:
        return None
    return session.model_copy(update={"principal": principal})


async def _derive(services: Services, session: Session, key: tuple):
    signed = session.principal
    principal = await principal_for(
        services, signed.email, via=signed.via, extra_roles=signed.provider_roles, name=key[4],
        extra_districts=signed.provider_districts,
    )
    services.principals.put(key, principal)
    return principal


async def signed_in_now(services: Services, session: Session | None) -> Session | None:
    """The session if it still holds (signed in after its address's cutoff: session_cutoffs.py),
    with its person derived again; None otherwise. When neither is remembered, both are read at
    once: one wait for PostgreSQL instead of two in a row."""
    if session is None:
        return None
    if not cutoff_known(services, session) and not services.principals.get(_key(session))[0]:
        valid, current = await asyncio.gather(still_valid(services, session), current_session(services, session))
        return current if valid else None
    if not await still_valid(services, session):
        return None  # signed out, or its account disabled, since it was signed in
    return await current_session(services, session)
