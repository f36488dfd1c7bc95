"""`vakt` — the command line of Vaktfordeling: parse, call a use case (app/), render.

This module only assembles the commands (cli/commands/, one module per topic) into one Typer
app, as Netflix/dispatch's api.py registers its routers, and runs it. What the commands share —
the one door into the application, consoles, exit codes — is in cli/runner.py.

Exit codes: 0 success, 1 failure (a service unreachable, a check that failed), 2 bad input or a
refusal (nothing run, nothing written). Every error is one line on stderr, never a traceback
(set VAKT_DEBUG=1 to see one for an unexpected error).
"""

from __future__ import annotations

import logging
import os
import sys

import typer

from cli.commands import (
    district, mail, operations, periods, records, schedule, simulation, swaps, temporal, vacancy, web,
)
from app.errors import VaktError
from cli.runner import err, fail, finish
from infra.process import install_temporal_runtime

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Vaktfordeling: shift allocation for a legevakt.")

app.add_typer(simulation.app)  # simulate, demo
app.add_typer(records.app)  # verify, explain, roster, events, status
app.add_typer(periods.app)  # start, act, close, extend, cancel, restart
app.add_typer(operations.app)  # migrate, dev, worker
app.add_typer(schedule.app, name="schedule")
app.add_typer(operations.keys_app, name="keys")
app.add_typer(district.app, name="district")
app.add_typer(swaps.app, name="swap")  # R-SWAP-2: queue, approve, reject, carry-out
app.add_typer(mail.app)  # mail: the local development mailbox
app.add_typer(web.app)  # serve, account
app.add_typer(temporal.app, name="temporal")  # check, setup
app.add_typer(vacancy.app, name="vacancy")  # list, declare, assign (R-VAC-1..3)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    install_temporal_runtime()
    try:
        app(standalone_mode=False)
    except typer.Exit as e:
        finish(e.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("aborted")
        finish(130)
    except VaktError as e:  # from the long-running commands (worker, dev), which own their loop
        fail(e.message, e.exit_code)
    except Exception as e:
        # Usage errors (typer's click): one line like every other error, exit 2 (`--help` helps).
        if hasattr(e, "format_message") and hasattr(e, "exit_code"):
            message = " ".join(e.format_message().split())
            fail((message[:300] + "…" if len(message) > 300 else message) + " (see --help)", e.exit_code)
        if os.environ.get("VAKT_DEBUG"):
            raise
        fail(f"internal error ({type(e).__name__}); run again with VAKT_DEBUG=1 for details", 1)
    finish(0)


if __name__ == "__main__":
    main()
