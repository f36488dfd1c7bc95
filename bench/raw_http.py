"""A lean HTTP/1.1 client for the benchmarks: one keep-alive connection per simulated doctor,
plain asyncio streams. Why not httpx: at hundreds of reads a second on a shared 2-core machine
the client's own parsing would take a core and measure itself, not the service."""

from __future__ import annotations

import asyncio
import json

ANSWER_WITHIN = 60.0  # seconds for one answer, as the httpx clients' timeout


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        """(status, body) of one GET; reconnects when the server closed the connection."""
        for attempt in (1, 2):
            try:
                status, _, body = await self.request("GET", path, headers)
                return status, body
            except (asyncio.IncompleteReadError, ConnectionError):
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def post_json(self, path: str, headers: dict[str, str], document: object) -> tuple[int, dict[str, str], bytes]:
        """(status, header fields, body) of one POST; never sent twice (a POST is not retried
        behind the caller's back)."""
        body = json.dumps(document).encode()
        return await self.request("POST", path, {**headers, "Content-Type": "application/json",
                                                 "Content-Length": str(len(body))}, body)

    async def request(self, method: str, path: str, headers: dict[str, str],
                      body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
        await self.connect()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", *(f"{k}: {v}" for k, v in headers.items())]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        try:
            async with asyncio.timeout(ANSWER_WITHIN):  # a stuck service fails the run, never hangs it
                return await self._answer()
        except (asyncio.IncompleteReadError, ConnectionError, TimeoutError):
            await self.close()
            raise

    async def _answer(self) -> tuple[int, dict[str, str], bytes]:
        assert self.reader is not None
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *fields = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        found = {k.strip().lower(): v.strip() for k, _, v in (f.partition(":") for f in fields if f)}
        if "content-length" in found:
            body = await self.reader.readexactly(int(found["content-length"]))
        elif found.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(chunk[:-2])
            body = b"".join(parts)
        else:
            body = await self.reader.read()
            await self.close()
        if found.get("connection", "").lower() == "close":
            await self.close()
        return status, found, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except ConnectionError:
                pass
        self.reader = self.writer = None
