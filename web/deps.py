"""What every JSON API route takes: the signed-in person, the services, and a body that refuses
unknown fields (so no request can name its own actor)."""

from __future__ import annotations

from fastapi import Request
from pydantic import BaseModel, ConfigDict

from domain.identity import Principal
from web.session import principal_of


def me(request: Request) -> Principal | None:
    return principal_of(request)


def services(request: Request):
    return request.app.state.services


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")
