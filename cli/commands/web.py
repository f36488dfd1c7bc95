"""`vakt serve` (the web service for doctors and operators) and `vakt account …` (operators'
and admins' accounts): parse, call app/, render. Registered in cli/main.py."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from app.identity.accounts import add_account, disable_account, list_accounts
from app.registry.districts import admin_actor
from app.registry.views import mask_email
from app.identity.session_cutoffs import end_sessions
from cli.runner import call, fail, finish, os_user, out
from cli.text import safe
from infra.metrics import MetricsSettingError, start_metrics
from infra.tracing import TracingSettingError, start_tracing

app = typer.Typer()  # merged into `vakt` (cli/main.py): `vakt serve`, `vakt account …`
account_app = typer.Typer(help="Operators' and admins' accounts for the web service (doctors need none).",
                          no_args_is_help=True)
app.add_typer(account_app, name="account")

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on")] = DEFAULT_PORT,
) -> None:
    """Run the web service for doctors and operators (pages, JSON API, OpenAPI at /docs)."""
    os.environ.setdefault("VAKT_PUBLIC_URL", f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}")
    try:  # before any Temporal client: the SDK's metrics are set up with its runtime
        metrics = start_metrics(os.environ)
    except MetricsSettingError as e:
        fail(str(e), 2)
    if metrics is not None:
        out.print(f"metrics {safe(metrics.url)} (vakt_ and temporal_ series)", highlight=False)
    try:  # before any Temporal client: each client made later carries its interceptor
        tracing = start_tracing(os.environ, "vakt-web")
    except TracingSettingError as e:
        fail(str(e), 2)
    if tracing is not None:
        out.print(f"tracing {safe(tracing.describe())} (OpenTelemetry)", highlight=False)

    async def work(services):
        # Lazy: the web stack (FastAPI, uvicorn, templates) is loaded only by `vakt serve`
        # (CLI start-up time).
        from infra.event_loop import loop_name
        from web.server import run_web_service

        await services.database()
        out.print(f"web service http://{safe(host)}:{port} ({safe(services.web_settings.describe())}; "
                  f"{loop_name()} loop); Ctrl-C stops it.", highlight=False, soft_wrap=True)
        await run_web_service(services, host, port)

    call(work, serving=True)
    finish(0)


@account_app.command("add")
def account_add(
    email: Annotated[str, typer.Option("--email", help="The address they sign in with")],
    role: Annotated[str, typer.Option("--role", help="operator | admin")],
    name: Annotated[str, typer.Option("--name", help="Their name, recorded with what they do")],
    district: Annotated[list[str] | None, typer.Option(
        "--district", help="A district the account serves (repeat it); '*' for every district. Required for a new "
        "account; without it a change keeps the account's districts")] = None,
    by: Annotated[str, typer.Option("--by", help="Your name, recorded as who added it")] = "",
) -> None:
    """Add an operator's or admin's account (or change its role, name and districts)."""

    account = call(lambda services: add_account(services, email, role, name, actor=admin_actor(by or os_user(), "--by"),
                                                districts=district))
    verb = "Added" if account.created else "Updated"
    served = "every district" if account.districts == ["*"] else ", ".join(account.districts)
    out.print(f"{verb} {account.role} account {account.account_id} for {safe(account.name)}, serving "
              f"{safe(served)}.", highlight=False)
    finish(0)


@account_app.command("list")
def account_list() -> None:
    """Every enabled account: id, role, name, districts served (addresses masked)."""

    for account in call(list_accounts):
        out.print(f"{account.account_id:9} {account.role:9} {safe(account.name)} "
                  f"<{safe(mask_email(account.email))}> {safe(','.join(account.districts))}", highlight=False)
    finish(0)


@account_app.command("disable")
def account_disable(
    email: Annotated[str, typer.Option("--email", help="The account's address")],
    by: Annotated[str, typer.Option("--by", help="Your name, recorded as who disabled it")] = "",
) -> None:
    """Disable an account: it signs in no more, and its open sessions end (within seconds)."""

    call(lambda services: disable_account(services, email, actor=admin_actor(by or os_user(), "--by")))
    out.print("Disabled; its sessions are ended.", highlight=False)
    finish(0)


@account_app.command("sign-out")
def account_sign_out(
    email: Annotated[str, typer.Option("--email", help="The address whose sessions end: a doctor's or an account's")],
    by: Annotated[str, typer.Option("--by", help="Your name, recorded as who ended them")] = "",
) -> None:
    """End every open session of an address now (a lost phone, a leaver); they may sign in again."""

    call(lambda services: end_sessions(services, email, actor=admin_actor(by or os_user(), "--by")))
    out.print("Every session of that address signed in until now is ended.", highlight=False)
    finish(0)
