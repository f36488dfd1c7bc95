"""A fictional but realistic sample district: Mosseregionens legevakt, first half of 2027.

`build_sample_scenario()` returns a complete scenario document (format 1, see
docs/scenario-format.md) for `vakt simulate`: ~60 GPs in four municipalities, substitutes and
staff doctors, exemptions, absences, the meeting picks, the offering claims and a lottery seed.
Everything is fictional (names from common Norwegian name lists, `example.no` addresses).

The document is built by a small simulation that keeps its own roster, so every action is legal
by construction -- except a handful of deliberately illegal ones, spread through the lists, that
the demo shows being rejected. `expected_rejections()` lists those with the rule each breaks.

The function is pure and deterministic: it only uses `random.Random(seed)`, never the global
generator, and never iterates over a set, so the output is byte-identical on every run.

    python -m tools.sample_district [PATH]   # writes app/data/sample-mosse-2027-h1.json
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

FORMAT = 1
SAMPLE_PATH = Path(__file__).resolve().parents[1] / "app" / "data" / "sample-mosse-2027-h1.json"
LOTTERY_SEED = 20270104

DISTRICT: dict[str, Any] = {
    "id": "mosse",
    "name": "Mosseregionens legevakt (eksempel)",
    "timezone": "Europe/Oslo",
    "policy": {"min_rest_hours": 8},
}
PERIOD: dict[str, Any] = {
    "id": "mosse-2027-h1",
    "start": "2027-01-04",
    "end": "2027-06-27",
    "wishes_due": "2026-11-25T12:00",
    "meeting_at": "2026-11-26T18:00",
    "offering_closes": "2026-12-17T12:00",
}
SHIFT_TEMPLATE: list[dict[str, Any]] = [
    {"name": "evening", "kind": "duty", "days": ["mon", "tue", "wed", "thu", "fri"],
     "start": "16:00", "end": "23:00"},
    {"name": "day", "kind": "duty", "days": ["sat", "sun"], "start": "08:00", "end": "16:00"},
    {"name": "night", "kind": "duty", "days": "all", "start": "23:00", "end": "08:00"},
    {"name": "backup", "kind": "backup", "days": "all", "start": "16:00", "end": "08:00"},
    {"name": "backup-day", "kind": "backup", "days": ["sat", "sun"], "start": "08:00", "end": "16:00"},
]

# (id prefix, municipality, number of GPs, e-mail domain)
MUNICIPALITIES: list[tuple[str, str, int, str]] = [
    ("moss", "Moss", 30, "moss-legesenter.example.no"),
    ("rade", "Råde", 8, "rade-legekontor.example.no"),
    ("vestby", "Vestby", 14, "vestby-legesenter.example.no"),
    ("valer", "Våler", 8, "valer-legekontor.example.no"),
]
N_SUBSTITUTES = 10
N_STAFF = 4

FEMALE_NAMES = [
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg", "Hilde",
    "Solveig", "Marianne", "Randi", "Ida", "Nina", "Maria", "Elisabeth", "Kristin", "Silje",
    "Ingvild", "Tone", "Hanne", "Camilla", "Line", "Guro", "Sigrid", "Ragnhild", "Mari", "Nora",
    "Thea", "Maren", "Ellen", "Heidi", "Torunn", "Siri", "Kjersti", "Vilde", "Emilie", "Åse",
]
MALE_NAMES = [
    "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Svein", "Arne", "Thomas", "Hans",
    "Geir", "Tor", "Morten", "Terje", "Erik", "Martin", "Andreas", "Rune", "Trond", "Jon",
    "Anders", "Harald", "Espen", "Magnus", "Håkon", "Sindre", "Eirik", "Kristian", "Stian",
    "Øyvind", "Jørgen", "Henrik", "Fredrik", "Sigurd", "Vegard", "Even", "Gunnar", "Olav", "Petter",
]
LAST_NAMES = [
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen", "Lund",
    "Sørensen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg", "Svendsen", "Eide", "Knutsen",
    "Martinsen", "Paulsen", "Bakken", "Kristoffersen", "Mathisen", "Lie", "Amundsen", "Rasmussen",
    "Lunde", "Solheim", "Berge", "Moe", "Nygård", "Bakke", "Fredriksen", "Holm", "Lien", "Hauge",
    "Aas", "Myhre", "Sæther", "Haugland", "Thomassen", "Sivertsen", "Simonsen", "Danielsen",
    "Sandvik", "Rønning", "Arnesen", "Næss", "Vik", "Haug", "Thorsen", "Birkeland", "Ruud",
    "Aasen", "Strøm", "Tangen", "Ødegård", "Helland", "Bøe", "Aune", "Mikkelsen", "Brekke",
]

_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# Margin for constructing legal actions: the policy asks 8 h rest; 9 h survives the DST night.
_REST = timedelta(hours=9)
_VALID_MEETING_ABSENCES = ["illness", "vacation", "course", "on_duty", "approved_other"]

# What doctors like to pick at the meeting (evenings and weekend days first).
_PICK_WEIGHTS = {"evening": 8, "day": 7, "backup-day": 3, "backup": 3, "night": 1}
_CLAIM_WEIGHTS = {"evening": 2, "day": 2, "backup-day": 2, "backup": 3, "night": 4}


# --------------------------------------------------------------------------------------------
# shifts and doctors of the simulation
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Shift:
    id: str
    day: date
    name: str
    kind: str
    start: datetime  # naive local wall-clock; DST is absorbed by the 9 h margin
    end: datetime

    def dates(self) -> list[date]:
        """The calendar dates the shift touches (a night also touches the next morning)."""
        last = (self.end - timedelta(microseconds=1)).date()
        return [self.day] if last == self.day else [self.day, last]


@dataclass
class _Doctor:
    id: str
    role: str
    qualified: bool
    blocked: list[tuple[date, date]] = field(default_factory=list)  # no actions on these dates
    window: tuple[date, date] | None = None  # a stand-in only claims inside their window
    holdings: list[_Shift] = field(default_factory=list)


def _hm(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


def _generate_shifts(start: date, end: date) -> list[_Shift]:
    shifts = []
    day = start
    while day <= end:
        wd = _WEEKDAYS[day.weekday()]
        for t in SHIFT_TEMPLATE:
            if t["days"] != "all" and wd not in t["days"]:
                continue
            s, e = _hm(t["start"]), _hm(t["end"])
            begin = datetime.combine(day, s)
            finish = datetime.combine(day + timedelta(days=1) if e <= s else day, e)
            shifts.append(_Shift(f"{day.isoformat()}/{t['name']}", day, t["name"], t["kind"], begin, finish))
        day += timedelta(days=1)
    return shifts


def independently_qualified(q: dict[str, Any], on: date) -> bool:
    """R-QUAL-1 as the sample understands it (judged on the date, R-QUAL-4)."""

    def has(key: str) -> bool:
        return q.get(key) is not None and date.fromisoformat(q[key]) <= on

    a = has("specialist_gp") and has("violence_course")
    b = (q["clinical_months"] >= 30 and (q["duty_shifts_done"] >= 40 or q["gp_months"] >= 12)
         and has("acute_course") and has("violence_course"))
    return a or b


def _slug(text: str) -> str:
    out = text.lower()
    for a, b in (("æ", "ae"), ("ø", "o"), ("å", "a"), ("é", "e"), (" ", "-")):
        out = out.replace(a, b)
    return out


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.start = date.fromisoformat(PERIOD["start"])
        self.end = date.fromisoformat(PERIOD["end"])
        self.shifts = _generate_shifts(self.start, self.end)
        self.by_id = {s.id: s for s in self.shifts}
        self.holder: dict[str, str] = {}
        self.docs: dict[str, _Doctor] = {}
        self.records: list[dict[str, Any]] = []
        self.used_names: list[str] = []
        self.used_mobiles: list[str] = []
        self.illegal: list[tuple[dict[str, str], str]] = []  # (action object, rule)
        self.doc: dict[str, Any] = {}
        self.expected: list[dict[str, Any]] = []

    # ---------------------------------------------------------------- small random helpers
    def rand_date(self, y1: int, y2: int) -> date:
        return date(self.rng.randint(y1, y2), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def mobile(self) -> str:
        while True:
            number = "+47" + self.rng.choice("49") + "".join(self.rng.choice("0123456789") for _ in range(7))
            if number not in self.used_mobiles:
                self.used_mobiles.append(number)
                return number

    def name(self, female: bool) -> tuple[str, str]:
        while True:
            first = self.rng.choice(FEMALE_NAMES if female else MALE_NAMES)
            last = self.rng.choice(LAST_NAMES)
            full = f"{first} {last}"
            if full not in self.used_names:
                self.used_names.append(full)
                return first, last

    def monday_between(self, first_week: int, last_week: int) -> date:
        """The Monday of a week of the period (week 0 starts on the period's first day)."""
        return self.start + timedelta(weeks=self.rng.randint(first_week, last_week))

    # ---------------------------------------------------------------- qualifications
    def qualification(self, birth: date, kind: str) -> dict[str, Any]:
        rng = self.rng
        grad = birth.year + rng.randint(25, 28)  # medical degree
        months_since = max(6, (2026 - grad) * 12 + rng.randint(0, 11))

        def course(y1: int) -> str:
            return self.rand_date(min(max(y1, 2008), 2025), 2025).isoformat()

        if kind == "specialist":  # R-QUAL-1 (a)
            spec_year = min(grad + rng.randint(6, 10), 2025)
            return {
                "specialist_gp": self.rand_date(spec_year, spec_year).isoformat(),
                "violence_course": course(grad + 2),
                "acute_course": course(grad + 1) if rng.random() < 0.85 else None,
                "clinical_months": max(72, months_since - rng.randint(0, 18)),
                "duty_shifts_done": rng.randint(120, 700),
                "gp_months": max(60, months_since - rng.randint(18, 40)),
            }
        if kind == "experienced":  # R-QUAL-1 (b)
            clinical = rng.randint(34, 110)
            return {
                "specialist_gp": None,
                "violence_course": course(2019),
                "acute_course": course(2019),
                "clinical_months": clinical,
                "duty_shifts_done": rng.randint(45, 260),
                "gp_months": rng.randint(12, max(13, clinical - 12)),
            }
        if kind == "junior":  # not qualified: too little clinical experience
            return {
                "specialist_gp": None,
                "violence_course": course(2024) if rng.random() < 0.5 else None,
                "acute_course": course(2024) if rng.random() < 0.7 else None,
                "clinical_months": rng.randint(8, 26),
                "duty_shifts_done": rng.randint(3, 36),
                "gp_months": rng.randint(2, 11),
            }
        if kind == "no_violence":  # not qualified: never took the violence/abuse course
            specialist = rng.random() < 0.5
            spec_year = min(grad + rng.randint(6, 10), 2025)
            return {
                "specialist_gp": self.rand_date(spec_year, spec_year).isoformat() if specialist else None,
                "violence_course": None,
                "acute_course": course(grad + 1),
                "clinical_months": max(40, months_since - rng.randint(0, 12)),
                "duty_shifts_done": rng.randint(50, 300),
                "gp_months": rng.randint(14, 120),
            }
        raise ValueError(kind)

    # ---------------------------------------------------------------- legality (construction)
    def violations(self, doctor_id: str, shift: _Shift, *, ignore: _Shift | None = None) -> list[str]:
        """Why `doctor_id` may not take `shift` now; empty when legal (with the 9 h margin)."""
        doc = self.docs[doctor_id]
        out = []
        if shift.id in self.holder:
            out.append("R-PROC-7")
        if shift.kind == "backup" and not doc.qualified:
            out.append("R-QUAL-2")
        if any(a <= d <= b for d in shift.dates() for a, b in doc.blocked):
            out.append("absent")
        if doc.window is not None and not all(doc.window[0] <= d <= doc.window[1] for d in shift.dates()):
            out.append("window")
        for h in doc.holdings:
            if h is ignore:
                continue
            if shift.start < h.end and h.start < shift.end:
                out.append("R-REST-1")  # overlap
                break
            gap = shift.start - h.end if shift.start >= h.end else h.start - shift.end
            if gap < _REST:
                out.append("R-REST-1")
                break
        return out

    def take(self, doctor_id: str, shift: _Shift) -> None:
        assert not self.violations(doctor_id, shift), (doctor_id, shift.id)
        self.holder[shift.id] = doctor_id
        self.docs[doctor_id].holdings.append(shift)

    def choose(self, doctor_id: str, weights: dict[str, int]) -> _Shift | None:
        cands = [s for s in self.shifts
                 if s.id not in self.holder and weights.get(s.name, 0) > 0
                 and not self.violations(doctor_id, s)]
        if not cands:
            return None
        return self.rng.choices(cands, weights=[weights[s.name] for s in cands])[0]

    def mark_illegal(self, action: dict[str, str], rule: str) -> dict[str, str]:
        self.illegal.append((action, rule))
        return action

    # ---------------------------------------------------------------- doctors
    def add_doctor(self, rec: dict[str, Any], *, window: tuple[date, date] | None = None,
                   volunteer: bool = False) -> None:
        qualified = independently_qualified(rec["qualification"], self.start)
        assert qualified == independently_qualified(rec["qualification"], self.end)
        blocked = [(date.fromisoformat(a["from"]), date.fromisoformat(a["to"])) for a in rec["absences"]]
        if not volunteer:  # exempt doctors stay away from their exempt dates unless they volunteer
            for ex in rec["exemptions"]:
                if ex["granted"]:
                    to = date.fromisoformat(ex["to"]) if ex["to"] else date.max
                    blocked.append((date.fromisoformat(ex["from"]), to))
        self.docs[rec["id"]] = _Doctor(rec["id"], rec["role"], qualified, blocked, window)
        self.records.append(rec)

    def person(self, doc_id: str, role: str, municipality: str, domain: str, birth: date,
               female: bool, qual: dict[str, Any]) -> dict[str, Any]:
        first, last = self.name(female)
        return {
            "id": doc_id,
            "name": f"{first} {last}",
            "role": role,
            "municipality": municipality,
            "birth_date": birth.isoformat(),
            "mobile": self.mobile(),
            "email": f"{_slug(first)}.{_slug(last)}@{domain}",
            "qualification": qual,
            "exemptions": [],
            "absences": [],
            "meeting_absence": None,
        }

    def absence_block(self) -> dict[str, str]:
        rng = self.rng
        if rng.random() < 0.65:
            weeks = rng.choice([1, 1, 2])
            start = self.monday_between(1, 24 - weeks)
            return {"from": start.isoformat(), "to": (start + timedelta(days=7 * weeks - 1)).isoformat(),
                    "reason": "vacation"}
        start = self.monday_between(1, 23) + timedelta(days=rng.choice([0, 0, 1, 2]))
        days = rng.choice([3, 5, 5, 7])
        return {"from": start.isoformat(), "to": (start + timedelta(days=days - 1)).isoformat(), "reason": "course"}

    # ---------------------------------------------------------------- the whole document
    def build(self) -> dict[str, Any]:
        rng = self.rng
        gp_ids: list[str] = []
        gp_muni: dict[str, tuple[str, str]] = {}
        for prefix, muni, n, domain in MUNICIPALITIES:
            for i in range(1, n + 1):
                gp_ids.append(f"{prefix}{i:02d}")
                gp_muni[gp_ids[-1]] = (muni, domain)

        # --- who is special (disjoint groups, drawn from the sorted id list)
        pool = list(gp_ids)
        rng.shuffle(pool)

        def draw(n: int) -> list[str]:
            taken, pool[:] = pool[:n], pool[n:]
            return sorted(taken, key=gp_ids.index)

        over60 = draw(4)
        volunteers = over60[:2]  # may still volunteer for shifts (R-EX-4)
        pregnant = draw(2)  # pregnant[0]: exempt at the start, then parental leave with a stand-in
        nursing = draw(1)[0]
        health_granted = draw(1)[0]
        health_denied = draw(1)[0]
        not_qualified = draw(8)
        leave_gps = [pregnant[0], *draw(3)]
        # the rest are ordinary; meeting attendance groups may include not-qualified GPs
        rest = pool + not_qualified[:3]
        rng.shuffle(rest)
        valid_absent = sorted(rest[:5], key=gp_ids.index)
        unexcused = sorted(rest[5:7], key=gp_ids.index)
        for g in rest[:17]:
            if g in pool:
                pool.remove(g)
        nq_pickers = [g for g in not_qualified if g not in rest[:17]]
        ordinary = sorted(pool, key=gp_ids.index)

        # --- GP records
        leave_windows: dict[str, tuple[date, date]] = {}
        for g in leave_gps[1:]:
            start = self.monday_between(3, 14)
            leave_windows[g] = (start, start + timedelta(weeks=rng.randint(6, 10), days=-1))
        leave_windows[pregnant[0]] = (date(2027, 2, 15), self.end)

        absent_gps = list(gp_ids)
        for g in [*leave_gps, health_granted, *over60[2:]]:
            absent_gps.remove(g)
        absent_gps = sorted(rng.sample(absent_gps, 12), key=gp_ids.index)

        for g in gp_ids:
            muni, domain = gp_muni[g]
            female = rng.random() < 0.55
            if g in over60:
                birth = self.rand_date(1958, 1966)
                kind = "specialist"
            elif g == health_granted:
                birth, kind = self.rand_date(1967, 1971), "specialist"
            elif g in pregnant or g == nursing:
                female, birth, kind = True, self.rand_date(1987, 1994), "experienced"
                if g == pregnant[1]:
                    kind = "specialist"
                    birth = self.rand_date(1985, 1989)
            elif g in not_qualified:
                idx = not_qualified.index(g)
                if idx % 3 == 2:
                    birth, kind = self.rand_date(1978, 1990), "no_violence"
                else:
                    birth, kind = self.rand_date(1992, 1997), "junior"
            else:
                birth = self.rand_date(1968, 1993)
                kind = "specialist" if birth.year <= 1987 or rng.random() < 0.3 else "experienced"
            rec = self.person(g, "gp", muni, domain, birth, female, self.qualification(birth, kind))
            ex = rec["exemptions"]
            if g in over60:
                sixty = birth.replace(year=birth.year + 60)
                ex.append({"reason": "age_over_60", "from": sixty.isoformat(), "to": None, "granted": True})
            elif g == pregnant[0]:
                ex.append({"reason": "pregnancy", "from": "2026-11-16", "to": "2027-02-14", "granted": True})
            elif g == pregnant[1]:
                ex.append({"reason": "pregnancy", "from": "2027-04-05", "to": "2027-07-04", "granted": True})
            elif g == nursing:
                ex.append({"reason": "breastfeeding", "from": "2026-09-01", "to": "2027-05-09", "granted": True})
            elif g == health_granted:
                ex.append({"reason": "health", "from": "2027-01-04", "to": "2027-12-31", "granted": True,
                           "decided_by": "legevaktsjef", "decided_at": "2026-10-28"})  # R-EX-2
            elif g == health_denied:
                ex.append({"reason": "health", "from": "2027-01-04", "to": "2027-06-27", "granted": False,
                           "decided_by": "legevaktsjef", "decided_at": "2026-10-28"})
            if g in leave_windows:
                a, b = leave_windows[g]
                rec["absences"].append({"from": a.isoformat(), "to": b.isoformat(), "reason": "leave"})
            if g in absent_gps:
                rec["absences"].append(self.absence_block())
            if g in valid_absent:
                rec["meeting_absence"] = _VALID_MEETING_ABSENCES[valid_absent.index(g)]
            elif g in unexcused:
                rec["meeting_absence"] = "unexcused"
            self.add_doctor(rec, volunteer=g in volunteers)

        # --- substitutes: four stand-ins for the GPs on leave, six free-lancers
        nq_subs = sorted(rng.sample(range(1, N_SUBSTITUTES + 1), 3))
        sub_absent = sorted(rng.sample(range(len(leave_gps) + 1, N_SUBSTITUTES + 1), 2))
        for i in range(1, N_SUBSTITUTES + 1):
            sid = f"sub{i:02d}"
            if i in nq_subs:
                birth, kind = self.rand_date(1994, 1998), ("junior" if i != nq_subs[-1] else "no_violence")
            else:
                birth = self.rand_date(1960, 1992)
                kind = "specialist" if birth.year <= 1984 else "experienced"
            window = None
            if i <= len(leave_gps):
                gp = leave_gps[i - 1]
                muni = gp_muni[gp][0]
            else:
                gp, muni = None, rng.choice([m[1] for m in MUNICIPALITIES])
            rec = self.person(sid, "substitute", muni, "vikar.example.no", birth, rng.random() < 0.5,
                              self.qualification(birth, kind))
            if gp is not None:
                a, b = leave_windows[gp]
                window = (a, b)
                rec["substitute_for"] = gp
                rec["substitute_from"] = a.isoformat()
                rec["substitute_to"] = b.isoformat()
            if i in sub_absent:
                rec["absences"].append(self.absence_block())
            self.add_doctor(rec, window=window)

        # --- staff doctors of the clinic
        staff = [f"st{i:02d}" for i in range(1, N_STAFF + 1)]
        for i, sid in enumerate(staff):
            birth = self.rand_date(1965, 1988)
            rec = self.person(sid, "staff", "Moss", "mosse-legevakt.example.no", birth, rng.random() < 0.5,
                              self.qualification(birth, "specialist"))
            if i == 1:
                rec["absences"].append(self.absence_block())
            self.add_doctor(rec)

        staff_assignments = self.staff_nights(staff)
        advance = self.advance_wishes(valid_absent, ordinary)
        pickers = [*ordinary, *nq_pickers, *volunteers, *leave_gps[1:], health_denied, pregnant[1], nursing]
        pickers = [g for g in gp_ids if g in pickers]  # district order
        low = sorted(rng.sample([g for g in pickers if g not in volunteers and g != nursing], 8), key=gp_ids.index)
        picks = self.meeting(pickers, low, volunteers, nursing)
        claims = self.offering(staff, pickers, low)

        doc = {
            "format": FORMAT,
            "district": json.loads(json.dumps(DISTRICT)),
            "period": dict(PERIOD),
            "shift_template": json.loads(json.dumps(SHIFT_TEMPLATE)),
            "doctors": self.records,
            "staff_assignments": staff_assignments,
            "advance_wishes": advance,
            "meeting_picks": picks,
            "claims": claims,
            "lottery_seed": LOTTERY_SEED,
        }
        for section in ("advance_wishes", "meeting_picks", "claims"):
            for i, action in enumerate(doc[section]):
                for obj, rule in self.illegal:
                    if obj is action:
                        self.expected.append({"section": section, "index": i, "action": dict(action), "rule": rule})
        assert len(self.expected) == len(self.illegal)
        return doc

    # ---------------------------------------------------------------- phases
    def staff_nights(self, staff: list[str]) -> list[dict[str, str]]:
        rng = self.rng
        nights = [s for s in self.shifts if s.name == "night"]
        weekend = [s for s in nights if s.day.weekday() in (4, 5)]  # Friday and Saturday nights
        weekday = [s for s in nights if s.day.weekday() not in (4, 5)]
        chosen = rng.sample(weekend, len(weekend) - 4) + rng.sample(weekday, 54)
        chosen.sort(key=lambda s: s.start)
        out = []
        for s in chosen:
            ok = [d for d in staff if not self.violations(d, s)]
            if not ok:
                continue
            fewest = min(len(self.docs[d].holdings) for d in ok)
            d = rng.choice([d for d in ok if len(self.docs[d].holdings) == fewest])
            self.take(d, s)
            out.append({"shift": s.id, "doctor": d})
        return out

    def advance_wishes(self, valid_absent: list[str], attending: list[str]) -> list[dict[str, str]]:
        rng = self.rng
        out: list[dict[str, str]] = []
        for g in valid_absent:
            for _ in range(rng.randint(3, 8)):
                s = self.choose(g, _PICK_WEIGHTS)
                if s is not None:
                    self.take(g, s)
                    out.append({"doctor": g, "shift": s.id})
        # illegal 1: a wish in advance from a GP who attends the meeting (R-MEET-2)
        g = rng.choice(attending)
        s = self.choose(g, {"evening": 1})
        assert s is not None
        out.insert(rng.randint(3, 8), self.mark_illegal({"doctor": g, "shift": s.id}, "R-MEET-2"))
        # illegal 2: a wish for a night the staff already holds (R-PROC-7)
        g = rng.choice(valid_absent)
        staff_nights = [s for s in self.shifts
                        if s.name == "night" and self.holder.get(s.id, "").startswith("st")
                        and self.violations(g, s) == ["R-PROC-7"]]
        s = rng.choice(staff_nights)
        out.insert(len(out) - rng.randint(2, 6), self.mark_illegal({"doctor": g, "shift": s.id}, "R-PROC-7"))
        return out

    def meeting(self, pickers: list[str], low: list[str], volunteers: list[str], nursing: str) -> list[dict[str, str]]:
        rng = self.rng
        non_staff = sum(1 for s in self.shifts if s.id not in self.holder or not self.holder[s.id].startswith("st"))
        target_total = round(0.585 * non_staff)
        targets: dict[str, int] = {}
        for g in pickers:
            if g in volunteers:
                targets[g] = rng.randint(2, 3)
            elif g == nursing:
                targets[g] = 2
            elif g in low:
                targets[g] = rng.randint(1, 4)
            else:
                targets[g] = rng.randint(6, 11)
        eager = [g for g in pickers if g not in low and g not in volunteers and g != nursing]
        while sum(targets.values()) != target_total:
            g = rng.choice(eager)
            if sum(targets.values()) < target_total and targets[g] < 12:
                targets[g] += 1
            elif sum(targets.values()) > target_total and targets[g] > 6:
                targets[g] -= 1

        picks: list[dict[str, str]] = []
        n_legal = 0
        plan = ["unknown_doctor", "qual_backup", "rest_evening_night", "already_picked", "not_in_period_saturday",
                "rest_day_night", "qual_backup_day", "not_in_period_after_end", "staff_held"]
        thresholds = [round(target_total * f) for f in (0.05, 0.15, 0.26, 0.37, 0.48, 0.59, 0.70, 0.81, 0.91)]

        def pick(g: str, s: _Shift) -> None:
            nonlocal n_legal
            self.take(g, s)
            picks.append({"doctor": g, "shift": s.id})
            n_legal += 1
            targets[g] -= 1

        def inject(kind: str) -> None:
            qualified_pickers = [g for g in pickers if self.docs[g].qualified]
            nq = [g for g in pickers if not self.docs[g].qualified]
            if kind == "unknown_doctor":
                n_moss = next(n for p, _, n, _ in MUNICIPALITIES if p == "moss")
                unknown = f"moss{n_moss + 1:02d}"
                assert unknown not in self.docs
                s = rng.choice([s for s in self.shifts if s.id not in self.holder and s.name == "evening"])
                picks.append(self.mark_illegal({"doctor": unknown, "shift": s.id}, "R-PROC-7"))
            elif kind in ("qual_backup", "qual_backup_day"):
                name = "backup" if kind == "qual_backup" else "backup-day"
                for g in rng.sample(nq, len(nq)):
                    cands = [s for s in self.shifts if s.name == name and self.violations(g, s) == ["R-QUAL-2"]]
                    if cands:
                        s = rng.choice(cands)
                        picks.append(self.mark_illegal({"doctor": g, "shift": s.id}, "R-QUAL-2"))
                        return
                raise AssertionError(kind)
            elif kind in ("rest_evening_night", "rest_day_night"):
                first_name = "evening" if kind == "rest_evening_night" else "day"
                order = sorted(pickers, key=lambda g: (-targets[g], rng.random()))
                for g in order:
                    pairs = []
                    for s in self.shifts:
                        night = self.by_id.get(f"{s.day.isoformat()}/night")
                        if (s.name == first_name and night and not self.violations(g, s)
                                and not self.violations(g, night)):
                            pairs.append((s, night))
                    if pairs:
                        first, night = rng.choice(pairs)
                        pick(g, first)
                        assert self.violations(g, night) == ["R-REST-1"]
                        picks.append(self.mark_illegal({"doctor": g, "shift": night.id}, "R-REST-1"))
                        return
                raise AssertionError(kind)
            elif kind in ("already_picked", "staff_held"):
                for g in rng.sample(qualified_pickers, len(qualified_pickers)):
                    if kind == "already_picked":
                        held = [self.by_id[p["shift"]] for p in picks if p["shift"] in self.holder
                                and self.holder[p["shift"]] == p["doctor"] and p["doctor"] != g]
                    else:
                        held = [s for s in self.shifts if self.holder.get(s.id, "").startswith("st")]
                    cands = [s for s in held if self.violations(g, s) == ["R-PROC-7"]]
                    if cands:
                        s = rng.choice(cands)
                        picks.append(self.mark_illegal({"doctor": g, "shift": s.id}, "R-PROC-7"))
                        return
                raise AssertionError(kind)
            elif kind == "not_in_period_saturday":
                saturdays = [s.day for s in self.shifts if s.name == "day" and s.day.weekday() == 5]
                bogus = f"{rng.choice(saturdays).isoformat()}/evening"  # no evening shift on Saturdays
                assert bogus not in self.by_id
                picks.append(self.mark_illegal({"doctor": rng.choice(pickers), "shift": bogus}, "R-PROC-7"))
            elif kind == "not_in_period_after_end":
                bogus = f"{(self.end + timedelta(days=1)).isoformat()}/evening"
                assert bogus not in self.by_id
                picks.append(self.mark_illegal({"doctor": rng.choice(pickers), "shift": bogus}, "R-PROC-7"))
            else:
                raise ValueError(kind)

        order = rng.sample(pickers, len(pickers))
        rnd = 0
        while any(t > 0 for t in targets.values()):
            progress = False
            rotated = order[rnd % len(order):] + order[: rnd % len(order)]
            for g in rotated:
                for _ in range(min(targets[g], rng.randint(1, 3 if rnd == 0 else 2))):
                    weights = dict(_PICK_WEIGHTS)
                    if rnd >= 2:  # the popular shifts are gone; people settle for nights and backups
                        weights["night"] = 3
                    s = self.choose(g, weights)
                    if s is None:
                        targets[g] = 0
                        break
                    pick(g, s)
                    progress = True
                    while plan and n_legal >= thresholds[0]:
                        thresholds.pop(0)
                        inject(plan.pop(0))
            rnd += 1
            if not progress:
                break
        while plan:
            inject(plan.pop(0))
        return picks

    def offering(self, staff: list[str], pickers: list[str], low: list[str]) -> list[dict[str, str]]:
        rng = self.rng
        subs = [d for d in self.docs if self.docs[d].role == "substitute"]
        gps = sorted(rng.sample([g for g in pickers if self.docs[g].qualified], 4), key=pickers.index)
        remaining: dict[str, int] = {}
        for d in subs:
            remaining[d] = rng.randint(6, 10) if self.docs[d].qualified else rng.randint(3, 5)
        for g in gps:
            remaining[g] = rng.randint(1, 3)
        target = 63
        keys = list(remaining)
        while sum(remaining.values()) != target:
            d = rng.choice(subs)
            if sum(remaining.values()) < target and remaining[d] < 11:
                remaining[d] += 1
            elif sum(remaining.values()) > target and remaining[d] > 2:
                remaining[d] -= 1
        claims: list[dict[str, str]] = []
        n_legal = 0
        plan = ["already_held", "nq_backup"]
        thresholds = [target // 3, (2 * target) // 3]
        while any(remaining.values()):
            live = [d for d in keys if remaining[d] > 0]
            d = rng.choices(live, weights=[remaining[x] for x in live])[0]
            s = self.choose(d, _CLAIM_WEIGHTS)
            if s is None:
                remaining[d] = 0
                continue
            self.take(d, s)
            claims.append({"doctor": d, "shift": s.id})
            remaining[d] -= 1
            n_legal += 1
            if plan and n_legal >= thresholds[0]:
                thresholds.pop(0)
                kind = plan.pop(0)
                if kind == "already_held":
                    for c in rng.sample(subs, len(subs)):
                        held = [x for x in self.shifts if x.id in self.holder and not self.holder[x.id].startswith("st")
                                and self.violations(c, x) == ["R-PROC-7"]]
                        if held and self.docs[c].qualified:
                            x = rng.choice(held)
                            claims.append(self.mark_illegal({"doctor": c, "shift": x.id}, "R-PROC-7"))
                            break
                    else:
                        raise AssertionError(kind)
                else:
                    for c in rng.sample(subs, len(subs)):
                        cands = [x for x in self.shifts if x.kind == "backup" and self.violations(c, x) == ["R-QUAL-2"]]
                        if cands:
                            claims.append(self.mark_illegal({"doctor": c, "shift": rng.choice(cands).id}, "R-QUAL-2"))
                            break
                    else:
                        raise AssertionError(kind)
        return claims


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------
def _build(seed: int) -> _Builder:
    b = _Builder(seed)
    b.doc = b.build()
    return b


def build_sample_scenario(seed: int = 2027) -> dict[str, Any]:
    """The sample scenario document (format 1). Pure and deterministic in `seed`."""
    return _build(seed).doc


def expected_rejections(seed: int = 2027) -> list[dict[str, Any]]:
    """The deliberately illegal actions of the sample, in processing order, with the rule each
    should trigger: `{"section": "meeting_picks", "index": 12, "action": {...}, "rule": "R-QUAL-2"}`."""
    return _build(seed).expected


def render_sample(seed: int = 2027) -> str:
    """The scenario as the bundled file's text (UTF-8, indent 1, trailing newline)."""
    return json.dumps(build_sample_scenario(seed), ensure_ascii=False, indent=1) + "\n"


def write_sample(path: str | Path = SAMPLE_PATH, seed: int = 2027) -> Path:
    """Write the sample scenario to `path` and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_sample(seed), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_sample(sys.argv[1] if len(sys.argv) > 1 else SAMPLE_PATH))
