"""Who may do what in the web service: every use case a signed-in person reaches goes through here.

A doctor acts only as themselves, and nobody acts as a doctor but that doctor: an operator enters
an action for one through the operator's own route, recorded as `operator:<id> for doctor:<id>`.
Operators and admins act only in the districts their account serves (`serving`). The actor always
comes from the sign-in (domain.identity), never from a field of the request. Refusals are
`Forbidden` (or `NotFound` where existence must not show) and name no other person's data.

The decisions are pure functions of the signed-in person, remembered per process for a few
seconds and derived again after a registry change (app/identity/current.py), and of the period's
district, fixed when it opens and read once per process: a burst of claims reads nothing here.
"""

from __future__ import annotations

from app.bootstrap import Services
from app.errors import BadInput, Forbidden, NotFound, Unauthenticated
from app.identity.sessions import SingleFlight
from app.validate import doctor_id as valid_doctor_id
from app.validate import period_id as valid_period_id
from domain.identity import Principal

_districts: dict[str, str] = {}  # period -> district: fixed when the period opens
_reading = SingleFlight()


def signed_in(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthenticated("sign in first")
    return principal


def require_operator(principal: Principal | None) -> Principal:
    principal = signed_in(principal)
    if not principal.is_operator:
        raise Forbidden("only the clinic's operators may do this")
    return principal


def require_admin(principal: Principal | None) -> Principal:
    principal = signed_in(principal)
    if not principal.is_admin:
        raise Forbidden("only the registry's admins may do this")
    return principal


def serving(principal: Principal | None, district: str, *, admin: bool = False) -> Principal:
    """The operator (or admin) serving this district; Forbidden otherwise."""
    principal = require_admin(principal) if admin else require_operator(principal)
    if not principal.serves(district):
        raise Forbidden("your account does not serve this district")
    return principal


async def serving_period(services: Services, principal: Principal | None, period: str) -> tuple[Principal, str]:
    """(operator, district) for a round of a district the operator serves; Forbidden otherwise."""
    principal = require_operator(principal)
    district = await period_district(services, period)
    return serving(principal, district), district


async def period_district(services: Services, period: str) -> str:
    """The district of a live period (NotFound for an unknown one; simulations are not served)."""
    period = valid_period_id(period, "period")
    if period not in _districts:  # the first requests of a burst share one read
        await _reading.run(period, lambda: _read_district(services, period))
    return _districts[period]


async def _read_district(services: Services, period: str) -> None:
    row = await (await services.database()).projections.status_row(period)
    if row is None or row["simulated"] or not row["district_id"]:
        raise NotFound(f"no period {period!r}")
    _districts[period] = row["district_id"]


def own_doctor(principal: Principal | None, district: str) -> str:
    """The signed-in doctor's id in the district; Forbidden when they are not on its roll."""
    principal = signed_in(principal)
    doctor = principal.doctor_in(district)
    if doctor is None:
        raise Forbidden(f"you are not a doctor of district {district}")
    return doctor


def acting(principal: Principal | None, district: str) -> tuple[str, str]:
    """(doctor, actor) of the signed-in doctor in the district, acting as themselves."""
    principal = signed_in(principal)
    doctor = own_doctor(principal, district)
    actor = principal.actor_for(district, doctor)
    if actor is None:  # pragma: no cover - own_doctor found them on the roll
        raise Forbidden("a doctor acts only as themselves")
    return doctor, actor


def acting_for(principal: Principal | None, district: str, doctor: str) -> tuple[str, str]:
    """(doctor, actor) for an operator serving the district entering something for a doctor:
    recorded as `operator:<id> for doctor:<id>`."""
    principal = serving(principal, district)
    doctor = valid_doctor_id(doctor, "doctor")
    try:
        return doctor, principal.operator_for(doctor)
    except ValueError:  # an account-less (provider-given) operator's long name with a long id
        raise BadInput("doctor: the recorded actor would be too long; ask an operator with an account") from None


async def doctor_district(principal: Principal | None, district: str | None) -> tuple[str, str]:
    """(district, doctor) of the signed-in doctor: the district named, or their only one."""
    principal = signed_in(principal)
    if district is None:
        if not principal.doctors:
            raise Forbidden("you are not a doctor on any district's roll")
        district = principal.doctors[0].district
    return district, own_doctor(principal, district)
