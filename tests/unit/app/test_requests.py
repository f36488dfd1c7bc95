"""A doctor's requests to the clinic: submitted, listed, withdrawn before the clinic decides."""

from __future__ import annotations

from datetime import date

import pytest

from app.demo.samples import SAMPLE_REGISTRY_PATH
from app.errors import Conflict, NotFound, Unauthenticated
from app.registry import districts
from app.registry.requests import my_requests, submit_request, withdraw_request
from domain.identity import DoctorRef, Principal

TODAY = date(2027, 1, 4)


def doctor(doctor_id: str) -> Principal:
    return Principal(email=f"{doctor_id}@example.no", name=doctor_id, roles=("doctor",),
                     doctors=(DoctorRef(district="mosse", doctor=doctor_id),))


ABSENCE = {"kind": "meeting_absence", "from": "2027-05-10", "to": "2027-05-16", "reason": "vacation"}


@pytest.fixture
async def roll(services):
    await districts.import_csv(services, "mosse", SAMPLE_REGISTRY_PATH, actor="admin:test", today=TODAY)
    return services


async def test_a_doctor_withdraws_their_own_request_once(roll):
    me = doctor("moss01")
    request = await submit_request(roll, me, ABSENCE)
    assert request.status == "pending" and request.submitted_by == "doctor:moss01"
    assert [r.request_id for r in await my_requests(roll, me)] == [request.request_id]
    withdrawn = await withdraw_request(roll, me, request.request_id)
    assert withdrawn.status == "withdrawn"
    with pytest.raises(Conflict):
        await withdraw_request(roll, me, request.request_id)


async def test_someone_elses_request_is_no_request(roll):
    request = await submit_request(roll, doctor("moss01"), ABSENCE)
    with pytest.raises(NotFound):
        await withdraw_request(roll, doctor("moss02"), request.request_id)
    with pytest.raises(Unauthenticated):
        await withdraw_request(roll, None, request.request_id)
    assert (await (await roll.database()).requests.get(request.request_id)).status == "pending"


async def test_a_doctor_not_on_the_roll_cannot_ask(roll):
    with pytest.raises(NotFound):
        await submit_request(roll, doctor("nobody"), ABSENCE)
