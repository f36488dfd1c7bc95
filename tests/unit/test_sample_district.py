"""The bundled sample district (tools/sample_district.py): deterministic, realistic, legal by
construction except the deliberately illegal demo actions.

The checks below recompute shift intervals independently with zoneinfo (Europe/Oslo, real DST),
so they do not trust the builder's own (naive, margin-based) legality checks.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tools import sample_district as sd

TZ = ZoneInfo("Europe/Oslo")
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
VALID_MEETING_ABSENCES = {"illness", "vacation", "course", "on_duty", "approved_other"}
MIN_REST = timedelta(hours=8)


@pytest.fixture(scope="module")
def doc() -> dict:
    return sd.build_sample_scenario()


@pytest.fixture(scope="module")
def expected() -> list[dict]:
    return sd.expected_rejections()


# ----------------------------------------------------------------------------- independent model
def _hm(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


def shift_table(doc: dict) -> dict[str, dict]:
    """shift id -> {kind, start, end (aware UTC), dates (local dates touched)}."""
    table = {}
    day = date.fromisoformat(doc["period"]["start"])
    end = date.fromisoformat(doc["period"]["end"])
    while day <= end:
        for t in doc["shift_template"]:
            if t["days"] != "all" and WEEKDAYS[day.weekday()] not in t["days"]:
                continue
            s, e = _hm(t["start"]), _hm(t["end"])
            start = datetime.combine(day, s, tzinfo=TZ)
            finish = datetime.combine(day + timedelta(days=1) if e <= s else day, e, tzinfo=TZ)
            last = (finish - timedelta(microseconds=1)).date()
            table[f"{day.isoformat()}/{t['name']}"] = {
                "kind": t["kind"],
                "start": start.astimezone(timezone.utc),
                "end": finish.astimezone(timezone.utc),
                "dates": [day] if last == day else [day, last],
            }
        day += timedelta(days=1)
    return table


def qualified(q: dict, on: date) -> bool:
    def has(key: str) -> bool:
        return q.get(key) is not None and date.fromisoformat(q[key]) <= on

    a = has("specialist_gp") and has("violence_course")
    b = (q["clinical_months"] >= 30 and (q["duty_shifts_done"] >= 40 or q["gp_months"] >= 12)
         and has("acute_course") and has("violence_course"))
    return a or b


class Replay:
    """Applies the scenario's actions in order, checking each against the rules."""

    def __init__(self, doc: dict) -> None:
        self.shifts = shift_table(doc)
        self.doctors = {d["id"]: d for d in doc["doctors"]}
        self.holder: dict[str, str] = {}
        self.holdings: dict[str, list[str]] = {d: [] for d in self.doctors}

    def problems(self, section: str, action: dict) -> list[str]:
        doc = self.doctors.get(action["doctor"])
        shift = self.shifts.get(action["shift"])
        if doc is None or shift is None:
            return ["R-PROC-7"]
        out = []
        if action["shift"] in self.holder:
            out.append("R-PROC-7")
        if shift["kind"] == "backup" and not qualified(doc["qualification"], shift["dates"][0]):
            out.append("R-QUAL-2")
        for held in self.holdings[doc["id"]]:
            h = self.shifts[held]
            overlap = shift["start"] < h["end"] and h["start"] < shift["end"]
            gap = shift["start"] - h["end"] if shift["start"] >= h["end"] else h["start"] - shift["end"]
            if overlap or gap < MIN_REST:
                out.append("R-REST-1")
                break
        for a in doc["absences"]:
            if any(date.fromisoformat(a["from"]) <= d <= date.fromisoformat(a["to"]) for d in shift["dates"]):
                out.append("absent")
                break
        if section == "staff_assignments" and doc["role"] != "staff":
            out.append("not staff")
        if section == "advance_wishes" and doc["meeting_absence"] not in VALID_MEETING_ABSENCES:
            out.append("R-MEET-2")
        if section == "meeting_picks" and (doc["role"] != "gp" or doc["meeting_absence"] is not None):
            out.append("not at the meeting")
        if section == "claims" and doc["role"] not in ("gp", "substitute"):
            out.append("not offered")
        return out

    def apply(self, action: dict) -> None:
        self.holder[action["shift"]] = action["doctor"]
        self.holdings[action["doctor"]].append(action["shift"])


