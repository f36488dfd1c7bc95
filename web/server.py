"""Running the web service: uvicorn over `web.service.create_app`, for `vakt serve` and beside
the worker in `vakt dev`."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import uvicorn

from app.bootstrap import Services
from app.identity.sign_in import outgoing_mail
from web.live import close_streams
from web.service import create_app


class Server(uvicorn.Server):
    """uvicorn's server, ending the live boards' streams first when it shuts down: uvicorn
    waits for every open response to finish, and an event stream never finishes by itself."""

    async def shutdown(self, sockets=None) -> None:
        close_streams(self.config.app)
        await super().shutdown(sockets)


def _server(services: Services, host: str, port: int) -> uvicorn.Server:
    services.reads.freeze = True  # a serving process: its folds live long (app/reads/period_cache.py)
    # The loop is the process's own (uvloop where available: infra/event_loop.py, chosen by
    # `vakt serve` and `vakt dev` before they start); uvicorn's `loop` setting would apply only
    # to a loop uvicorn made itself.
    config = uvicorn.Config(create_app(services), host=host, port=port, log_level="warning", lifespan="off",
                            access_log=False, proxy_headers=False, http="httptools")  # X-Forwarded-For: web/throttling.py
    return Server(config)


async def run_web_service(services: Services, host: str, port: int) -> None:
    """Serve until interrupted (uvicorn handles SIGINT/SIGTERM)."""
    await _server(services, host, port).serve()
    await outgoing_mail()


async def start_web_service(services: Services, stack: AsyncExitStack, host: str, port: int) -> None:
    """Serve in the background until `stack` closes (the dev stack: beside the worker)."""
    server = _server(services, host, port)
    server.install_signal_handlers = lambda: None  # the worker owns the signals
    task = asyncio.create_task(server.serve())

    async def stop() -> None:
        server.should_exit = True
        await task

    stack.push_async_callback(stop)
    for _ in range(250):
        if server.started or task.done():
            break
        await asyncio.sleep(0.02)
    if task.done():
        task.result()  # a port in use: raise it here
