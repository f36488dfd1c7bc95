"""Liveness and readiness for a load balancer or an orchestrator (public, no session).

- `/health`: the process answers (liveness): restart it only when this fails.
- `/ready`: the process can serve actions now: PostgreSQL answers a query and Temporal answers
  a call, each within `CHECK_WITHIN`. 503 with `Retry-After` otherwise, naming which is down, so
  the balancer sends requests elsewhere until it is back. Whether a worker polls is told too,
  but does not decide readiness: a web process with no worker can still show every page, and
  an action then answers 503 itself.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import JSONResponse

from app.database import database_failure
from app.errors import VaktError
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest

router = APIRouter(tags=["public"])
CHECK_WITHIN = 3.0  # seconds per dependency
RETRY_AFTER = 5


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    """`status`: ready or unavailable; each dependency: ok, or what is wrong with it."""

    status: str
    postgresql: str
    temporal: str


@router.get("/health", summary="Liveness: the process answers (public)")
async def health() -> Health:
    return Health(status="ok")


@router.get("/ready", summary="Readiness: PostgreSQL and Temporal answer (public); 503 when either does not",
            response_model=Readiness, responses={503: {"model": Readiness, "description": "PostgreSQL or Temporal is down"}})
async def ready(request: Request) -> JSONResponse:
    services = request.app.state.services
    postgresql, temporal = await asyncio.gather(_postgresql(services), _temporal(services))
    ok = postgresql == "ok" and temporal == "ok"
    answer = Readiness(status="ready" if ok else "unavailable", postgresql=postgresql, temporal=temporal)
    return JSONResponse(answer.model_dump(), status_code=200 if ok else 503,
                        headers={} if ok else {"Retry-After": str(RETRY_AFTER)})


async def _postgresql(services) -> str:
    async def check() -> None:
        db = await services.database()
        await db.pool.fetchval("SELECT 1", timeout=CHECK_WITHIN)

    return await _checked(check(), lambda e: database_failure(e, services.resolved_database_urls))


async def _temporal(services) -> str:
    async def check() -> None:
        client = await services.temporal()
        await client.workflow_service.get_system_info(GetSystemInfoRequest(), timeout=timedelta(seconds=CHECK_WITHIN))

    return await _checked(check(), lambda e: None)


async def _checked(check, explain) -> str:
    try:
        await asyncio.wait_for(check, CHECK_WITHIN + 0.5)
    except TimeoutError:
        return f"no answer within {CHECK_WITHIN:.0f} s"
    except VaktError as e:
        return e.message
    except Exception as e:  # noqa: BLE001 - a readiness check names the failure, never raises it
        known = explain(e)
        return known.message if known is not None else f"not answering ({type(e).__name__})"
    return "ok"
