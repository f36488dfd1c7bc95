"""Generated districts of any size, for the exact-reference tests, the benchmarks and simulations.

`generate_district(doctors=…, stations=…, start=…, days=…, seed=…)` returns a scenario document
of format 1 (docs/scenario-format.md) that `domain.scenario.parse_scenario` accepts: GPs,
substitutes (some standing in for a GP on leave, R-EX-5) and staff doctors; qualifications
(R-QUAL-1, some becoming qualified during the period, R-QUAL-4), exemptions (R-EX-1/R-EX-2),
absences, meeting attendance (R-MEET-1); one copy of the usual shift template per station
(template names `s3-evening` …, plain `evening` … with one station); staff entries, advance
wishes, meeting picks and offering claims; and a lottery seed.

The scripted actions are built by a small simulation that keeps its own roster, so they are
legal by construction: rest is kept with one hour of margin (which survives the short DST
night), absences and exempt dates are avoided, backups go to qualified doctors only. The
engine may still reject a few (for instance an advance wish beyond what a doctor may hold), so
"mostly legal", not "all legal".

Pure and deterministic: only `random.Random(seed)`, never the global generator, never an
iteration over a set; the same arguments give the same document, byte for byte.

    python -m tools.district_generator --doctors 1000 --stations 8 --days 365 --seed 1 -o FILE
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import random
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

FORMAT = 1
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# One station's template: the example scenario's (docs/scenario-format.md). Every duty shift is
# covered by a backup (R-QUAL-3), so not-qualified doctors may take any duty shift.
STATION_TEMPLATE: tuple[dict[str, Any], ...] = (
    {"name": "evening", "kind": "duty", "days": ["mon", "tue", "wed", "thu", "fri"], "start": "16:00", "end": "23:00"},
    {"name": "day", "kind": "duty", "days": ["sat", "sun"], "start": "08:00", "end": "16:00"},
    {"name": "night", "kind": "duty", "days": "all", "start": "23:00", "end": "08:00"},
    {"name": "backup", "kind": "backup", "days": "all", "start": "16:00", "end": "08:00"},
    {"name": "backup-day", "kind": "backup", "days": ["sat", "sun"], "start": "08:00", "end": "16:00"},
)
# What doctors like to pick at the meeting, and to claim on the offering board (relative odds).
PICK_ODDS = {"evening": 8, "day": 7, "backup-day": 3, "backup": 3, "night": 1}
CLAIM_ODDS = {"evening": 2, "day": 2, "backup-day": 2, "backup": 3, "night": 4}
VALID_MEETING_ABSENCES = ("illness", "vacation", "course", "on_duty", "approved_other")


@dataclass(frozen=True)
class _Shift:
    id: str
    day: date
    base: str  # template name without the station prefix
    kind: str
    start: datetime  # naive local wall clock; the rest margin absorbs the DST hour
    end: datetime


@dataclass
class _Doctor:
    id: str
    role: str
    qualification: dict[str, Any]
    blocked: list[tuple[date, date]] = field(default_factory=list)  # absent or exempt: no actions
    window: tuple[date, date] | None = None  # a stand-in acts only inside the stand-in dates
    starts: list[datetime] = field(default_factory=list)  # held shifts, sorted by start
    held: list[_Shift] = field(default_factory=list)  # same order as `starts`


def qualified_on(q: dict[str, Any], day: date) -> bool:
    """R-QUAL-1 (a) or (b), judged on `day` (R-QUAL-4), as the generator understands it."""

    def has(key: str) -> bool:
        return q.get(key) is not None and date.fromisoformat(q[key]) <= day

    a = has("specialist_gp") and has("violence_course")
    b = (q["clinical_months"] >= 30 and (q["duty_shifts_done"] >= 40 or q["gp_months"] >= 12)
         and has("acute_course") and has("violence_course"))
    return a or b


class _Generator:
    def __init__(self, *, doctors: int, stations: int, start: date, days: int, seed: int, opts: dict[str, Any]):
        if doctors < 3:
            raise ValueError("a district needs at least 3 doctors")
        if stations < 1 or days < 1:
            raise ValueError("stations and days must be at least 1")
        self.rng = random.Random(seed)
        self.n_doctors, self.stations, self.start, self.days, self.opts = doctors, stations, start, days, opts
        self.end = start + timedelta(days=days - 1)
        self.rest = timedelta(hours=opts["min_rest_hours"] + 1)  # one hour of margin (DST)
        self.template = self._template()
        self.shifts = self._shifts()
        self.holder: dict[str, str] = {}
        self.docs: dict[str, _Doctor] = {}
        self.records: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ calendar
    def _template(self) -> list[dict[str, Any]]:
        out = []
        for n in range(1, self.stations + 1):
            for t in STATION_TEMPLATE:
                name = t["name"] if self.stations == 1 else f"s{n}-{t['name']}"
                out.append({**t, "name": name, "days": t["days"] if t["days"] == "all" else list(t["days"])})
        return out

    def _shifts(self) -> list[_Shift]:
        out = []
        for i in range(self.days):
            day = self.start + timedelta(days=i)
            for t in self.template:
                if t["days"] != "all" and WEEKDAYS[day.weekday()] not in t["days"]:
                    continue
                h1, m1 = map(int, t["start"].split(":"))
                h2, m2 = map(int, t["end"].split(":"))
                begin = datetime.combine(day, time(h1, m1))
                finish = datetime.combine(day + timedelta(days=1) if (h2, m2) <= (h1, m1) else day, time(h2, m2))
                base = t["name"].split("-", 1)[1] if self.stations > 1 else t["name"]
                out.append(_Shift(f"{day.isoformat()}/{t['name']}", day, base, t["kind"], begin, finish))
        out.sort(key=lambda s: (s.start, s.id))
        return out

    # ------------------------------------------------------------------ legality (construction)
    def legal(self, doctor_id: str, s: _Shift) -> bool:
        """May `doctor_id` take `s` now: free, qualified (R-QUAL-2), not blocked, rest kept (R-REST-1)."""
        d = self.docs[doctor_id]
        if s.id in self.holder:
            return False
        if s.kind == "backup" and not qualified_on(d.qualification, s.day):
            return False
        last = s.end.date() if s.end.time() > time(0) else s.day
        for a, b in d.blocked:
            if a <= last and s.day <= b:
                return False
        if d.window is not None and not (d.window[0] <= s.day and last <= d.window[1]):
            return False
        i = bisect.bisect_left(d.starts, s.start)
        for j in (i - 2, i - 1, i, i + 1):
            if 0 <= j < len(d.held):
                h = d.held[j]
                if s.start < h.end + self.rest and h.start < s.end + self.rest:
                    return False
        return True

    def take(self, doctor_id: str, s: _Shift) -> None:
        d = self.docs[doctor_id]
        i = bisect.bisect_left(d.starts, s.start)
        d.starts.insert(i, s.start)
        d.held.insert(i, s)
        self.holder[s.id] = doctor_id

    def choose(self, doctor_id: str, free: list[_Shift], odds: dict[str, int], tries: int = 40) -> _Shift | None:
        """A random free shift the doctor may take, favouring the kinds in `odds` (rejection sampling)."""
        top = max(odds.values())
        for _ in range(tries):
            if not free:
                return None
            s = free[self.rng.randrange(len(free))]
            if s.id in self.holder:
                continue
            if self.rng.random() * top >= odds.get(s.base, 0):
                continue
            if self.legal(doctor_id, s):
                return s
        return None

    # ------------------------------------------------------------------ people
    def rand_day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def qualification(self, qualified: bool, birth: date) -> dict[str, Any]:
        rng = self.rng
        grad = birth.year + rng.randint(25, 28)
        if qualified:  # R-QUAL-1 (a)
            spec = date(min(grad + rng.randint(6, 10), self.start.year - 1), rng.randint(1, 12), rng.randint(1, 28))
            course = date(min(grad + 2, self.start.year - 1), rng.randint(1, 12), rng.randint(1, 28))
            return {"specialist_gp": spec.isoformat(), "violence_course": course.isoformat(),
                    "acute_course": course.isoformat(), "clinical_months": rng.randint(72, 300),
                    "duty_shifts_done": rng.randint(120, 600), "gp_months": rng.randint(60, 240)}
        if rng.random() < self.opts["qualifying_share"]:
            # R-QUAL-4: experienced enough, the violence/abuse course falls inside the period.
            during = self.rand_day(self.start + timedelta(days=1), self.end)
            return {"specialist_gp": None, "violence_course": during.isoformat(),
                    "acute_course": date(self.start.year - 1, 3, 1).isoformat(), "clinical_months": rng.randint(31, 60),
                    "duty_shifts_done": rng.randint(40, 90), "gp_months": rng.randint(12, 30)}
        return {"specialist_gp": None, "violence_course": None,
                "acute_course": date(self.start.year - 1, 3, 1).isoformat() if rng.random() < 0.6 else None,
                "clinical_months": rng.randint(6, 26), "duty_shifts_done": rng.randint(0, 36),
                "gp_months": rng.randint(1, 11)}

    def record(self, doc_id: str, role: str, birth: date, qual: dict[str, Any], index: int) -> dict[str, Any]:
        return {
            "id": doc_id,
            "name": f"Lege {doc_id}",
            "role": role,
            "birth_date": birth.isoformat(),
            "mobile": f"+479{index:07d}",
            "email": f"{doc_id}@legekontor.example.no",
            "qualification": qual,
            "exemptions": [],
            "absences": [],
            "meeting_absence": None,
        }

    def absences(self) -> list[dict[str, str]]:
        """Absence blocks: about one per 13 weeks, 3-21 days (heavier with a higher absence_length)."""
        rng = self.rng
        out: list[dict[str, str]] = []
        blocks = max(1, round(self.days / 91 * rng.uniform(0.6, 1.6)))
        for _ in range(blocks):
            length = max(1, round(rng.choice([3, 5, 7, 7, 14, 21]) * self.opts["absence_length"]))
            first = self.rand_day(self.start - timedelta(days=5), self.end)
            last = first + timedelta(days=length - 1)
            out.append({"from": first.isoformat(), "to": last.isoformat(),
                        "reason": rng.choice(["vacation", "vacation", "course", "illness"])})
        return out

    def add(self, rec: dict[str, Any], *, window: tuple[date, date] | None = None) -> None:
        blocked = [(date.fromisoformat(a["from"]), date.fromisoformat(a["to"])) for a in rec["absences"]]
        for ex in rec["exemptions"]:
            if ex["granted"] or ex["reason"] in ("age_over_60", "pregnancy", "breastfeeding"):
                blocked.append((date.fromisoformat(ex["from"]), date.fromisoformat(ex["to"]) if ex["to"] else date.max))
        self.docs[rec["id"]] = _Doctor(rec["id"], rec["role"], rec["qualification"], blocked, window)
        self.records.append(rec)

    def people(self) -> tuple[list[str], list[str], list[str]]:
        rng, o = self.rng, self.opts
        n_staff = o["staff"] if o["staff"] is not None else max(0, round(self.n_doctors * o["staff_share"]))
        n_subs = o["substitutes"] if o["substitutes"] is not None else round(self.n_doctors * o["substitute_share"])
        n_gp = self.n_doctors - n_staff - n_subs
        if n_gp < 2:
            raise ValueError("too few GPs left after substitutes and staff")
        width = max(2, len(str(max(n_gp, n_subs, n_staff))))
        gp_ids = [f"gp{i:0{width}d}" for i in range(1, n_gp + 1)]
        index = 0
        leaves: list[tuple[str, date, date]] = []
        for g in gp_ids:
            index += 1
            qualified = rng.random() < o["qualified_share"]
            birth = date(self.start.year - rng.randint(30, 58), rng.randint(1, 12), rng.randint(1, 28))
            rec = self.record(g, "gp", birth, self.qualification(qualified, birth), index)
            roll = rng.random()
            if roll < o["exemption_rate"]:
                kind = rng.choice(["age", "pregnancy", "health", "health_denied"])
                if kind == "age":  # R-EX-1 by right from the 60th birthday, permanent
                    birth = date(self.start.year - rng.randint(60, 64), rng.randint(1, 12), rng.randint(1, 28))
                    rec["birth_date"] = birth.isoformat()
                    rec["qualification"] = self.qualification(True, birth)
                    rec["exemptions"].append({"reason": "age_over_60", "from": self.start.isoformat(), "to": None,
                                              "granted": True})
                elif kind == "pregnancy":  # R-EX-1: the last three months, part of the period
                    first = self.rand_day(self.start - timedelta(days=30), self.end)
                    rec["exemptions"].append({"reason": "pregnancy", "from": first.isoformat(),
                                              "to": (first + timedelta(days=90)).isoformat(), "granted": True})
                else:  # R-EX-2: decided by the clinic, granted or not
                    first = self.rand_day(self.start, self.end)
                    rec["exemptions"].append({
                        "reason": "health", "from": first.isoformat(),
                        "to": (first + timedelta(days=rng.randint(14, 120))).isoformat(),
                        "granted": kind == "health", "decided_by": "legevaktsjef",
                        "decided_at": (self.start - timedelta(days=60)).isoformat()})
            if rng.random() < o["absence_rate"]:
                rec["absences"].extend(self.absences())
            if rng.random() < o["stand_in_rate"] and len(leaves) < n_subs:
                first = self.rand_day(self.start, self.end - timedelta(days=min(self.days - 1, 28)))
                last = min(self.end, first + timedelta(days=rng.randint(28, 90)))
                rec["absences"].append({"from": first.isoformat(), "to": last.isoformat(), "reason": "leave"})
                leaves.append((g, first, last))
            roll = rng.random()
            if roll < o["valid_absence_rate"]:
                rec["meeting_absence"] = rng.choice(VALID_MEETING_ABSENCES)
            elif roll < o["valid_absence_rate"] + o["unexcused_rate"]:
                rec["meeting_absence"] = "unexcused"
            self.add(rec)
        sub_ids = [f"sub{i:0{width}d}" for i in range(1, n_subs + 1)]
        for i, sid in enumerate(sub_ids):
            index += 1
            birth = date(self.start.year - rng.randint(28, 60), rng.randint(1, 12), rng.randint(1, 28))
            rec = self.record(sid, "substitute", birth, self.qualification(rng.random() < o["qualified_share"], birth),
                              index)
            window = None
            if i < len(leaves):  # R-EX-5: stands in for a GP on leave
                gp, first, last = leaves[i]
                rec["substitute_for"], rec["substitute_from"], rec["substitute_to"] = gp, first.isoformat(), last.isoformat()
                window = (first, last)
            elif rng.random() < o["absence_rate"] / 2:
                rec["absences"].extend(self.absences())
            self.add(rec, window=window)
        staff_ids = [f"st{i:0{width}d}" for i in range(1, n_staff + 1)]
        for sid in staff_ids:
            index += 1
            birth = date(self.start.year - rng.randint(30, 60), rng.randint(1, 12), rng.randint(1, 28))
            self.add(self.record(sid, "staff", birth, self.qualification(True, birth), index))
        return gp_ids, sub_ids, staff_ids

    # ------------------------------------------------------------------ phases
    def staff_entries(self, staff_ids: list[str]) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        if not staff_ids:
            return out
        nights = [s for s in self.shifts if s.base == "night" and self.rng.random() < self.opts["staff_night_share"]]
        for k, s in enumerate(nights):
            for j in range(len(staff_ids)):
                d = staff_ids[(k + j) % len(staff_ids)]
                if self.legal(d, s):
                    self.take(d, s)
                    out.append({"shift": s.id, "doctor": d})
                    break
        return out

    def scripted(self, people: list[str], total: int, odds: dict[str, int], rounds_per_person: int) -> list[dict[str, str]]:
        """Round-robin actions: each person takes up to their target, 1-2 shifts a round."""
        rng = self.rng
        if not people or total <= 0:
            return []
        targets = {p: 0 for p in people}
        for _ in range(total):
            targets[people[rng.randrange(len(people))]] += 1
        free = [s for s in self.shifts if s.id not in self.holder]
        out: list[dict[str, str]] = []
        order = list(people)
        rng.shuffle(order)
        for _ in range(rounds_per_person):
            progress = False
            for p in order:
                for _ in range(min(targets[p], rng.randint(1, 2))):
                    s = self.choose(p, free, odds)
                    if s is None:
                        targets[p] = 0
                        break
                    self.take(p, s)
                    out.append({"doctor": p, "shift": s.id})
                    targets[p] -= 1
                    progress = True
            if not progress:
                break
            free = [s for s in free if s.id not in self.holder]
        return out

    def build(self) -> dict[str, Any]:
        rng, o = self.rng, self.opts
        gp_ids, sub_ids, staff_ids = self.people()
        staff = self.staff_entries(staff_ids)
        shared = len(self.shifts) - len(staff)
        participants = max(1, len(gp_ids))
        quota = math.ceil(shared / participants)
        by_id = {r["id"]: r for r in self.records}
        valid_absent = [g for g in gp_ids if by_id[g]["meeting_absence"] in VALID_MEETING_ABSENCES]
        # Advance wishes: most GPs with a valid absence send some (R-MEET-2); the rest are out of the pool.
        wishers = [g for g in valid_absent if rng.random() < 0.7]
        advance = self.scripted(wishers, round(len(wishers) * quota * o["meeting_share"]), PICK_ODDS, 4 * quota)
        attending = [g for g in gp_ids if by_id[g]["meeting_absence"] is None]
        attending += [s for s in sub_ids if self.docs[s].window is not None]
        pickers = [p for p in attending if rng.random() < o["picker_share"]]
        picks = self.scripted(pickers, round(shared * o["meeting_share"]), PICK_ODDS, 4 * quota)
        claimers = [s for s in sub_ids if self.docs[s].window is None]
        claimers += [g for g in gp_ids if rng.random() < 0.05]
        claims = self.scripted(claimers, round(shared * o["claim_share"]), CLAIM_ODDS, 4 * quota)
        district_id = o["district_id"] or f"gen{self.n_doctors}x{self.stations}"
        policy: dict[str, Any] = {"min_rest_hours": o["min_rest_hours"]}
        if o["weights"] is not None:
            policy["weights"] = dict(o["weights"])
        return {
            "format": FORMAT,
            "district": {"id": district_id, "name": f"Generert legevakt ({self.n_doctors} leger, {self.stations} stasjoner)",
                         "timezone": "Europe/Oslo", "policy": policy},
            "period": {
                "id": f"{district_id}-{self.start.isoformat()}",
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
                "wishes_due": f"{(self.start - timedelta(days=40)).isoformat()}T12:00",
                "meeting_at": f"{(self.start - timedelta(days=39)).isoformat()}T18:00",
                "offering_closes": f"{(self.start - timedelta(days=20)).isoformat()}T12:00",
            },
            "shift_template": self.template,
            "doctors": self.records,
            "staff_assignments": staff,
            "advance_wishes": advance,
            "meeting_picks": picks,
            "claims": claims,
            "lottery_seed": rng.randrange(1, 2**31),
        }


DEFAULTS: dict[str, Any] = {
    "qualified_share": 0.7,  # GPs (and substitutes) independently qualified (R-QUAL-1)
    "qualifying_share": 0.1,  # of the not-qualified: qualified from a date inside the period (R-QUAL-4)
    "absence_rate": 0.25,  # doctors with absence blocks
    "absence_length": 1.0,  # factor on the blocks' length
    "exemption_rate": 0.05,  # GPs with an exemption (R-EX-1 / R-EX-2, some denied)
    "stand_in_rate": 0.03,  # GPs on leave with a substitute standing in (R-EX-5)
    "valid_absence_rate": 0.08,  # GPs with a valid absence from the meeting (R-MEET-1)
    "unexcused_rate": 0.03,  # GPs absent from the meeting without a valid reason
    "picker_share": 0.8,  # attending GPs who pick at the meeting; the rest are lottery group (a)
    "meeting_share": 0.5,  # shifts picked at the meeting (thin meeting: 0.1-0.2)
    "claim_share": 0.05,  # shifts claimed in the offering
    "substitute_share": 0.08,
    "staff_share": 0.03,
    "substitutes": None,  # exact counts override the shares
    "staff": None,
    "staff_night_share": 0.15,  # nights pre-entered for staff doctors (R-PROC-2)
    "min_rest_hours": 8,
    "weights": None,  # R-LOAD-2 weight policy, e.g. {"night": 1.5, "weekend": 1.25}
    "district_id": None,
}


def generate_district(*, doctors: int, stations: int = 1, start: date | str = date(2027, 1, 4), days: int = 182,
                      seed: int = 1, **options: Any) -> dict[str, Any]:
    """A scenario document (format 1) for a generated district; see DEFAULTS for the options."""
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise TypeError(f"unknown options: {', '.join(unknown)}")
    opts = {**DEFAULTS, **options}
    first = date.fromisoformat(start) if isinstance(start, str) else start
    return _Generator(doctors=doctors, stations=stations, start=first, days=days, seed=seed, opts=opts).build()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a generated district scenario (format 1).")
    parser.add_argument("--doctors", type=int, required=True)
    parser.add_argument("--stations", type=int, default=1)
    parser.add_argument("--days", type=int, default=182)
    parser.add_argument("--start", default="2027-01-04")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--qualified-share", type=float, default=DEFAULTS["qualified_share"])
    parser.add_argument("--absence-rate", type=float, default=DEFAULTS["absence_rate"])
    parser.add_argument("--meeting-share", type=float, default=DEFAULTS["meeting_share"])
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    doc = generate_district(doctors=args.doctors, stations=args.stations, start=args.start, days=args.days,
                            seed=args.seed, qualified_share=args.qualified_share, absence_rate=args.absence_rate,
                            meeting_share=args.meeting_share)
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(args.output, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
