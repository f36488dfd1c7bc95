"""The lottery's input as bitsets: who may be drawn for which open shift on the static rules.

Built once from the period's state just before the lottery. Doctors are numbered by their id in
sorted (code point) order over *every* doctor of the period, and a set of doctors is a Python
int whose bit i stands for doctor i. The same numbering is used in the recorded events
(`domain.lottery.record`), so anyone with the period's doctor list can read them.

Static eligibility `eligible[k]` of open shift k is every doctor that `domain.lottery.phase.exclusion`
would let be drawn for it before any draw: in the R-LOT-1 pool ((a) no wishes and no valid
absence, or (b) wishes and below the quota), a GP not replaced and a substitute only while
standing in (R-EX-5), never staff (R-LOT-2), not exempt (R-EX-4) or absent on the shift's date
(R-LOT-2), independently qualified on the shift's date for a backup (R-QUAL-2) and for a duty
shift no backup covers (R-QUAL-3), and clear of every shift held before the lottery by the
minimum rest (R-REST-1). What changes during the draw (rest against earlier draws, the (b)
quota limit) is the draw's business.

Points (R-LOAD-2) are exact: each weight is read as the nearest fraction with a denominator of at
most 1000, and every quantity is kept in integer units of 1/`scale` point.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from domain.period.availability import stands_in_on
from domain.period.calendar import PeriodCalendar
from domain.period.load_cap import breached
from domain.model import DoctorProfile, PeriodConfig, Role, Shift, ShiftKind
from domain.period.qualification import is_independently_qualified
from domain.period.quota import shift_weight
from domain.period.state import PeriodState


@dataclass
class LotteryInput:
    ids: list[str]  # every doctor of the period, sorted; bit i of a doctor set is ids[i]
    scale: int  # units per point
    shifts: list[Shift]  # the open shifts in draw order: start, then id
    start: list[int]  # epoch seconds
    end: list[int]
    units: list[int]  # the shift's points, in units
    eligible: list[int]  # static eligibility (doctor set) of each open shift
    quota: list[int]  # per doctor, units (0 without a quota): the (b) limit of R-LOT-1
    aim: list[int]  # quota less the balance carried from earlier periods (R-LOAD-1): deficits count from it
    load: list[int]  # per doctor, units held before the lottery
    capped: int  # R-LOT-1 (b): gave wishes, drawn only while below the quota
    pool: int  # doctors eligible for at least one open shift: the fairness objective's doctors
    rest: float  # R-REST-1 minimum rest, seconds
    longest: int  # the longest open shift plus the rest, seconds (a search window)
    # For the reasons of uncovered shifts, per open shift: the doctor sets of each R-LOT-2 cause.
    member: int  # R-LOT-1 pool members by wishes and quota (role and dates aside)
    role_ok: list[int]  # per open shift: drawable by role on its date (R-LOT-2, R-EX-5)
    exempt: list[int]
    absent: list[int]
    qualified: list[int]
    needs_qualified: list[bool]  # backup (R-QUAL-2) or duty no backup covers (R-QUAL-3)
    held_clash: list[int]  # R-REST-1 against shifts held before the lottery
    weighted: bool = False  # the open shifts differ in points (R-LOAD-2 weights)
    # R-LOAD-3: at most `week_cap` shifts in any 7 consecutive days (None: no cap). `day`: each
    # open shift's date as a day number; `held_days`: per doctor, the days of the shifts held
    # before the lottery; `cap_out`: per open shift, the doctors those shifts already keep out.
    week_cap: int | None = None
    day: list[int] = field(default_factory=list)
    held_days: list[list[int]] = field(default_factory=list)
    cap_out: list[int] = field(default_factory=list)

    @property
    def everyone(self) -> int:
        return (1 << len(self.ids)) - 1


def units_scale(weights: list[float]) -> tuple[int, dict[float, int]]:
    """The common denominator of the weights (each as a fraction with denominator <= 1000)."""
    fractions = {w: Fraction(w).limit_denominator(1000) for w in sorted(set(weights))}
    scale = 1
    for f in fractions.values():
        scale = scale * f.denominator // math.gcd(scale, f.denominator)
    return scale, {w: int(f * scale) for w, f in fractions.items()}


def _days(first: date, last: date, lo: date, hi: date | None) -> range:
    """Day offsets (from `first`) of the inclusive range [lo, hi] clipped to [first, last]."""
    a = max(lo, first)
    b = last if hi is None else min(hi, last)
    return range((a - first).days, (b - first).days + 1) if a <= b else range(0)


def _qualified_days(doctor: DoctorProfile, config: PeriodConfig, n_days: int) -> list[bool] | bool:
    """R-QUAL-1 judged on each date (R-QUAL-4); a single bool when it holds or fails all period."""
    first, policy = config.period.start, config.district.policy
    q = doctor.qualification
    changes = {first}
    for d in (q.specialist_gp, q.violence_course, q.acute_course):
        if d is not None and first < d <= config.period.end:
            changes.add(d)
    for exc in policy.qualification_exceptions:
        after = exc.until + timedelta(days=1)
        if first < after <= config.period.end:
            changes.add(after)
    if len(changes) == 1:
        return is_independently_qualified(q, first, policy)
    out = [False] * n_days
    marks = sorted(changes)
    for i, day in enumerate(marks):
        stop = (marks[i + 1] - first).days if i + 1 < len(marks) else n_days
        if is_independently_qualified(q, day, policy):
            for k in range((day - first).days, stop):
                out[k] = True
    return out


def _backup_cover(calendar: PeriodCalendar) -> tuple[list[int], list[int]]:
    """The union of all backup shifts as disjoint [start, end) intervals, touching ones merged."""
    spans: list[list[int]] = []
    for b in sorted((s for s in calendar.shifts if s.kind is ShiftKind.BACKUP), key=lambda s: s.start):
        a, z = int(b.start.timestamp()), int(b.end.timestamp())
        if spans and a <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], z)
        else:
            spans.append([a, z])
    return [s[0] for s in spans], [s[1] for s in spans]


def build_input(state: PeriodState, calendar: PeriodCalendar) -> LotteryInput:
    config = state.require_config()
    quota = state.quota
    if quota is None:
        raise ValueError("the lottery needs the quota recorded when the meeting opened")
    policy = config.district.policy
    doctors = sorted(config.doctors, key=lambda d: d.id)
    ids = [d.id for d in doctors]
    index = {d: i for i, d in enumerate(ids)}
    first, last = config.period.start, config.period.end
    n_days = (last - first).days + 1

    weight_of = {s.id: shift_weight(s, policy.weights) for s in calendar.shifts} if policy.weights else {}
    carried = [d.carried for d in doctors]
    scale, unit_of = units_scale((list(weight_of.values()) or [1.0]) + carried)
    units_by_id = {sid: unit_of[w] for sid, w in weight_of.items()}

    load = [0] * len(ids)
    held_days: list[list[int]] = [[] for _ in ids]  # R-LOAD-3
    held_spans: list[tuple[int, int, int]] = []  # (start, end, holder bit) of shifts held before
    for sid, a in state.assignments.items():
        s = calendar.by_id[sid]
        i = index[a.doctor]
        load[i] += units_by_id.get(sid, scale)
        held_days[i].append((s.day - first).days)
        held_spans.append((int(s.start.timestamp()), int(s.end.timestamp()), 1 << i))
    quotas = [quota.of(d) * scale for d in ids]
    aims = [q - unit_of[c] for q, c in zip(quotas, carried)]  # R-LOAD-1: carried balance lowers the deficit

    # R-LOT-1 by wishes and quota (the role and the dates are per day, below).
    member = capped = 0
    gp_bits = 0
    for i, d in enumerate(doctors):
        if d.role is Role.STAFF:
            continue
        if d.role is Role.GP:
            gp_bits |= 1 << i
        wishes = state.wishes.get(d.id, 0)
        if wishes == 0 and not d.valid_meeting_absence:
            member |= 1 << i  # (a)
        elif wishes > 0:
            capped |= 1 << i
            if load[i] < quotas[i]:
                member |= 1 << i  # (b)

    role_ok = [gp_bits] * n_days
    exempt = [0] * n_days
    absent = [0] * n_days
    qual_all = 0
    qual_day = [0] * n_days
    for i, d in enumerate(doctors):
        bit = 1 << i
        if d.role is Role.SUBSTITUTE and d.stands_in is not None:
            r = d.stands_in.range
            for k in _days(first, last, r.start, r.end):
                if stands_in_on(d, first + timedelta(days=k)) is not None:
                    role_ok[k] |= bit
                    gp = index.get(d.stands_in.gp)
                    if gp is not None and doctors[gp].role is Role.GP:
                        role_ok[k] &= ~(1 << gp)  # R-EX-5: the replaced GP leaves the pool
        for g in d.exemptions:
            for k in _days(first, last, g.range.start, g.range.end):
                exempt[k] |= bit
        for r in d.absences:
            for k in _days(first, last, r.start, r.end):
                absent[k] |= bit
        qualified = _qualified_days(d, config, n_days)
        if qualified is True:
            qual_all |= bit
        elif qualified is not False:
            for k, ok in enumerate(qualified):
                if ok:
                    qual_day[k] |= bit
    cover_a, cover_z = _backup_cover(calendar)
    rest = timedelta(hours=policy.min_rest_hours).total_seconds()
    held_spans.sort()
    held_starts = [h[0] for h in held_spans]
    longest_held = max((h[1] - h[0] for h in held_spans), default=0)

    shifts = [s for s in calendar.shifts if s.id not in state.assignments]
    start = [int(s.start.timestamp()) for s in shifts]
    end = [int(s.end.timestamp()) for s in shifts]
    units = [units_by_id.get(s.id, scale) for s in shifts]
    eligible: list[int] = []
    ok_role: list[int] = []
    ex: list[int] = []
    ab: list[int] = []
    qu: list[int] = []
    needs: list[bool] = []
    clashes: list[int] = []
    cap = policy.max_shifts_per_week
    cap_out: list[int] = []
    capped_days: dict[int, int] = {}  # day -> doctors whose held shifts fill a window around it
    clash_memo: dict[tuple[int, int], int] = {}
    for k, s in enumerate(shifts):
        day = (s.day - first).days
        a, z = start[k], end[k]
        if s.kind is ShiftKind.BACKUP:
            need = True
        else:
            j = bisect.bisect_right(cover_a, a) - 1
            need = not (j >= 0 and cover_z[j] >= z)  # R-QUAL-3: no backup covers its whole time
        clash = clash_memo.get((a, z))
        if clash is None:
            clash = 0  # R-REST-1: held shifts overlapping [a - rest, z + rest)
            lo = bisect.bisect_left(held_starts, a - rest - longest_held)
            hi = bisect.bisect_left(held_starts, z + rest)
            for h in range(lo, hi):
                ha, hz, bit = held_spans[h]
                if a < hz + rest and ha < z + rest:
                    clash |= bit
            clash_memo[(a, z)] = clash
        qualified = qual_all | qual_day[day]
        full_week = 0
        if cap is not None:
            full_week = capped_days.get(day, -1)
            if full_week < 0:
                full_week = 0
                for i, mine in enumerate(held_days):
                    if len(mine) >= cap and breached(mine, [day], cap):
                        full_week |= 1 << i
                capped_days[day] = full_week
        cap_out.append(full_week)
        ok = member & role_ok[day] & ~exempt[day] & ~absent[day] & ~clash & ~full_week
        if need:
            ok &= qualified
        eligible.append(ok)
        ok_role.append(role_ok[day])
        ex.append(exempt[day])
        ab.append(absent[day])
        qu.append(qualified)
        needs.append(need)
        clashes.append(clash)
    pool = 0
    for e in eligible:
        pool |= e
    longest = max((z - a for a, z in zip(start, end)), default=0) + int(math.ceil(rest))
    return LotteryInput(
        ids=ids, scale=scale, shifts=shifts, start=start, end=end, units=units, eligible=eligible,
        quota=quotas, aim=aims, load=load, capped=capped, pool=pool, rest=rest, longest=longest, member=member,
        role_ok=ok_role, exempt=ex, absent=ab, qualified=qu, needs_qualified=needs, held_clash=clashes,
        weighted=len(set(units)) > 1,
        week_cap=cap, day=[(s.day - first).days for s in shifts], held_days=[sorted(h) for h in held_days],
        cap_out=cap_out,
    )
