"""Sending mail from a workflow: one `send_mail` activity per (period, doctor, kind).

    result = await send_mail(SendMailInput(period_id=…, district_id=…, doctor_id=…, …,
                                           facts=InvitationFacts(…)))

The activity never sends a message twice (its sent-log), so a workflow may call it again after
a restart or a continue-as-new without care. Temporal retries it while SMTP is down, without
limit; `no-address` and `recipient-refused` come back as outcomes to report, not as errors.
Send a round's messages concurrently (`asyncio.gather`): each is its own activity.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.mail_models import SEND_MAIL_RETRY, SEND_MAIL_START_TO_CLOSE, SendMailInput, SendMailResult
    from domain.mail.facts import MailFacts
    from domain.model import PeriodConfig


async def send_mail(inp: SendMailInput) -> SendMailResult:
    return await workflow.execute_activity(
        "send_mail",
        inp,
        result_type=SendMailResult,
        start_to_close_timeout=SEND_MAIL_START_TO_CLOSE,
        retry_policy=SEND_MAIL_RETRY,
    )


async def send_notices(config: PeriodConfig, notices: Iterable[tuple[str, MailFacts]]) -> None:
    """One message per (doctor id, facts) of the period, all at once."""
    await asyncio.gather(
        *(
            send_mail(
                SendMailInput(
                    period_id=config.period.id, district_id=config.district.id, doctor_id=doctor,
                    district_name=config.district.name, period_start=config.period.start,
                    period_end=config.period.end, facts=facts,
                )
            )
            for doctor, facts in notices
        )
    )
