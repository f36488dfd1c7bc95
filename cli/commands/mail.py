"""`vakt mail`: the local development mailbox, newest first (parse → app.mail → render).

Registered in cli/main.py. Every text from a message is shown literally
(cli/text.py): a subject with markup or escape codes prints as the characters it holds.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.rule import Rule

from app.mail import MailboxView, read_mailbox
from cli.runner import call, finish, out, print_json
from cli.text import plain, safe
from domain.clock import local_time


app = typer.Typer()


@app.command(name="mail")
def mail(
    to: Annotated[str | None, typer.Option("--to", help="Only messages to this address")] = None,
    last: Annotated[int, typer.Option("--last", help="How many of the newest messages to show")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="As JSON")] = False,
) -> None:
    """Read the mailbox of the local development SMTP server (`vakt dev`): date, to, subject, text."""

    view = call(lambda services: read_mailbox(services, to=to, last=last))
    if as_json:
        print_json(view.document())
    else:
        render_mailbox(out, view, to)
    finish(0)


def render_mailbox(console: Console, view: MailboxView, to: str | None) -> None:
    if view.embedded:
        console.print(f"Mailbox {safe(view.mailbox)}, filled by the local development SMTP server ({safe(view.smtp)}).",
                      highlight=False, soft_wrap=True)
    else:
        console.print(f"Mail goes to {safe(view.smtp)} (SMTP_URL). This mailbox, {safe(view.mailbox)}, holds only what "
                      "a local development SMTP server received.", highlight=False, soft_wrap=True)
    whom = f" to {safe(to)}" if to else ""
    if not view.messages:
        console.print(f"No messages{whom}.", highlight=False)
        return
    console.print(f"{len(view.messages)} of {view.matching} messages{whom}, newest first.", highlight=False)
    for m in view.messages:
        console.print(Rule(style="dim"))
        console.print(plain(f"Date:    {local_time(m.delivered_at, seconds=True)}"))
        console.print(plain(f"To:      {', '.join(m.to)}"))
        console.print(plain(f"Subject: {m.subject}"))
        if m.attachments:
            console.print(plain(f"Attached: {', '.join(m.attachments)}"))
        console.print()
        console.print(plain(m.text.rstrip("\n")), soft_wrap=True)  # links stay whole (sign-in links)
