"""Who the client is, and the sign-in throttle (app/identity/throttle.py) at the HTTP edge.

The client is the connection's address. `X-Forwarded-For` counts only when the connection comes
from a proxy named in VAKT_TRUSTED_PROXIES: then the client is the rightmost address in it that
is not itself a trusted proxy (the leftmost ones are whatever the client chose to send)."""

from __future__ import annotations

from fastapi import Request


def client_address(request: Request) -> str:
    peer = request.client.host if request.client else "unknown"
    trusted = request.app.state.edge.trusted_proxies
    if peer not in trusted:
        return peer
    forwarded = [a.strip() for a in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if a.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return address[:64]
    return peer


def throttle_link_request(request: Request) -> None:
    request.app.state.throttle.link_request(client_address(request))


def throttle_attempt(request: Request) -> None:
    request.app.state.throttle.attempt(client_address(request))
