"""Vacancies after publication (R-VAC-1..3) on the pure decisions: who is eligible, the first
valid acceptance wins, refusals with their codes, escalation across DST, uncovered at start,
and the notices each step calls for."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from domain.mail.vacancy_facts import VacancyAlertFacts, VacancyFilledFacts, VacancyOfferedFacts
from domain.mail.vacancy_notices import OPERATORS, still_news, vacancy_notices
from domain.model import Policy
from domain.period.calendar import PeriodCalendar
from domain.period.events import Source
from domain.period.roster import loads
from domain.period.rules import RuleViolation
from domain.period.state import apply, fold
from domain.period.swaps import offer_swap, shifts_ended
from domain.period.vacancies import (
    assign_vacancy,
    declare_vacancy,
    eligible_doctors,
    escalation_time,
    next_vacancy_time,
    take_vacancy,
    vacancies_due,
)
from domain.period.vacancy_events import VacancyAssigned, VacancyDeclared, VacancyEscalated, VacancyTaken, VacancyUncovered
from tests.helpers.builders import TZ, drive, gp, make_config, staff, substitute

BEFORE = datetime(2027, 1, 1, 12, 0, tzinfo=TZ)  # published, days before the first shift


def published(**extra):
    doctors = [gp("gp1"), gp("gp2"), gp("weak", qualified=False), gp("gp3"), gp("away", absent=((date(2027, 1, 4), date(2027, 1, 10)),)),
               gp("free", exempt=((date(2027, 1, 4), None),)), substitute("sub1"), staff("st1")]
    config = make_config(doctors, days=7, **extra)
    first = config.period.start + timedelta(days=2)  # a Wednesday
    return drive(config, picks=[("gp1", f"{first}/evening"), ("gp3", f"{first}/backup")], seed=3)


def a_shift_of(outcome, doctor: str, kind: str = "evening") -> str:
    return sorted(s for s in outcome.state.held_by(doctor) if s.endswith(f"/{kind}"))[0]


def declared(outcome, holder="gp1", shift=None, now=BEFORE, vacancy="v1"):
    shift = shift or a_shift_of(outcome, holder)
    event = declare_vacancy(outcome.state, outcome.calendar, vacancy_id=vacancy, holder=holder, shift_id=shift,
                            reason="syk", now=now)
    assert isinstance(event, VacancyDeclared), event
    return apply(outcome.state, event), event


def refused(decision, rule: str, code: str) -> None:
    assert isinstance(decision, RuleViolation), decision
    assert (decision.rule, decision.code) == (rule, code), decision


def test_r_vac_1_a_vacancy_keeps_the_holder_and_changes_no_load():
    outcome = published()
    state, event = declared(outcome)
    assert state.assignments[event.shift].doctor == "gp1"  # owned until taken over (R-SWAP-1)
    assert state.vacancies["v1"].open and state.vacancies["v1"].reason == "syk"
    assert loads(state, outcome.calendar) == loads(outcome.state, outcome.calendar)


def test_r_vac_2_eligible_are_those_the_lottery_could_legally_give_it_to_and_substitutes():
    outcome = published()
    shift = a_shift_of(outcome, "gp1")
    eligible = eligible_doctors(outcome.state, outcome.calendar, shift)
    assert "gp1" not in eligible  # the holder
    assert "st1" not in eligible  # staff (R-PROC-2)
    assert "away" not in eligible and "free" not in eligible  # absent, exempt (as in R-LOT-2)
    assert "sub1" in eligible  # approved substitutes are offered shifts (R-PROC-3)
    for doctor in eligible:  # and each of them may really take it
        state, _ = declared(outcome, shift=shift)
        assert isinstance(take_vacancy(state, outcome.calendar, vacancy_id="v1", doctor=doctor, now=BEFORE), VacancyTaken)
    backup = a_shift_of(outcome, "gp3", "backup")
    assert "weak" not in eligible_doctors(outcome.state, outcome.calendar, backup)  # R-QUAL-2


def test_r_vac_2_refusals_name_the_rule_and_code():
    outcome = published()
    state, event = declared(outcome)
    refused(take_vacancy(state, outcome.calendar, vacancy_id="v1", doctor="gp1", now=BEFORE), "R-VAC-2", "vacancy_own")
    refused(take_vacancy(state, outcome.calendar, vacancy_id="v1", doctor="free", now=BEFORE), "R-VAC-2", "vacancy_exempt")
    refused(take_vacancy(state, outcome.calendar, vacancy_id="v1", doctor="away", now=BEFORE), "R-LOT-2", "absent")
    refused(take_vacancy(state, outcome.calendar, vacancy_id="v1", doctor="st1", now=BEFORE), "R-PROC-2", "role_staff")
    refused(take_vacancy(state, outcome.calendar, vacancy_id="nope", doctor="gp2", now=BEFORE), "R-VAC-2", "vacancy_unknown")
    start = outcome.calendar.by_id[event.shift].start
    refused(take_vacancy(state, outcome.calendar, vacancy_id="v1", doctor="gp2", now=start), "R-VAC-3", "vacancy_started")


def test_r_vac_2_first_valid_acceptance_wins_and_a_later_one_is_refused():
    outcome = published()
    state, event = declared(outcome)
    taker = next(d for d in eligible_doctors(state, outcome.calendar, event.shift) if d.startswith("gp"))
    first = take_vacancy(state, outcome.calendar, vacancy_id="v1", doctor=taker, now=BEFORE)
    assert isinstance(first, VacancyTaken)
    state = apply(state, first)
    assert state.assignments[event.shift].doctor == taker and state.assignments[event.shift].source is Source.VACANCY
    later = take_vacancy(state, outcome.calendar, vacancy_id="v1", doctor="sub1", now=BEFORE)
    refused(later, "R-VAC-2", "vacancy_closed")
    assert "gp1" not in later.message and taker not in later.message  # names nobody


def test_r_vac_1_declaring_refuses_what_is_not_the_holders_to_declare():
    outcome = published()
    shift = a_shift_of(outcome, "gp1")
    decide = lambda state, holder="gp1", shift=shift, now=BEFORE, reason="syk": declare_vacancy(  # noqa: E731
        state, outcome.calendar, vacancy_id="v2", holder=holder, shift_id=shift, reason=reason, now=now)
    refused(decide(outcome.before_lottery), "R-VAC-1", "vacancy_not_published")
    refused(decide(outcome.state, holder="gp2"), "R-VAC-1", "vacancy_not_holder")
    refused(decide(outcome.state, now=outcome.calendar.by_id[shift].start), "R-VAC-1", "vacancy_started")
    refused(decide(outcome.state, reason="   "), "R-VAC-1", "vacancy_reason")
    refused(decide(outcome.state, shift="1999-01-01/evening"), "R-PROC-7", "no_such_shift")
    state, _ = declared(outcome, shift=shift)
    refused(decide(state), "R-VAC-1", "vacancy_already_declared")
    swap = offer_swap(outcome.state, outcome.calendar, swap_id="s1", giver="gp1", shift_id=shift, receiver=None, now=BEFORE)
    refused(decide(apply(outcome.state, swap)), "R-VAC-1", "vacancy_swap_open")


def test_r_vac_3_escalation_is_the_lead_time_in_elapsed_hours_across_dst():
    # Europe/Oslo moves to summer time in the night to Sunday 28 March 2027.
    calendar = PeriodCalendar.from_config(make_config([gp("gp1")], start=date(2027, 3, 22), days=14,
                                                      policy=Policy(vacancy_alert_hours=48)))
    monday = calendar.by_id["2027-03-29/evening"]  # 16:00 CEST
    at = escalation_time(monday, 48).astimezone(TZ)
    assert at == datetime(2027, 3, 27, 15, 0, tzinfo=TZ)  # 48 real hours: 15:00 CET, not 16:00
    assert (monday.start - at) == timedelta(hours=48)


def test_r_vac_3_escalated_then_assigned_only_to_an_eligible_doctor():
    outcome = published()
    state, event = declared(outcome)
    calendar = outcome.calendar
    refused(assign_vacancy(state, calendar, vacancy_id="v1", doctor="gp2", reason="ringt", now=BEFORE),
            "R-VAC-3", "vacancy_not_escalated")
    assert next_vacancy_time(state, calendar) == event.escalate_at
    assert vacancies_due(state, calendar, event.escalate_at - timedelta(seconds=1)) == []
    [escalated] = vacancies_due(state, calendar, event.escalate_at)
    assert isinstance(escalated, VacancyEscalated) and escalated.lead_hours == 48
    state = apply(state, escalated)
    assert vacancies_due(state, calendar, event.escalate_at) == []  # once
    start = calendar.by_id[event.shift].start
    assert next_vacancy_time(state, calendar) == start
    now = event.escalate_at + timedelta(hours=1)
    refused(assign_vacancy(state, calendar, vacancy_id="v1", doctor="away", reason="ringt", now=now), "R-LOT-2", "absent")
    assigned = assign_vacancy(state, calendar, vacancy_id="v1", doctor="gp2", reason="ringt", now=now)
    if isinstance(assigned, RuleViolation):  # gp2 may be resting beside the shift; another one then
        assigned = assign_vacancy(state, calendar, vacancy_id="v1", doctor="sub1", reason="ringt", now=now)
    assert isinstance(assigned, VacancyAssigned)
    state = apply(state, assigned)
    assert state.assignments[event.shift].doctor == assigned.doctor and state.vacancies["v1"].status == "assigned"
    # R-LOAD-1: whoever holds it at its end worked it.
    worked = shifts_ended(state, calendar, calendar.by_id[event.shift].end)
    assert (event.shift, assigned.doctor) in worked.worked


def test_r_vac_3_still_open_at_the_start_is_uncovered_never_dropped():
    outcome = published()
    state, event = declared(outcome)
    start = outcome.calendar.by_id[event.shift].start
    due = vacancies_due(state, outcome.calendar, start)
    assert [type(e) for e in due] == [VacancyUncovered]
    state = fold(due, state)
    assert state.vacancies["v1"].status == "uncovered" and next_vacancy_time(state, outcome.calendar) is None
    assert state.assignments[event.shift].doctor == "gp1"  # still on the roster, reported uncovered


def test_r_vac_2_notices_offer_to_the_eligible_and_tell_holder_and_operators_who_took_it():
    outcome = published()
    shift = a_shift_of(outcome, "gp1")
    event = declare_vacancy(outcome.state, outcome.calendar, vacancy_id="v1", holder="gp1", shift_id=shift,
                            reason="syk", now=BEFORE)
    offers = vacancy_notices(outcome.state, outcome.calendar, event)
    assert [d for d, _ in offers] == eligible_doctors(outcome.state, outcome.calendar, shift) and len(offers) == event.offered
    assert all(isinstance(f, VacancyOfferedFacts) and "syk" not in f.model_dump_json() for _, f in offers)
    state = apply(outcome.state, event)
    taken = take_vacancy(state, outcome.calendar, vacancy_id="v1", doctor=offers[0][0], now=BEFORE)
    told = vacancy_notices(state, outcome.calendar, taken)
    assert [d for d, _ in told] == ["gp1", OPERATORS] and all(isinstance(f, VacancyFilledFacts) for _, f in told)
    after = apply(state, taken)
    assert not still_news(after, offers[1][1])  # an offer not yet sent is dropped once taken
    [(who, alert)] = vacancy_notices(state, outcome.calendar, vacancies_due(state, outcome.calendar, event.escalate_at)[0])
    assert who is OPERATORS and isinstance(alert, VacancyAlertFacts) and alert.kind == "vacancy-escalated"


def test_r_vac_1_a_vacant_shift_swapped_away_meanwhile_is_nobodys_vacancy():
    from domain.period.swaps import accept_swap
    from domain.period.vacancies import is_live

    outcome = published()
    shift = a_shift_of(outcome, "gp1")
    swap = offer_swap(outcome.state, outcome.calendar, swap_id="s1", giver="gp1", shift_id=shift, receiver=None, now=BEFORE)
    state = apply(outcome.state, swap)
    receiver = next(d for d in ("gp2", "gp3", "sub1")
                    if not isinstance(accept_swap(state, outcome.calendar, swap_id="s1", receiver=d, now=BEFORE), RuleViolation))
    state = apply(state, accept_swap(state, outcome.calendar, swap_id="s1", receiver=receiver, now=BEFORE))
    # A vacancy recorded before the swap (the order a replayed history may hold) stops being live.
    state = apply(state, VacancyDeclared(vacancy="v1", shift=shift, holder="gp1", reason="syk",
                                         escalate_at=BEFORE, offered=1))
    assert not is_live(state, state.vacancies["v1"])
    assert vacancies_due(state, outcome.calendar, outcome.calendar.by_id[shift].start) == []  # never reported
    refused(take_vacancy(state, outcome.calendar, vacancy_id="v1", doctor="gp2", now=BEFORE), "R-VAC-1",
            "vacancy_holder_gone")
    again = declare_vacancy(state, outcome.calendar, vacancy_id="v2", holder=receiver, shift_id=shift, reason="syk",
                            now=BEFORE)
    assert isinstance(again, VacancyDeclared)  # the new holder may declare it


def test_r_vac_3_the_lead_time_is_a_district_policy_setting_default_48_hours():
    from domain.district import DistrictPolicy
    from domain.registry.policy import apply_policy_changes

    assert DistrictPolicy().vacancy_alert_hours == 48
    changed = apply_policy_changes(DistrictPolicy(), ["vacancy_alert_hours=24"])
    assert changed.vacancy_alert_hours == 24 and changed.engine_policy().vacancy_alert_hours == 24


def test_r_vac_3_an_uncovered_vacancy_shows_as_uncovered_wherever_coverage_is_counted():
    from domain.period.ledger import roster_entries
    from domain.period.roster import roster_document
    from web.roster_words import counts

    outcome = published()
    state, event = declared(outcome)
    state = fold(vacancies_due(state, outcome.calendar, outcome.calendar.by_id[event.shift].start), state)
    entries = roster_entries(state, outcome.calendar, outcome.events)
    [entry] = [e for e in entries if e.shift.id == event.shift]
    assert entry.uncovered and entry.doctor == "gp1"
    before, after = counts(roster_entries(outcome.state, outcome.calendar, outcome.events)), counts(entries)
    assert after["uncovered"] == before["uncovered"] + 1 and after["covered"] == before["covered"] - 1
    assert after["open"] == before["open"]
    doc = roster_document(state, outcome.calendar)
    assert doc["vacancies"] == [{"shift": event.shift, "holder": "gp1", "status": "uncovered", "taken_by": None}]


def test_r_vac_1_every_vacancy_refusal_and_event_has_words_in_both_languages():
    import re
    from pathlib import Path

    from web.i18n import has, text

    source = (Path(__file__).resolve().parents[2] / "domain" / "period" / "vacancies.py").read_text()
    codes = set(re.findall(r'"(vacancy_[a-z_]+)"', source))
    assert {"vacancy_not_published", "vacancy_closed", "vacancy_not_escalated"} <= codes
    for code in codes:
        assert has(f"refusal.{code}"), code
        assert text(f"refusal.{code}", "nb") != text(f"refusal.{code}", "en"), code
    for kind in ("VacancyDeclared", "VacancyTaken", "VacancyEscalated", "VacancyAssigned", "VacancyUncovered"):
        assert text(f"event.{kind}", "nb") != text(f"event.{kind}", "en"), kind



def test_r_vac_1_a_vacant_shift_is_not_also_offered_as_a_swap():
    """R-VAC-1: while a shift is vacant its holder cannot also offer it as a swap (one way out)."""
    outcome = published()
    state, event = declared(outcome)
    offered = offer_swap(state, outcome.calendar, swap_id="s1", giver="gp1", shift_id=event.shift, receiver=None,
                         now=BEFORE)
    refused(offered, "R-VAC-1", "swap_shift_vacant")