def replay(doc: dict, expected: list[dict]) -> Replay:
    illegal = {(e["section"], e["index"]): e for e in expected}
    r = Replay(doc)
    for section in ("staff_assignments", "advance_wishes", "meeting_picks", "claims"):
        for i, action in enumerate(doc[section]):
            found = r.problems(section, action)
            if (section, i) in illegal:
                e = illegal[(section, i)]
                assert e["action"] == action
                assert found == [e["rule"]], (section, i, action, found)
            else:
                assert found == [], (section, i, action, found)
                r.apply(action)
    return r


# ----------------------------------------------------------------------------- determinism, file
def test_deterministic():
    assert sd.build_sample_scenario() == sd.build_sample_scenario()
    assert sd.render_sample() == sd.render_sample()
    assert sd.build_sample_scenario(7) != sd.build_sample_scenario()


def test_bundled_file_matches_builder(doc):
    text = sd.SAMPLE_PATH.read_text(encoding="utf-8")
    assert json.loads(text) == doc
    assert text == sd.render_sample()


def test_write_sample(tmp_path, doc):
    path = sd.write_sample(tmp_path / "s.json")
    assert json.loads(path.read_text(encoding="utf-8")) == doc


# ----------------------------------------------------------------------------- the document
def test_header(doc):
    assert doc["format"] == 1
    assert doc["district"] == {"id": "mosse", "name": "Mosseregionens legevakt (eksempel)",
                               "timezone": "Europe/Oslo", "policy": {"min_rest_hours": 8}}
    assert doc["period"] == {"id": "mosse-2027-h1", "start": "2027-01-04", "end": "2027-06-27",
                             "wishes_due": "2026-11-25T12:00", "meeting_at": "2026-11-26T18:00",
                             "offering_closes": "2026-12-17T12:00"}
    assert [t["name"] for t in doc["shift_template"]] == ["evening", "day", "night", "backup", "backup-day"]
    assert doc["lottery_seed"] == 20270104
    assert set(doc) == {"format", "district", "period", "shift_template", "doctors", "staff_assignments",
                        "advance_wishes", "meeting_picks", "claims", "lottery_seed"}


def test_shift_count_and_dst(doc):
    table = shift_table(doc)
    assert len(table) == 25 * 23
    dst_night = table["2027-03-27/night"]
    assert dst_night["end"] - dst_night["start"] == timedelta(hours=8)  # R-TIME-1


def test_doctor_counts_and_contact(doc):
    roles = Counter(d["role"] for d in doc["doctors"])
    assert 55 <= roles["gp"] <= 65
    assert 8 <= roles["substitute"] <= 12
    assert 3 <= roles["staff"] <= 5
    ids = [d["id"] for d in doc["doctors"]]
    assert len(ids) == len(set(ids))
    assert len({d["name"] for d in doc["doctors"]}) == len(ids)
    assert len({d["mobile"] for d in doc["doctors"]}) == len(ids)
    munis = Counter(d["municipality"] for d in doc["doctors"] if d["role"] == "gp")
    assert 27 <= munis["Moss"] <= 33 and 6 <= munis["Råde"] <= 10
    assert 12 <= munis["Vestby"] <= 16 and 6 <= munis["Våler"] <= 10
    prefixes = {"Moss": "moss", "Råde": "rade", "Vestby": "vestby", "Våler": "valer"}
    for d in doc["doctors"]:
        assert re.fullmatch(r"\+47[49]\d{7}", d["mobile"]), d
        assert re.fullmatch(r"[a-z0-9.\-]+@([a-z0-9\-]+\.)*example\.no", d["email"]), d
        assert d["name"].count(" ") >= 1
        date.fromisoformat(d["birth_date"])
        q = d["qualification"]
        for key in ("specialist_gp", "violence_course", "acute_course"):
            assert q[key] is None or date.fromisoformat(q[key]) < date(2027, 1, 4)
        for key in ("clinical_months", "duty_shifts_done", "gp_months"):
            assert isinstance(q[key], int) and q[key] >= 0
        if d["role"] == "gp":
            assert re.fullmatch(prefixes[d["municipality"]] + r"\d\d", d["id"])
        for a in d["absences"]:
            assert "2027-01-04" <= a["from"] <= a["to"] <= "2027-06-27"
            assert a["reason"] in ("vacation", "course", "leave")


