"""Checks a `vakt simulate` result document against its scenario, the way an outside auditor
would: from the scenario JSON and the result alone, with its own small re-implementation of
shift times, qualification and availability (only the shift list comes from the engine's
generator, which has its own DST tests)."""

from __future__ import annotations

from datetime import date, timedelta

from domain.period.calendar import PeriodCalendar
from domain.period.roster import members
from domain.scenario import parse_scenario, to_period_config


def _qualified(q: dict, day: date) -> bool:
    def held(key):
        return q.get(key) is not None and date.fromisoformat(q[key]) <= day

    by_specialty = held("specialist_gp") and held("violence_course")
    by_experience = (
        q["clinical_months"] >= 30
        and (q["duty_shifts_done"] >= 40 or q["gp_months"] >= 12)
        and held("acute_course")
        and held("violence_course")
    )
    return by_specialty or by_experience


def _in_range(day: date, start: str, end: str | None) -> bool:
    return date.fromisoformat(start) <= day and (end is None or day <= date.fromisoformat(end))


def check_result(scenario_doc: dict, result: dict) -> None:
    scenario = parse_scenario(scenario_doc)
    calendar = PeriodCalendar.from_config(to_period_config(scenario))
    shifts = calendar.by_id
    doctors = {d["id"]: d for d in scenario_doc["doctors"]}
    min_rest = timedelta(hours=scenario_doc["district"].get("policy", {}).get("min_rest_hours", 8))

    # Every shift of the period exactly once, in assignments or uncovered.
    listed = [a["shift"] for a in result["assignments"]] + [u["shift"] for u in result["uncovered"]]
    assert sorted(listed) == sorted(shifts), "shifts missing, unknown or listed twice"
    for u in result["uncovered"]:
        assert u["reason"], f"uncovered {u['shift']} has no reason"

    held: dict[str, list] = {}
    for a in result["assignments"]:
        held.setdefault(a["doctor"], []).append(shifts[a["shift"]])
    # R-REST-1 for everyone, R-QUAL-2 for every backup.
    for doctor_id, mine in held.items():
        mine.sort(key=lambda s: s.start)
        for before, after in zip(mine, mine[1:]):
            assert after.start - before.end >= min_rest, f"R-REST-1 broken: {doctor_id} {before.id} {after.id}"
    for a in result["assignments"]:
        shift = shifts[a["shift"]]
        if shift.kind.value == "backup":
            q = doctors[a["doctor"]]["qualification"]
            assert _qualified(q, shift.day), f"R-QUAL-2 broken: {a['doctor']} on {shift.id}"

    # Lottery draws: R-LOT-1/2 on the drawn doctor, R-LOT-3 on the recorded pool.
    quotas = result.get("quotas") or {}
    load: dict[str, int] = {}
    drawn = {d["shift"] for d in result["lottery"]["draws"]}
    for a in result["assignments"]:
        if a["shift"] not in drawn:
            load[a["doctor"]] = load.get(a["doctor"], 0) + 1
    for d in result["lottery"]["draws"]:
        shift = shifts[d["shift"]]
        doctor = doctors[d["doctor"]]
        pool = members(result["lottery"], d["pool"])
        assert d["doctor"] in pool, "drawn doctor not in the recorded pool"
        standing_in = doctor.get("substitute_for") and _in_range(
            shift.day,
            doctor.get("substitute_from") or scenario_doc["period"]["start"],
            doctor.get("substitute_to") or scenario_doc["period"]["end"],
        )
        assert doctor["role"] == "gp" or standing_in, f"R-LOT-2: {d['doctor']} ({doctor['role']}) drawn"
        for e in doctor.get("exemptions", []):
            if e["reason"] in ("age_over_60", "pregnancy", "breastfeeding") or e["granted"]:
                if e["reason"] == "age_over_60" and doctor.get("birth_date"):
                    birth = date.fromisoformat(doctor["birth_date"])
                    if shift.day < birth.replace(year=birth.year + 60):
                        continue
                assert not _in_range(shift.day, e["from"], e["to"]), f"R-LOT-2: exempt {d['doctor']} drawn"
        for absence in doctor.get("absences", []):
            assert not _in_range(shift.day, absence["from"], absence["to"]), f"R-LOT-2: absent {d['doctor']} drawn"
        # R-LOT-3 as docs/lottery.md reads it: a member with a larger deficit may be passed over
        # only when drawing them would leave coverage or fairness worse than the best found, and
        # the draw then names them with the reason.
        passed = {doctor for group in d.get("passed", []) for doctor in members(result["lottery"], group["doctors"])}
        assert all(group["rule"] and group["why"] for group in d.get("passed", [])), d
        for member in pool:
            if quotas and member not in passed:
                deficit = quotas.get(member, 0) - load.get(member, 0)
                chosen = quotas.get(d["doctor"], 0) - load.get(d["doctor"], 0)
                assert chosen >= deficit, f"R-LOT-3: {d['doctor']} drawn before {member} with a larger deficit"
        load[d["doctor"]] = load.get(d["doctor"], 0) + 1
    for r in result.get("rejected", []):
        assert r["rule"].startswith("R-"), r
