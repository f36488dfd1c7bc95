"""Doctors' requests to the clinic and the operators' decisions (domain.registry.requests).

A doctor submits for themselves; an operator serving the district may enter one for a doctor
(recorded as `operator:<id> for doctor:<id>`). An operator serving the district decides each
request once — never one they entered themselves, nor one of their own as a doctor. The decision is recorded on the request (decided_by, decided_at) and, when it
changes the doctor's record, in the registry and its history — in one transaction. Then every
running period of the district whose meeting has not opened learns the new profile
(app.periods.amend): the period's quota and lottery pool are fixed when the meeting opens.
"""

from __future__ import annotations


from pydantic import BaseModel, TypeAdapter, ValidationError

from adapters.postgres.requests import RequestStore, StoredRequest
from app.identity.access import acting, acting_for, doctor_district, require_operator, signed_in
from app.periods.amend import Amended, amend_running_periods
from app.bootstrap import Services
from app.errors import BadInput, Conflict, Forbidden, NotFound, Refused
from app.validate import district_id as valid_district_id
from app.validate import free_text
from domain import actors
from domain.identity import Principal
from domain.clock import oslo_today
from domain.model import OSLO_TZ, Role
from domain.registry.records import doctor_problems
from domain.registry.requests import AnyRequest, ExemptionRequest, LeaveRequest, granted_record, stand_in_record

_REQUEST = TypeAdapter(AnyRequest)


class Decision(BaseModel):
    request: StoredRequest
    amended: list[Amended]