def test_qualifications(doc):
    start, end = date(2027, 1, 4), date(2027, 6, 27)
    for d in doc["doctors"]:  # nobody changes status inside the period (R-QUAL-4 stays simple)
        assert qualified(d["qualification"], start) == qualified(d["qualification"], end)
    gps_nq = [d for d in doc["doctors"] if d["role"] == "gp" and not qualified(d["qualification"], start)]
    subs_nq = [d for d in doc["doctors"] if d["role"] == "substitute" and not qualified(d["qualification"], start)]
    assert 6 <= len(gps_nq) <= 10
    assert 2 <= len(subs_nq) <= 4
    assert all(qualified(d["qualification"], start) for d in doc["doctors"] if d["role"] == "staff")


def test_exemptions(doc):
    by_reason: dict[str, list] = {}
    for d in doc["doctors"]:
        for ex in d["exemptions"]:
            by_reason.setdefault(ex["reason"], []).append((d, ex))
    age = by_reason["age_over_60"]
    assert 3 <= len(age) <= 5
    for d, ex in age:
        birth = date.fromisoformat(d["birth_date"])
        assert birth < date(1967, 1, 1)
        assert ex == {"reason": "age_over_60", "from": birth.replace(year=birth.year + 60).isoformat(),
                      "to": None, "granted": True}
    assert 1 <= len(by_reason["pregnancy"]) <= 2
    for _, ex in by_reason["pregnancy"]:
        assert ex["granted"] and ex["from"] <= "2027-06-27" and ex["to"] >= "2027-01-04"
    assert len(by_reason["breastfeeding"]) == 1
    health = by_reason["health"]
    granted = [(d, ex) for d, ex in health if ex["granted"]]
    denied = [(d, ex) for d, ex in health if not ex["granted"]]
    assert len(granted) == 1 and len(denied) == 1
    for _, ex in health:  # R-EX-2: the decision is on record
        assert ex["decided_by"] and date.fromisoformat(ex["decided_at"]) < date(2026, 11, 26)
    assert date.fromisoformat(granted[0][0]["birth_date"]) <= date(1972, 1, 4)  # 55+ at the start


def test_meeting_absence(doc):
    absence = Counter(d["meeting_absence"] for d in doc["doctors"] if d["role"] == "gp")
    assert sum(absence[r] for r in VALID_MEETING_ABSENCES) == 5
    assert absence["unexcused"] == 2


def test_substitutes_stand_in_for_gps_on_leave(doc):
    doctors = {d["id"]: d for d in doc["doctors"]}
    stand_ins = [d for d in doc["doctors"] if d.get("substitute_for")]
    assert 2 <= len(stand_ins) <= 6
    for s in stand_ins:
        assert s["role"] == "substitute"
        gp = doctors[s["substitute_for"]]
        assert gp["role"] == "gp"
        assert "2027-01-04" <= s["substitute_from"] <= s["substitute_to"] <= "2027-06-27"
        assert {"from": s["substitute_from"], "to": s["substitute_to"], "reason": "leave"} in gp["absences"]
    with_absences = [d for d in doc["doctors"] if any(a["reason"] != "leave" for a in d["absences"])]
    assert 12 <= len(with_absences) <= 18


def test_staff_assignments(doc):
    table = shift_table(doc)
    staff = [a for a in doc["staff_assignments"]]
    assert 90 <= len(staff) <= 110
    assert all(a["shift"].endswith("/night") for a in staff)
    fri_sat = [s for s in table if s.endswith("/night") and date.fromisoformat(s[:10]).weekday() in (4, 5)]
    covered = {a["shift"] for a in staff}
    assert sum(s in covered for s in fri_sat) >= 0.8 * len(fri_sat)


