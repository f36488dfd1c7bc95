"""A registry change reaching the running periods (issue 9): when the clinic decides a request
or a doctor updates their dated qualifications, every live round of the district whose meeting
has not opened yet gets the doctor's new profile (workflows/period_requests.py). Built exactly
as the scheduled starter builds a period's config (domain.registry_config), minimised, with the
carried balance the period started with."""

from __future__ import annotations

from pydantic import BaseModel

from activities.projections import ProjectionReader
from activities.registry import RegistryStore
from app.bootstrap import Services
from app.doctor_views import period_state
from app.errors import Refused, VaktError
from app.periods import _operator_update
from domain.registry import RegistryError
from domain.registry_config import period_config_from_registry
from workflows.messages import AmendDoctorInput
from workflows.period import AllocationPeriodWorkflow


class Amended(BaseModel):
    period: str
    outcome: str  # "amended" or why not


async def amend_running_periods(
    services: Services, district: str, doctor: str, *, actor: str, request: int | None = None
) -> list[Amended]:
    db = await services.database()
    registry = RegistryStore(db.pool)
    record = await registry.district(district)
    if record is None:
        return []
    roll = await registry.doctors(district)
    results = []
    for row in await ProjectionReader(db.pool).district_rounds(district):
        if row["phase"] != "meeting":
            continue
        state = await period_state(services, row["stream_id"])
        if state.config is None or state.simulated or state.meeting_open:
            continue
        current = state.config.doctor(doctor)
        if current is None:
            continue
        try:
            config = period_config_from_registry(
                record.record, roll, state.config.period, carried={doctor: current.carried}
            )
        except RegistryError:
            results.append(Amended(period=row["stream_id"], outcome="the registry cannot make this period's profile"))
            continue
        profile = config.doctor(doctor)
        if profile is None or profile == current:
            continue
        try:
            await _operator_update(
                services, row["stream_id"], AllocationPeriodWorkflow.amend_doctor,
                AmendDoctorInput(doctor=profile, request=request, actor=actor),
            )
            results.append(Amended(period=row["stream_id"], outcome="amended"))
        except Refused as e:
            results.append(Amended(period=row["stream_id"], outcome=e.message))
        except VaktError as e:
            results.append(Amended(period=row["stream_id"], outcome=f"not reached: {e.message}"))
    return results