def parse_request(data: dict) -> ExemptionRequest | object:
    try:
        return _REQUEST.validate_python(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = [str(p) for p in err["loc"]]
            if len(loc) > 1 and loc[0] == data.get("kind"):
                loc = loc[1:]  # the discriminator's tag
            field = ".".join("from" if p == "from_" else p for p in loc) or "kind"
            problems.append(f"{field}: {str(err['msg']).removeprefix('Value error, ')}")
        raise BadInput("; ".join(problems)) from None


async def _store(services: Services) -> RequestStore:
    return (await services.database()).requests


async def submit_request(
    services: Services, principal: Principal | None, data: dict, *, district: str | None = None,
) -> StoredRequest:
    """The signed-in doctor's own request (in one of their own districts)."""
    principal = signed_in(principal)
    if district is not None:
        district = valid_district_id(district, "district")
    district, _ = await doctor_district(principal, district)
    doctor, actor = acting(principal, district)
    return await _submit(services, district, doctor, data, actor)


async def submit_for_doctor(
    services: Services, principal: Principal | None, district: str, doctor: str, data: dict,
) -> StoredRequest:
    """An operator serving the district enters a doctor's request for them."""
    district = valid_district_id(district, "district")
    doctor, actor = acting_for(principal, district, doctor)
    return await _submit(services, district, doctor, data, actor)


async def _submit(services: Services, district: str, doctor: str, data: dict, actor: str) -> StoredRequest:
    request = parse_request(data)
    registry = (await services.database()).registry
    if await registry.doctor(district, doctor) is None:
        raise NotFound(f"no doctor {doctor!r} in district {district!r}")
    if isinstance(request, LeaveRequest):
        substitute = await registry.doctor(district, request.substitute)
        if substitute is None or substitute.role is not Role.SUBSTITUTE:
            raise BadInput("substitute: not a substitute of the district (R-EX-5)")
    details = request.model_dump(mode="json", by_alias=True, exclude={"kind"})
    return await (await _store(services)).submit(district, doctor, request.kind, details, actor=actor)


async def my_requests(services: Services, principal: Principal | None, district: str | None = None) -> list[StoredRequest]:
    district, doctor = await doctor_district(principal, district)
    return await (await _store(services)).of_doctor(district, doctor)


async def substitutes(services: Services, principal: Principal | None, district: str | None = None) -> list[tuple[str, str]]:
    """The substitutes on the doctor's district's roll today, (id, name): a leave names one, and a
    page lets the doctor choose by name (R-EX-5)."""
    district, _ = await doctor_district(principal, district)
    doctors = await (await services.database()).registry.doctors(district, as_of=oslo_today(services.clock))
    return [(d.id, d.name) for d in doctors if d.role is Role.SUBSTITUTE]


async def withdraw_request(services: Services, principal: Principal | None, request_id: int) -> StoredRequest:
    """A doctor withdraws their own request before the clinic decides it (recorded: who, when).
    Someone else's request is "no request": its existence is not revealed."""
    principal = signed_in(principal)
    _request_number(request_id)
    store = await _store(services)
    stored = await store.get(request_id)
    if stored is None or principal.doctor_in(stored.district_id) != stored.doctor_id:
        raise NotFound(f"no request #{request_id}")
    withdrawn = await store.withdraw(request_id, stored.district_id, stored.doctor_id,
                                     actor=actors.doctor(stored.doctor_id))
    if withdrawn is None:
        raise Conflict(f"request #{request_id} has already been {stored.status if stored.status != 'pending' else 'decided'}")
    return withdrawn


def _request_number(request_id: int) -> None:
    if not isinstance(request_id, int) or isinstance(request_id, bool) or not 0 < request_id < 2**62:
        raise BadInput("request: not a request id")


async def pending_requests(services: Services, principal: Principal | None) -> list[StoredRequest]:
    """The requests waiting for a decision in the districts the operator serves."""
    principal = require_operator(principal)
    return [r for r in await (await _store(services)).pending() if principal.serves(r.district_id)]


def _own_entry(principal: Principal, stored: StoredRequest) -> bool:
    """True when the operator entered this request, or it is their own as a doctor."""
    return (actors.entered_by(stored.submitted_by, principal.operator_actor())
            or principal.doctor_in(stored.district_id) == stored.doctor_id)


async def decide_request(
    services: Services, principal: Principal | None, request_id: int, *, grant: bool, note: str | None = None,
) -> Decision:
    """Grant or refuse a pending request, once; recorded with the operator and the time."""
    principal = require_operator(principal)
    _request_number(request_id)
    note = free_text(note, "note") if note else None
    store = await _store(services)
    stored = await store.get(request_id)
    if stored is None or not principal.serves(stored.district_id):  # another district's: not shown
        raise NotFound(f"no request #{request_id}")
    if _own_entry(principal, stored):
        raise Forbidden("nobody decides a request they entered themselves or their own; another operator decides it")
    request = parse_request({"kind": stored.kind, **stored.details})
    if not grant and isinstance(request, ExemptionRequest) and request.rule == "R-EX-1":
        raise Refused("R-EX-1", "an exemption by right (age over 60, pregnancy, breastfeeding) is granted on request")
    actor = principal.operator_actor()
    today = oslo_today(services.clock)
    applied_on = stored.submitted_at.astimezone(OSLO_TZ).date()
    db = await services.database()
    registry = db.registry
    async with db.pool.acquire() as conn, conn.transaction():
        decided = await store.decide(conn, request_id, granted=grant, actor=actor, note=note)
        if decided is None:
            raise Conflict(f"request #{request_id} has already been decided")

        def change(record):
            new = granted_record(
                record, request, decided_by=principal.name, decided_at=today, applied_on=applied_on, granted=grant
            )
            if new is None:
                return record
            problems = doctor_problems(0, new)
            if problems:
                raise BadInput("; ".join(f"{p.field}: {p.reason}" for p in problems))
            return new

        if await registry.change_doctor(stored.district_id, stored.doctor_id, change, actor=actor, conn=conn) is None:
            raise NotFound(f"no doctor {stored.doctor_id!r} in district {stored.district_id!r}")
        if grant and isinstance(request, LeaveRequest):
            gp = stored.doctor_id
            def stand_in(record):
                new = stand_in_record(record, request, gp)
                problems = doctor_problems(0, new)
                if problems:
                    raise BadInput("; ".join(f"substitute.{p.field}: {p.reason}" for p in problems))
                return new

            changed = await registry.change_doctor(stored.district_id, request.substitute, stand_in, actor=actor, conn=conn)
            if changed is None:
                raise BadInput("substitute: not a substitute of the district (R-EX-5)")
    amended = []
    if grant:
        amended = await amend_running_periods(services, stored.district_id, stored.doctor_id, actor=actor, request=request_id)
        if isinstance(request, LeaveRequest):
            amended += await amend_running_periods(
                services, stored.district_id, request.substitute, actor=actor, request=request_id
            )
    return Decision(request=decided, amended=amended)
