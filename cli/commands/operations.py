"""`vakt migrate | keys | dev | worker`: deploying and running the engine."""

from __future__ import annotations

import typer

from app.bootstrap import Services
from app.database import migrate_database
from app.keys import rotate_payload_key
from cli.runner import call, finish, out, say
from cli.text import safe
from infra.codec import Keyring

app = typer.Typer()
keys_app = typer.Typer(help="Payload encryption keys (Temporal payloads are AES-GCM encrypted).", no_args_is_help=True)


@app.command()
def migrate() -> None:
    """Apply pending database migrations with the migration role (a deployment step)."""

    async def work(services):
        urls = await services.database_urls()
        return urls, await migrate_database(urls)

    urls, applied = call(work, say=say(False))
    for schema, versions in applied.items():
        text = ", ".join(f"{v:03d}" for v in versions) if versions else "up to date"
        out.print(f"schema {schema}: {text}", highlight=False)
    out.print(f"database {safe(urls.redacted())} is migrated.", highlight=False)
    finish(0)


@keys_app.command("show")
def keys_show() -> None:
    """Where the payload keys come from and their ids (never the keys themselves)."""
    ring = call(_keyring)
    out.print(f"payload keys from {safe(ring.source)}: {', '.join(k.id for k in ring.keys)} (newest first; "
              f"new payloads use {ring.newest.id})", highlight=False, soft_wrap=True)
    finish(0)


async def _keyring(services: Services) -> Keyring:
    return services.keyring


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Add a new newest key to the key file; older keys still decrypt older histories."""
    key_id = call(lambda services: rotate_payload_key(services))
    out.print(f"New payload key {key_id} is now used for new payloads; restart the workers to pick it up.")
    finish(0)


@app.command()
def dev() -> None:
    """Local stack for trying the engine by hand: Temporal dev server + Web UI + codec endpoint,
    PostgreSQL, a local mailbox, worker."""
    # Lazy: worker.py is the deployment's own entry point (embedded servers, the web service),
    # loaded only by `vakt dev` and `vakt worker` (CLI start-up time).
    import worker as worker_module

    worker_module.main(dev=True)
    finish(0)


@app.command()
def worker() -> None:
    """Run a worker: TEMPORAL_ADDRESS/DATABASE_URL when set, else the embedded defaults."""
    # Lazy: see `dev`.
    import worker as worker_module

    worker_module.main()
    finish(0)
