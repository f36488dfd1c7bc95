"""Ending sessions before they expire.

A session is a signed cookie stored nowhere (app/identity/sessions.py), so it cannot be deleted. It is
ended instead by a cutoff on its address (migration 010): a session signed in before the cutoff
is refused. Signing out ends every session of that person, on every device; `vakt account
sign-out` lets an admin do it for a lost phone; disabling an account does it too.

Every signed-in request checks its address's cutoff. The cutoff is read from PostgreSQL at most
every `RECHECK` seconds (each entry a random 60–100 % of that, so doctors who signed in together do
not all read at once) (app/identity/sessions.py) per address and process, so a burst of a doctor's requests costs one
read, and a cutoff set by another process (the CLI, another web process) takes effect within
`RECHECK` seconds. In the process that sets it, it takes effect at once.
"""

from __future__ import annotations

from app.bootstrap import Services
from app.identity.sessions import Session
from app.identity.sign_in import normal_address


async def still_valid(services: Services, session: Session) -> bool:
    """False when the session was signed in before its address's cutoff."""
    email = session.principal.email
    cutoffs = services.session_cutoffs
    known, cutoff = cutoffs.known(email)
    if not known:  # requests of one address that miss at once share one read
        cutoff = await cutoffs.reading.run(email.lower(), lambda: _read_cutoff(services, email))
    return cutoff is None or session.issued > cutoff


def cutoff_known(services: Services, session: Session) -> bool:
    """Whether this session's cutoff is remembered (no read needed now)."""
    return services.session_cutoffs.known(session.principal.email)[0]


async def _read_cutoff(services: Services, email: str) -> float | None:
    stored = await (await services.database()).accounts.session_cutoff(email)
    services.session_cutoffs.remember(email, stored)
    return stored.timestamp() if stored else None


async def sign_out_everywhere(services: Services, session: Session) -> None:
    """The person signs out: this session and every other one of theirs end now."""
    email = session.principal.email
    cutoff = await (await services.database()).accounts.end_sessions(email, by="self")
    services.session_cutoffs.remember(email, cutoff)


async def end_sessions(services: Services, email: str, *, actor: str) -> None:
    """An admin ends every session of an address (a lost phone, a leaver)."""
    email = normal_address(email, "--email")
    cutoff = await (await services.database()).accounts.end_sessions(email, by=actor)
    services.session_cutoffs.remember(email, cutoff)

