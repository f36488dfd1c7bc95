"""What every `vakt` command shares: the one door into the application (`call`), the consoles,
one-line errors, exit codes, JSON output.

Exit codes: 0 success, 1 failure (a service unreachable, a check that failed), 2 bad input or a
refusal (nothing run, nothing written). Every error is one line on stderr, never a traceback
(set VAKT_DEBUG=1 to see one for an unexpected error).
"""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from app.bootstrap import Services, bootstrap
from app.database import database_failure
from app.errors import Refused, VaktError
from cli.text import safe, visible
from infra.process import exit_now
from infra.event_loop import run_serving

err = Console(stderr=True)
out = Console()

T = TypeVar("T")
EXIT_BAD_INPUT = 2

OperatorOpt = Annotated[str, typer.Option("--operator", help="Your name, recorded with the action")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why, recorded with the action")]


def finish(code: int) -> NoReturn:
    """Exit past interpreter teardown: temporalio's runtime threads can abort CPython's
    finalisation (sdk-python#300), turning a clean exit into SIGABRT."""
    exit_now(code)
    raise AssertionError("unreachable")


def fail(message: str, code: int, prefix: str = "error") -> NoReturn:
    # Plain text, one line: error lines are grepped and pasted into tickets.
    sys.stderr.write(f"vakt: {prefix}: {visible(message)}\n")
    finish(code)


def call(work: Callable[[Services], Awaitable[T]], *, say: Callable[[str], None] | None = None,
         serving: bool = False) -> T:
    """The one door from the CLI into the application: bootstrap, run `work(services)`, and map
    every error to one line and an exit code. `serving` (`vakt serve`): on uvloop where
    available (infra/event_loop.py)."""

    async def go() -> T:
        async with bootstrap(say=say) as services:
            try:
                return await work(services)
            except Exception as e:  # PostgreSQL down or a grant missing: named, not "internal error"
                known = database_failure(e, services.resolved_database_urls)
                if known is None:
                    raise
                raise known from None

    try:
        if serving:
            return run_serving(go())
        return asyncio.run(go())
    except Refused as e:
        fail(e.message, e.exit_code, "refused")
    except VaktError as e:
        fail(e.message, e.exit_code)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as e:  # noqa: BLE001 - a bug: one line for the operator, the trace on request
        if os.environ.get("VAKT_DEBUG"):
            raise
        logging.getLogger("vakt").debug("unexpected error", exc_info=True)
        fail(f"internal error ({type(e).__name__}); run again with VAKT_DEBUG=1 for details", 1)


def say(as_json: bool) -> Callable[[str], None] | None:
    """Progress lines on stderr, or none when the output is a JSON document."""
    return None if as_json else (lambda m: err.print(safe(m), soft_wrap=True))


def print_json(document: Any) -> None:
    # Plain write: rich would wrap long lines and insert markup into a JSON document.
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=1, default=str) + "\n")


def os_user() -> str:
    """The login name, recorded as the actor when no name is given."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in a container: still an actor on record
        return "unknown"
