"""A registry change reaching the running periods: when the clinic decides a request
or a doctor updates their dated qualifications, every live round of the district whose meeting
has not opened yet gets the doctor's new profile (workflows/period/actions.py). Built exactly
as the scheduled starter builds a period's config (domain.registry.config), minimised, with the
carried balance the period started with."""

from __future__ import annotations

from pydantic import BaseModel

from app.bootstrap import Services
from app.reads.doctor_views import period_state
from app.errors import NotFound, Refused, VaktError
from app.periods.live import _operator_update
from app.validate import district_id as valid_district_id
from domain.registry.records import RegistryError
from domain.registry.config import amended_profile, period_config_from_registry
from workflows.messages import AmendDoctorInput
from workflows.period import AllocationPeriodWorkflow


class Amended(BaseModel):
    period: str
    outcome: str  # "amended" or why not
    doctor: str | None = None


async def amend_running_periods(
    services: Services, district: str, doctor: str, *, actor: str, request: int | None = None
) -> list[Amended]:
    """The doctor's new profile into every running round of the district before its meeting."""
    return await _amend(services, district, [doctor], actor=actor, request=request)


async def sync_running_periods(services: Services, district: str, *, actor: str) -> list[Amended]:
    """Every doctor's registry profile into every running round before its meeting: after a
    re-import, or when a decision's amendment did not reach a round (Temporal was down).
    Idempotent: a profile already current is left alone."""
    district = valid_district_id(district)
    record = await (await services.database()).registry.district(district)
    if record is None:
        raise NotFound(f"no district {district!r} in the registry; import one with `vakt district import`")
    return await _amend(services, district, None, actor=actor)


async def _amend(
    services: Services, district: str, doctors: list[str] | None, *, actor: str, request: int | None = None
) -> list[Amended]:
    db = await services.database()
    registry = db.registry
    record = await registry.district(district)
    if record is None:
        return []
    roll = await registry.doctors(district)
    results = []
    for row in await db.projections.district_rounds(district):
        if row["phase"] != "meeting":
            continue
        state = await period_state(services, row["stream_id"])
        if state.config is None or state.simulated or state.meeting_open:
            continue
        try:
            config = period_config_from_registry(
                record.record, roll, state.config.period, carried={d.id: d.carried for d in state.config.doctors}
            )
        except RegistryError:
            results.append(Amended(period=row["stream_id"], outcome="the registry cannot make this period's profile"))
            continue
        for doctor in doctors if doctors is not None else [d.id for d in state.config.doctors]:
            current = state.config.doctor(doctor)
            profile = config.doctor(doctor)
            if current is None or profile is None:
                continue
            profile = amended_profile(current, profile)
            if profile == current:
                continue
            try:
                result = await _operator_update(
                    services, row["stream_id"], AllocationPeriodWorkflow.amend_doctor,
                    AmendDoctorInput(doctor=profile, request=request, actor=actor), keyed=False,
                )
                if result.changed:  # else: the stored state lagged behind the period's
                    results.append(Amended(period=row["stream_id"], doctor=doctor, outcome="amended"))
            except Refused as e:
                results.append(Amended(period=row["stream_id"], doctor=doctor, outcome=e.message))
            except VaktError as e:
                results.append(Amended(period=row["stream_id"], doctor=doctor, outcome=f"not reached: {e.message}"))
    return results