# ----------------------------------------------------------------------------- the actions
@pytest.mark.parametrize("seed", [2027, 1, 99])
def test_actions_legal_except_the_expected_ones(seed):
    doc = sd.build_sample_scenario(seed)
    expected = sd.expected_rejections(seed)
    replay(doc, expected)


def test_expected_rejections(doc, expected):
    sections = Counter(e["section"] for e in expected)
    assert sections["advance_wishes"] == 2
    assert 6 <= sections["meeting_picks"] <= 10
    assert sections["claims"] == 2
    rules = {(e["section"], e["rule"]) for e in expected}
    assert rules >= {("advance_wishes", "R-MEET-2"), ("advance_wishes", "R-PROC-7"),
                     ("meeting_picks", "R-QUAL-2"), ("meeting_picks", "R-REST-1"),
                     ("meeting_picks", "R-PROC-7"), ("claims", "R-PROC-7"), ("claims", "R-QUAL-2")}
    table = shift_table(doc)
    doctors = {d["id"] for d in doc["doctors"]}
    picks = [e for e in expected if e["section"] == "meeting_picks"]
    assert any(e["action"]["doctor"] not in doctors for e in picks)  # unknown doctor
    assert sum(e["action"]["shift"] not in table for e in picks) >= 2  # not in the period
    # an evening and the night right after it, on the same date
    rest = [e for e in picks if e["rule"] == "R-REST-1"]
    for e in rest:
        before = doc["meeting_picks"][e["index"] - 1]
        assert before["doctor"] == e["action"]["doctor"] and before["shift"][:10] == e["action"]["shift"][:10]
    assert any(doc["meeting_picks"][e["index"] - 1]["shift"].endswith("/evening") for e in rest)
    # spread through the list, not bunched
    idx = [e["index"] for e in picks]
    assert idx[0] < len(doc["meeting_picks"]) * 0.2 and idx[-1] > len(doc["meeting_picks"]) * 0.8


def test_volumes(doc, expected):
    r = replay(doc, expected)
    table = r.shifts
    n_staff = len(doc["staff_assignments"])
    non_staff = len(table) - n_staff
    illegal = Counter(e["section"] for e in expected)
    legal_picks = len(doc["meeting_picks"]) - illegal["meeting_picks"]
    assert 0.55 <= legal_picks / non_staff <= 0.65
    assert 60 <= len(doc["claims"]) <= 90
    uncovered = len(table) - len(r.holder)
    assert 0.15 <= uncovered / len(table) <= 0.25

    gps = [d for d in doc["doctors"] if d["role"] == "gp"]
    wishes = Counter(a["doctor"] for a in doc["advance_wishes"])
    illegal_ids = {(e["section"], e["index"]) for e in expected}
    legal_wishes = Counter(a["doctor"] for i, a in enumerate(doc["advance_wishes"])
                           if ("advance_wishes", i) not in illegal_ids)
    for d in gps:
        if d["meeting_absence"] in VALID_MEETING_ABSENCES:
            assert 3 <= legal_wishes[d["id"]] <= 8
    pick_count = Counter(a["doctor"] for i, a in enumerate(doc["meeting_picks"])
                         if ("meeting_picks", i) not in illegal_ids)
    no_wish = [d for d in gps if d["meeting_absence"] is None and not any(x["granted"] for x in d["exemptions"])
               and pick_count[d["id"]] == 0 and wishes[d["id"]] == 0]
    assert 8 <= len(no_wish) <= 12  # the lottery pool's core (R-LOT-1 a)
    fair_share = non_staff / len(gps)
    assert sum(1 for d in gps if 0 < pick_count[d["id"]] < math.floor(fair_share)) >= 5  # R-LOT-1 b
    role = {d["id"]: d["role"] for d in doc["doctors"]}
    claimants = Counter(role[a["doctor"]] for a in doc["claims"])
    assert claimants["substitute"] > claimants["gp"] > 0
