"""Who a session's person is now: derived again from the accounts table and the registry.

A session keeps who signed in (the address, how, and what an identity provider granted then);
their roles, rolls and districts are derived again per request (app/identity/sign_in.principal_for),
remembered per process for a few seconds (app/identity/sessions.PrincipalCache). So a role change,
a district taken away or a changed e-mail address ends the old role within that time in every
process, and at once in the process that made the change.
"""

from __future__ import annotations

from app.bootstrap import Services
from app.identity.sessions import Session
from app.identity.sign_in import principal_for


async def current_session(services: Services, session: Session | None) -> Session | None:
    """The session with its person derived again; None when the address no longer signs anyone in."""
    if session is None:
        return None
    signed = session.principal
    key = (signed.email.lower(), signed.via, signed.provider_roles, signed.provider_districts,
           signed.name if signed.via == "oidc" else None)
    known, principal = services.principals.get(key)
    if not known:
        principal = await principal_for(
            services, signed.email, via=signed.via, extra_roles=signed.provider_roles, name=key[4],
            extra_districts=signed.provider_districts,
        )
        services.principals.put(key, principal)
    if principal is None:
        return None
    return session.model_copy(update={"principal": principal})
