"""A minimal invitation round for the mail tests: one `send_mail` activity per doctor, all at
once, through workflows/mail.py (the production timeout and retry policy)."""

from __future__ import annotations

import asyncio

from temporalio import workflow

from workflows.mail import send_mail

with workflow.unsafe.imports_passed_through():
    from activities.mail_models import SendMailInput, SendMailResult


@workflow.defn
class InvitationRoundWorkflow:
    @workflow.run
    async def run(self, inputs: list[SendMailInput]) -> list[SendMailResult]:
        return list(await asyncio.gather(*(send_mail(inp) for inp in inputs)))
