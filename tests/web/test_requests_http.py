"""Doctors' requests and details over HTTP, before the meeting of a live round: an
operator decides each request once, the decision is recorded (who, when) in the registry and
its history, and the running period learns the doctor's new, minimised profile
(DoctorAmended, recorded with the operator). A course date counts from its date (R-QUAL-4)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from adapters.postgres.registry import RegistryStore
from domain.period.calendar import PeriodCalendar
from domain.model import OSLO_TZ, MeetingAttendance, Phase
from domain.period.rules import eligibility_violation
from tests.web.stack import OPERATOR, account_id, close_until, email_of, start_example_period, wait_phase


async def test_requests_and_details_reach_the_period_before_its_meeting(web):
    period = await start_example_period(web, meeting_in=timedelta(seconds=15))
    gp04, gp06, gp09 = [await web.sign_in(email_of(d)) for d in ("gp04", "gp06", "gp09")]
    kari = await web.sign_in(OPERATOR[0])
    kari_actor = f"operator:{await account_id(web, OPERATOR[0])}"  # by account id, not by name
    start, end = "2027-01-04", "2027-01-17"

    # An exemption (R-EX-2), a meeting absence (R-MEET-1), and an R-EX-1 application.
    health = await gp04.post("/api/me/requests", json={"kind": "exemption", "reason": "health", "from": start,
                                                       "to": end, "note": "<b>operasjon</b>"})
    absence = await gp06.post("/api/me/requests", json={"kind": "meeting_absence", "reason": "illness",
                                                        "from": str(date.today()), "to": str(date.today() + timedelta(days=3))})
    by_right = await gp09.post("/api/me/requests", json={"kind": "exemption", "reason": "pregnancy", "from": start,
                                                         "to": end})
    assert health.status_code == absence.status_code == by_right.status_code == 201, (health.text, absence.text)
    pending = (await kari.get("/api/operator/requests")).json()
    assert [r["doctor_id"] for r in pending] == ["gp04", "gp06", "gp09"]
    page = await kari.get("/operator", headers={"Accept": "text/html"})
    assert "&lt;b&gt;operasjon&lt;/b&gt;" in page.text and "<b>operasjon</b>" not in page.text  # escaped

    refused_by_right = await kari.post(f"/api/operator/requests/{by_right.json()['request_id']}/decision",
                                       json={"grant": False})
    assert refused_by_right.status_code == 409 and refused_by_right.json()["rule"] == "R-EX-1"
    assert set(refused_by_right.json()) == {"error", "status", "rule", "message"}  # a request's: the same shape
    for request in (health, absence):
        decided = await kari.post(f"/api/operator/requests/{request.json()['request_id']}/decision",
                                  json={"grant": True, "note": "ok"})
        assert decided.status_code == 200, decided.text
        assert decided.json()["request"]["decided_by"] == kari_actor
        assert [a["outcome"] for a in decided.json()["amended"]] == ["amended"]
    again = await kari.post(f"/api/operator/requests/{health.json()['request_id']}/decision", json={"grant": False})
    assert again.status_code == 409 and "already been decided" in again.json()["error"]

    # R-QUAL-4: gp06 takes the violence course on 2027-01-10 and is qualified from that day.
    course = await gp06.post("/api/me/details", json={"violence_course": "2027-01-10"})
    assert course.status_code == 200 and course.json()["changed"] == ["violence_course"], course.text

    state = await wait_phase(web, period, lambda s: s.require_config().doctor("gp06").qualification.violence_course is not None)
    config = state.require_config()
    assert [g.rule for g in config.doctor("gp04").exemptions] == ["R-EX-2"]
    assert config.doctor("gp06").meeting is MeetingAttendance.VALID_ABSENCE
    stored = await (await web.services.database()).store.read_stream(period)
    amended = [e for e in stored if e.type == "DoctorAmended"]
    assert {e.actor for e in amended} == {kari_actor, "doctor:gp06"}
    assert "operasjon" not in str([e.data for e in stored]) and "health" not in str([e.data for e in amended])

    registry = RegistryStore((await web.services.database()).pool)
    record = await registry.doctor("demo", "gp04")
    [exemption] = [e for e in record.exemptions if e.reason == "health" and e.from_ == date(2027, 1, 4)]
    assert exemption.granted and exemption.decided_by == OPERATOR[1] and exemption.decided_at == datetime.now(OSLO_TZ).date()
    history = await registry.history("demo", doctor_id="gp06")
    assert [c.actor for c in history][-2:] == [kari_actor, "doctor:gp06"]

    # The meeting opens with these facts; gp06's course counts from its date in the period's rules.
    await close_until(web, period, Phase.MEETING)
    state = await wait_phase(web, period, lambda s: s.meeting_open)
    assert state.quota.of("gp04") == 0  # exempt all the period (R-EX-2): no quota
    config = state.require_config()
    calendar = PeriodCalendar.from_config(config)
    gp06_profile = config.doctor("gp06")
    policy = config.district.policy
    assert eligibility_violation(policy, calendar, gp06_profile, calendar.by_id["2027-01-09/backup"], [],
                                 voluntary=True).rule == "R-QUAL-2"
    assert eligibility_violation(policy, calendar, gp06_profile, calendar.by_id["2027-01-11/backup"], [],
                                 voluntary=True) is None
    board = (await gp06.get(f"/api/periods/{period}/board")).json()
    assert board["verb"] is None and "R-MEET-1" in board["why_no_action"]


async def test_sync_rounds_brings_a_round_before_its_meeting_up_to_the_registry(web):
    """A registry change that went around the web service (a re-import, or a decision whose
    amendment found Temporal down) reaches the round with `vakt district sync-rounds`; once."""
    from app.periods.amend import sync_running_periods

    period = await start_example_period(web, meeting_in=timedelta(seconds=20))
    registry = RegistryStore((await web.services.database()).pool)
    record = await registry.doctor("demo", "gp11")
    assert record.qualification.violence_course is None
    qualified = record.qualification.model_copy(update={"violence_course": date(2026, 11, 1)})
    await registry.change_doctor(
        "demo", "gp11", lambda r: r.model_copy(update={"qualification": qualified}), actor="admin:import"
    )
    synced = await sync_running_periods(web.services, "demo", actor="admin:Ola")
    assert [(a.period, a.doctor, a.outcome) for a in synced] == [(period, "gp11", "amended")]
    assert await sync_running_periods(web.services, "demo", actor="admin:Ola") == []  # already current
    state = await wait_phase(web, period, lambda s: s.require_config().doctor("gp11").qualification.violence_course)
    assert state.require_config().doctor("gp04") is not None
    stored = await (await web.services.database()).store.read_stream(period)
    assert [(e.actor, e.data["doctor"]["id"]) for e in stored if e.type == "DoctorAmended"] == [("admin:Ola", "gp11")]
