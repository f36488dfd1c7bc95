"""The event loop of the serving processes (`vakt serve`, `vakt dev`): uvloop where it is
installed (Linux and macOS wheels; pinned in pyproject.toml), else asyncio's own.

uvloop makes the web service's sockets cheaper (httptools parses HTTP, uvloop does the I/O), the
way `uvicorn[standard]` runs by default. uvicorn's own `loop="uvloop"` setting only applies when
uvicorn creates the loop; these processes run uvicorn beside a Temporal client and a worker in a
loop of their own, so the loop is chosen here, before anything starts.

`VAKT_EVENT_LOOP=asyncio` keeps asyncio's loop (a platform without uvloop falls back to it by
itself); `uvloop` (the default) uses uvloop when it can be imported.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

T = TypeVar("T")
SETTING = "VAKT_EVENT_LOOP"


def loop_factory(env: Mapping[str, str] | None = None) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop factory, or None for asyncio's own loop."""
    wanted = (env if env is not None else os.environ).get(SETTING, "uvloop").strip().lower()
    if wanted not in ("uvloop", "asyncio"):
        raise ValueError(f"{SETTING}: uvloop or asyncio")
    if wanted == "asyncio":
        return None
    try:
        import uvloop  # optional: not on every platform
    except ImportError:  # no wheel for this platform: asyncio's loop serves too, only slower
        return None
    return uvloop.new_event_loop


def loop_name(loop: asyncio.AbstractEventLoop | None = None) -> str:
    """"uvloop" or "asyncio": what the running (or given) loop is."""
    loop = loop or asyncio.get_running_loop()
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"


def run_serving(main: Coroutine[Any, Any, T], env: Mapping[str, str] | None = None) -> T:
    """`asyncio.run(main)` on the serving loop."""
    with asyncio.Runner(loop_factory=loop_factory(env)) as runner:
        return runner.run(main)
