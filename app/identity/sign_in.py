"""Signing in to the web service: who an address is, and the embedded default — a link by e-mail.

The link is single-use, expires after 15 minutes, carries a signature (a link not made with
the service's secret is refused before the database is asked), and only its SHA-256 is stored.
Requests are rate-limited per address. Every request for a link gets the same answer and takes
about the same time, whether or not the address is known: the message goes out in the
background, through the SMTP setup the invitations use (adapters/smtp.py). A link that does
not sign in — unknown, used, expired, damaged — gets one answer too.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from urllib.parse import quote

from email_validator import EmailNotValidError, validate_email

from app.bootstrap import Services
from app.errors import BadInput, Unauthenticated
from app.identity.sessions import check_signed_token, same_secret, sign, signed_token
from domain.identity import DoctorRef, Principal
from domain.mail.templates import sign_in as sign_in_message
from domain.clock import oslo_today
from infra import metrics

log = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(minutes=15)
RATE_WINDOW = timedelta(minutes=15)
RATE_LIMIT = 5  # links per address and window
DAY_LIMIT = 20  # links per address in 24 hours (per client and globally: app/identity/throttle.py)
LINK_PURPOSE = "sign-in"
NEXT_PURPOSE = "sign-in-next"  # binds a link's target page to its token: a crafted link cannot change it
NOT_VALID = "this sign-in link is not valid (used, expired or incomplete); ask for a new one"
OIDC_REQUIRED = "sign-in links are off for you: sign in with the clinic's identity provider"
LINK_SENT = (
    "If the address belongs to a doctor on a district's roll or to a clinic account, a sign-in link is on its "
    "way; it works once, for 15 minutes."
)

_outgoing: set[asyncio.Task] = set()


def normal_address(value: str, field: str = "email") -> str:
    """The address in lower case, or BadInput naming the field (never repeating the value)."""
    if not isinstance(value, str) or not value.strip() or len(value) > 254:
        raise BadInput(f"{field}: not a valid e-mail address")
    try:
        # `.test` domains too: what an OpenAPI client generates for "format: email" (RFC 6761).
        return validate_email(value.strip(), check_deliverability=False, test_environment=True).normalized.lower()
    except EmailNotValidError:
        raise BadInput(f"{field}: not a valid e-mail address") from None


async def principal_for(
    services: Services, email: str, *, via: str = "link", extra_roles=(), name=None,
    extra_districts: tuple[str, ...] = (),
) -> Principal | None:
    """Who signs in with this address: a doctor on a roll, an account, both — or nobody.

    `extra_roles` and `extra_districts` are what an identity provider grants; the districts go
    with the provider's operator/admin roles. A disabled account gets no provider role. An
    address on two doctors of one district's roll signs nobody in (which one would it be?)."""
    store = (await services.database()).accounts
    account = await store.account(email)
    rolls = await store.doctors_by_email(email, oslo_today(services.clock))
    if len({r.district_id for r in rolls}) != len(rolls):
        log.warning("sign-in refused: reason=ambiguous_address")  # never the address
        return None
    roles: list[str] = ["doctor"] if rolls else []
    districts: list[str] = []
    if account is not None:
        roles.append(account.role)
        districts.extend(account.districts)
    provided = tuple(r for r in extra_roles if r in ("operator", "admin"))
    if provided and account is None and await store.is_disabled(email):
        provided = ()  # a disabled account stays out whatever the provider says
    roles.extend(r for r in provided if r not in roles)
    if provided:
        districts.extend(d for d in extra_districts if d not in districts)
    if not roles:
        return None
    shown = (account.name if account else None) or name or (rolls[0].name if rolls else email)
    return Principal(
        email=email, name=shown, roles=tuple(roles), via=via,
        doctors=tuple(DoctorRef(district=r.district_id, doctor=r.doctor_id) for r in rolls),
        account_id=account.account_id if account else None, districts=tuple(districts),
        provider_roles=provided, provider_districts=tuple(extra_districts) if provided else (),
    )


