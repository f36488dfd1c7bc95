"""What every JSON API route takes and how it answers a refusal: the signed-in person and the
services as typed dependencies (as in the FastAPI full-stack template's api/deps.py), a body
that refuses unknown fields (so no request can name its own actor), and the error shapes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict

from app.bootstrap import Services
from domain.identity import Principal
from web.request_state import principal_of


# Async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a thread hop per
# dependency and request (measured: the largest single cost of a claim's web path).
async def me(request: Request) -> Principal | None:
    return principal_of(request)


async def services(request: Request) -> Services:
    return request.app.state.services


PrincipalDep = Annotated[Principal | None, Depends(me)]
ServicesDep = Annotated[Services, Depends(services)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorAnswer(BaseModel):
    """Every error a JSON client gets: one line naming the field or the rule, and the status."""

    error: str
    status: int


class Refusal(ErrorAnswer):
    """A refusal by the rulebook, the same for an action, a swap, a request and an operator's
    step: status 409, `rule` names the rule, `message` says why (`error` is both in one line)."""

    status: int = 409
    rule: str
    message: str


# The 409 of every route the rulebook may refuse, declared in the OpenAPI document.
REFUSED: dict[int | str, dict[str, Any]] = {
    409: {"model": Refusal, "description": "refused by the rulebook: `rule` and `message`"}
}
# Where a request may also conflict with what is already decided (a request decided or withdrawn
# before): that 409 has no rule, `error` only.
REFUSED_OR_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": Refusal | ErrorAnswer, "description": "refused by the rulebook (`rule`, `message`), or a conflict"}
}
