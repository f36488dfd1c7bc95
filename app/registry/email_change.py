"""A doctor's change of their own e-mail address — the address they sign in with — is confirmed
from the new address before it takes effect.

Asking for it mails a link to the new address (signed, single use, 24 hours; only its SHA-256 is
stored: migration 012) and a notice to the old one, through the SMTP setup the sign-in link uses.
Using the link stores the new address in the registry, recorded in its history with who asked and
when, and ends every session of the old address. The address must still be unused then: unique
within the district's roll and across accounts (app/registry/edits.py). Logs name no address."""

from __future__ import annotations

import logging
from datetime import timedelta

from app.bootstrap import Services
from app.errors import NotFound
from app.identity.sessions import check_signed_token, signed_token
from app.registry.edits import changed_record, check_address_free
from domain.mail.address_templates import address_change_notice, confirm_address
from domain.mail.facts import MailMessage

log = logging.getLogger(__name__)

CHANGE_LIFETIME = timedelta(hours=24)
PURPOSE = "email-change"
NOT_VALID = "this confirmation link is not valid (used, expired or replaced by a newer one); change the address again"


async def _mail(services: Services, to: str, message: MailMessage) -> None:
    # aiosmtplib and the e-mail builder load only when a message goes out (as for sign-in links).
    from adapters.smtp import MailDeliveryError, SmtpSender

    try:
        await SmtpSender(services.mail_settings).send(to, message)
    except MailDeliveryError as e:  # the message names no address
        log.warning("e-mail change message not delivered: %s", e)


async def ask_to_change(services: Services, district: str, doctor: str, *, old: str, new: str, actor: str) -> None:
    """Store the waiting change (replacing an earlier one of this doctor's) and mail the link to
    the new address and the notice to the old one."""
    secret = services.web_settings.session_secret.get_secret_value()
    token, stored = signed_token(secret, PURPOSE)
    await (await services.database()).accounts.create_email_change(
        stored, district_id=district, doctor_id=doctor, old_email=old.lower(), new_email=new, requested_by=actor,
        expires_at=services.clock.now() + CHANGE_LIFETIME,
    )
    link = f"{services.web_settings.public_url}/me/email/confirm?token={token}"
    await _mail(services, new, confirm_address(link, expires_hours=int(CHANGE_LIFETIME.total_seconds() // 3600)))
    await _mail(services, old, address_change_notice())
    log.info("e-mail change asked for: confirmation and notice sent")


async def confirm_change(services: Services, token: str) -> tuple[str, str]:
    """Use a confirmation link: the new address is stored and the old one's sessions end.
    Returns (district, doctor). NotFound (one message) for a link that does not confirm."""
    secret = services.web_settings.session_secret.get_secret_value()
    stored = check_signed_token(secret, PURPOSE, token)
    if stored is None:
        raise NotFound(NOT_VALID)
    db = await services.database()
    async with db.pool.acquire() as conn, conn.transaction():
        change = await db.accounts.use_email_change(conn, stored, services.clock.now())
        if change is None:
            raise NotFound(NOT_VALID)
        district, doctor, old, new = change["district_id"], change["doctor_id"], change["old_email"], change["new_email"]
        await check_address_free(services, new, district, doctor)  # still unused (rolled back if not)

        def to_new(record):
            if record.email.lower() != old:  # changed another way since: this link is stale
                raise NotFound(NOT_VALID)
            return changed_record(record, {"email": new})

        if await db.registry.change_doctor(district, doctor, to_new, actor=change["requested_by"], conn=conn) is None:
            raise NotFound(NOT_VALID)
    await ended_address(services, old, new, actor=change["requested_by"])
    log.info("e-mail change confirmed; the old address's sessions ended")
    return district, doctor


async def ended_address(services: Services, old: str, new: str, *, actor: str) -> None:
    """A doctor's address changed: the provider binding moves with it, every session of the old
    address ends (in this process at once), and both addresses' people are derived again."""
    db = await services.database()
    # The identity provider's subject follows its person: a later sign-in by the old address's
    # subject lands on the new address, never on whoever gets the old one next.
    await db.oidc_bindings.move_address(old, new)
    cutoff = await db.accounts.end_sessions(old.lower(), by=actor)
    services.session_cutoffs.remember(old, cutoff)
    services.principals.forget(old)
    services.principals.forget(new)