def link_allowed(services: Services, principal: Principal) -> bool:
    """With an identity provider configured, operators and admins sign in only through it (a
    mailbox must not bypass its MFA); doctors too, unless VAKT_OIDC_ALLOW_DOCTOR_LINKS."""
    oidc = services.web_settings.oidc
    if oidc is None:
        return True
    return not principal.is_operator and oidc.allow_doctor_links


def next_signature(secret: str, token: str, next_path: str) -> str:
    return sign(secret, NEXT_PURPOSE, f"{token}|{next_path}")


def checked_next(services: Services, token: str, next_path: str, signature: str) -> str | None:
    """The link's target page when its signature binds it to this token; None otherwise."""
    if not next_path or not signature or not isinstance(token, str):
        return None
    secret = services.web_settings.session_secret.get_secret_value()
    return next_path if same_secret(signature, next_signature(secret, token, next_path)) else None


async def request_link(services: Services, email: str, *, now: datetime | None = None, next_path: str | None = None) -> str:
    """Send a sign-in link when the address is known and not over its rate limit. The answer
    (LINK_SENT) is the same in every case. `next_path` (a same-site path the caller checked) is
    the page the link lands on, signed together with the token."""
    email = normal_address(email)
    now = now or services.clock.now()
    secret = services.web_settings.session_secret.get_secret_value()
    store = (await services.database()).accounts
    recent = await store.attempts(sign(secret, "address", email), window=RATE_WINDOW, now=now)
    today = await store.attempts(sign(secret, "address-day", email), window=timedelta(days=1), now=now)
    principal = await principal_for(services, email)
    if recent > RATE_LIMIT or today > DAY_LIMIT or principal is None:
        return LINK_SENT
    if not link_allowed(services, principal):
        log.info("sign-in link not sent: link.oidc_required")
        return LINK_SENT
    token, stored = signed_token(secret, LINK_PURPOSE)
    await store.create_link(stored, email, expires_at=now + LINK_LIFETIME)
    link = f"{services.web_settings.public_url}/sign-in/link?token={token}"
    if next_path and next_path != "/":
        link += f"&next={quote(next_path, safe='')}&sig={next_signature(secret, token, next_path)}"
    task = asyncio.create_task(_send(services, email, link))
    _outgoing.add(task)
    task.add_done_callback(_outgoing.discard)
    return LINK_SENT


async def _send(services: Services, email: str, link: str) -> None:
    # aiosmtplib and the e-mail builder (~150 ms to import): only a sign-in link by mail needs them.
    from adapters.smtp import MailDeliveryError, SmtpSender

    message = sign_in_message(link, expires_minutes=int(LINK_LIFETIME.total_seconds() // 60))
    try:
        await SmtpSender(services.mail_settings).send(email, message)
    except MailDeliveryError as e:  # the message names no address
        log.warning("sign-in link not delivered: %s", e)


async def outgoing_mail() -> None:
    """Wait for the sign-in messages still being sent (tests, shutdown)."""
    while _outgoing:
        await asyncio.gather(*list(_outgoing), return_exceptions=True)


async def use_link(services: Services, token: str, *, now: datetime | None = None) -> Principal:
    """The person a link signs in, marking it used; Unauthenticated (one message) otherwise."""
    try:
        principal = await _use_link(services, token, now=now)
    except Unauthenticated:
        metrics.SIGN_INS.labels(method="link", outcome="refused").inc()
        raise
    metrics.SIGN_INS.labels(method="link", outcome="signed-in").inc()
    return principal


async def _use_link(services: Services, token: str, *, now: datetime | None) -> Principal:
    secret = services.web_settings.session_secret.get_secret_value()
    stored = check_signed_token(secret, LINK_PURPOSE, token)
    if stored is None:
        raise Unauthenticated(NOT_VALID)
    store = (await services.database()).accounts
    email = await store.use_link(stored, now or services.clock.now())
    principal = await principal_for(services, email) if email else None
    if principal is None:
        raise Unauthenticated(NOT_VALID)
    if not link_allowed(services, principal):  # a link mailed before the provider was configured
        log.warning("sign-in link refused: link.oidc_required")
        raise Unauthenticated(OIDC_REQUIRED)
    return principal
