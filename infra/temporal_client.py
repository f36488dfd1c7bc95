"""Finding the Temporal cluster from a command: TEMPORAL_ADDRESS, or the embedded dev server
that `vakt dev` / `vakt worker` started (its address is written to a file in the data dir)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from temporalio.client import Client
from temporalio.converter import DataConverter

from infra.settings import Settings

DEV_PORT = 7233  # the Temporal CLI's usual ports, so the Web UI is where people expect it
DEV_UI_PORT = 8233
DEV_CODEC_PORT = 8234  # the codec endpoint the Web UI decrypts payloads through


class TemporalUnavailable(ConnectionError):
    pass


def dev_address_file(settings: Settings) -> Path:
    return settings.data_dir / "temporal" / "address"


def configured_address(settings: Settings) -> str | None:
    """TEMPORAL_ADDRESS, else the running embedded dev server's address, else None."""
    if settings.temporal_address:
        return settings.temporal_address
    path = dev_address_file(settings)
    return path.read_text().strip() if path.exists() else None


async def connect_temporal(settings: Settings, data_converter: DataConverter, *, timeout: float = 3.0) -> Client:
    """A client on the configured cluster; TemporalUnavailable when none answers."""
    address = configured_address(settings)
    if address is None:
        raise TemporalUnavailable("no TEMPORAL_ADDRESS set and no embedded dev server running (start `vakt dev`)")
    try:
        return await asyncio.wait_for(
            Client.connect(address, namespace=settings.temporal_namespace, data_converter=data_converter),
            timeout,
        )
    except Exception as e:  # connection refused, DNS, TLS, timeout: all mean "not reachable now"
        raise TemporalUnavailable(f"Temporal at {address} is not reachable ({type(e).__name__})") from e
