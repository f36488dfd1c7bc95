"""A local stand-in for a drand HTTP relay (R-LOT-5 tests): serves the real, published rounds
stored in tests/data/drand/rounds.json at `/<chain hash>/public/<round>`, as drand does.

`mode` "up" serves them; "down" answers 503 to everything (a relay that cannot be reached);
"tampered" serves each signature with its first byte changed. Runs in a thread.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from domain.model import BeaconChain

ROUNDS = Path(__file__).resolve().parents[1] / "data" / "drand" / "rounds.json"


def stored() -> dict:
    return json.loads(ROUNDS.read_text())


def chain(name: str) -> BeaconChain:
    info = stored()["chains"][name]
    return BeaconChain(**{k: info[k] for k in ("hash", "public_key", "scheme", "genesis_time", "period_seconds")})


def one_byte_changed(signature: str) -> str:
    first = int(signature[:2], 16) ^ 0x01
    return f"{first:02x}{signature[2:]}"


class FakeBeacon:
    def __init__(self) -> None:
        self.mode = "up"
        self.requests: list[str] = []
        self.rounds: dict[str, dict] = {}
        for info in stored()["chains"].values():
            for r in info["rounds"]:
                self.rounds[f"/{info['hash']}/public/{r['round']}"] = r
        beacon = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                beacon.requests.append(self.path)
                body = beacon.rounds.get(self.path)
                if beacon.mode == "down":
                    self.send_response(503)
                    self.end_headers()
                    return
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                if beacon.mode == "tampered":
                    body = {**body, "signature": one_byte_changed(body["signature"])}
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@contextmanager
def fake_beacon() -> Iterator[FakeBeacon]:
    beacon = FakeBeacon()
    thread = threading.Thread(target=beacon.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield beacon
    finally:
        beacon.server.shutdown()
        beacon.server.server_close()
