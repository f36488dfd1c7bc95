"""What one web request carries, set by the gatekeeper (web/session.py) and read by the pages
(web/render.py) and the routes: its session, and the person signed in with it."""

from __future__ import annotations

from fastapi import Request

from app.identity.sessions import Session
from domain.identity import Principal


def session_of(request: Request) -> Session | None:
    return getattr(request.state, "session", None)


def principal_of(request: Request) -> Principal | None:
    session = session_of(request)
    return session.principal if session else None
