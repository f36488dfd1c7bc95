"""Live periods: start one, doctors' actions through the front door, operators' steering.

Every use case validates its input first (app.validate), talks to the period's workflow, and
answers definitely: a result, or an error from app.errors naming what is wrong.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from adapters.postgres.rejections import Refusal
from app import request_keys
from app.bootstrap import Services
from app.errors import BadInput, Conflict, NotFound, Unavailable, VaktError
from app.periods.updates import WorkflowGone, send_update
from app.validate import doctor_id, free_text, oslo_time, period_id, person_name, shift_id
from domain import actors
from domain.limits import MAX_START_PAYLOAD_BYTES
from domain.model import PeriodConfig, Phase
from domain.period.rules import ACTION_BY_VERB, ActionKind
from infra import metrics
from workflows.messages import (
    ActionOutcome,
    ActionRequest,
    CancelRoundInput,
    ClosePhaseInput,
    ClosePhaseResult,
    ExtendDeadlineInput,
    OperatorActionResult,
    PeriodInput,
)
from workflows.period import AllocationPeriodWorkflow


async def why_gone(services: Services, period: str) -> VaktError:
    """The precise error for a period with no running workflow (unknown, or its round over)."""
    db = await services.database()
    phase = await db.projections.phase(period)
    if phase is None:
        return NotFound(f"no period {period!r}")
    if phase in (Phase.PUBLISHED, Phase.CANCELLED):
        return Conflict(f"period {period!r} is {phase}; it accepts no more actions")
    return Unavailable(f"period {period!r} (phase {phase}) has no running workflow; see `vakt status {period}`")


# ------------------------------------------------------------------------------------ start


async def start_period(
    services: Services, config: PeriodConfig, *, started_by: str, follow_through: bool = True
) -> str:
    """Start the period's workflow (id = period id). Refused when the id is taken."""
    period = config.period.id
    db = await services.database()
    if await db.store.stream_kind(period) is not None:
        raise Conflict(f"period {period!r} has already been started")
    other = await db.projections.overlapping(
        config.district.id, config.period.start, config.period.end, other_than=period
    )
    if other is not None:
        # R-PROC-5: one round per district and period, whatever it is called.
        raise Conflict(f"district {config.district.id!r} already has round {other!r} for these dates")
    # Doctors are told by e-mail when their district is in the registry (it holds the addresses).
    notify = await db.registry.district(config.district.id) is not None
    inp = PeriodInput(
        config=config, search_attributes=True, started_by=started_by, notify=notify, follow_through=follow_through
    )
    size = sum(p.ByteSize() for p in services.data_converter.payload_converter.to_payloads([inp]))
    if size > MAX_START_PAYLOAD_BYTES:
        raise BadInput(
            f"the period is too large to start: its definition takes {size:,} bytes, at most "
            f"{MAX_START_PAYLOAD_BYTES:,} are allowed (fewer doctors or a shorter period)"
        )
    client = await services.temporal()
    try:
        await client.start_workflow(
            AllocationPeriodWorkflow.run,
            inp,
            id=period,
            task_queue=services.settings.temporal_task_queue,
            # A period id is used once: a finished round is never started again by accident.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        raise Conflict(f"period {period!r} has already been started") from None
    return period


# ---------------------------------------------------------------------------- doctors' actions


def action_request(verb: str, doctor: str, shift: str, actor: str, *, keyed: bool = False) -> ActionRequest:
    """`keyed`: one action per request, so its request id is the request's key when it has one
    (a retried request is then decided once: app/request_keys.py)."""
    kind = ACTION_BY_VERB.get(verb)
    if kind is None:
        raise BadInput(f"KIND: must be one of {', '.join(ACTION_BY_VERB)}")
    return ActionRequest(
        request_id=request_keys.request_id() if keyed else uuid.uuid4().hex, kind=kind, doctor=doctor_id(doctor), shift=shift_id(shift), actor=actor
    )


async def submit_actions(services: Services, period: str, requests: Sequence[ActionRequest]) -> list[ActionOutcome]:
    """Send actions through the front door, in order; record each refusal for `vakt explain`."""
    period = period_id(period)
    door = await services.front_door()
    try:
        outcomes = await door.submit(period, requests)
    except WorkflowGone:
        raise await why_gone(services, period) from None
    except Unavailable:
        for r in requests:
            metrics.ACTIONS.labels(verb=ActionKind(r.kind).value, outcome="unavailable").inc()
        raise
    for r, o in zip(requests, outcomes, strict=True):
        metrics.ACTIONS.labels(verb=ActionKind(r.kind).value, outcome="accepted" if o.accepted else "refused").inc()
        if not o.accepted:
            metrics.REFUSALS.labels(rule=o.rule or "?").inc()
    refusals = [
        Refusal(
            stream_id=period, kind=ActionKind(r.kind).value, doctor=r.doctor, shift=r.shift,
            rule=o.rule or "?", message=o.message or "", actor=r.actor,
        )
        for r, o in zip(requests, outcomes, strict=True)
        if not o.accepted
    ]
    if refusals:  # with the refusals of other requests answered at the same moment: one statement
        db = await services.database()
        await door.record(db.rejections.append, db.rejections, refusals)
    return outcomes


async def act(services: Services, period: str, verb: str, doctor: str, shift: str, *, actor: str) -> ActionOutcome:
    """One doctor's action (a staff entry, advance wish, meeting pick or offering claim)."""
    [outcome] = await submit_actions(services, period, [action_request(verb, doctor, shift, actor)])
    return outcome


# -------------------------------------------------------------------------- operators' steering


async def _operator_update(services: Services, period: str, update, arg, *, keyed: bool = True):
    """`keyed`: one update per request, so a retried request reuses its update id (Temporal
    answers a known id with the first outcome); a use case sending several passes False."""
    client = await services.temporal()
    try:
        return await send_update(client, period, update, arg, update_id=request_keys.update_id() if keyed else None)
    except WorkflowGone:
        raise await why_gone(services, period) from None


async def close_phase(
    services: Services, period: str, *, operator: str, reason: str, actor: str | None = None
) -> ClosePhaseResult:
    """R-PROC-1: close the current phase now (recorded with the operator and reason). `actor`:
    the signed-in operator's `operator:<account id>`; without it, `operator:<operator>`."""
    request = ClosePhaseInput(operator=person_name(operator), reason=free_text(reason, "--reason"), actor=actor)
    return await _operator_update(services, period_id(period), AllocationPeriodWorkflow.close_phase_early, request)


async def extend_deadline(
    services: Services, period: str, *, until: datetime, operator: str, reason: str, actor: str | None = None
) -> OperatorActionResult:
    request = ExtendDeadlineInput(
        until=oslo_time(until), operator=person_name(operator), reason=free_text(reason, "--reason"), actor=actor
    )
    return await _operator_update(services, period_id(period), AllocationPeriodWorkflow.extend_deadline, request)


async def cancel_round(
    services: Services, period: str, *, operator: str, reason: str, actor: str | None = None
) -> OperatorActionResult:
    request = CancelRoundInput(operator=person_name(operator), reason=free_text(reason, "--reason"), actor=actor)
    return await _operator_update(services, period_id(period), AllocationPeriodWorkflow.cancel_round, request)


def operator_actor(name: str) -> str:
    return actors.operator(person_name(name))
