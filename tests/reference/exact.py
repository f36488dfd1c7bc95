"""The exact reference for the lottery: the same problem as a CP-SAT model (test-only).

Built from the rulebook through the independent oracle of tests/helpers/oracle.py (never from
domain/lottery), for the state the lottery starts from:

- a variable x[d, s] for every open shift s and every doctor d the lottery may draw for it on
  the static rules: R-LOT-1 pool, R-LOT-2 exclusions (exempt, absent, staff, substitutes not
  standing in, R-EX-5 replaced GPs), R-QUAL-2 / R-QUAL-3 judged on the shift's date, and
  R-REST-1 against every shift the doctor held before the lottery;
- each shift drawn at most once;
- R-REST-1 between draws: no two shifts of one doctor overlapping or closer than the minimum
  rest (clique constraints of the interval graph; draws never get the back-to-back policy);
- R-LOT-1 (b): a doctor who gave wishes is drawn only while below the quota. Shifts are drawn
  in time order, so this holds when the load before the doctor's last draw is below quota:
  L + sum(points) - points(last) < quota.
- R-LOAD-3 (a policy cap N, when set): every 7-day window (by the shifts' dates) that holds a
  draw holds at most N shifts, those held before the lottery included: draws in the window
  <= max(0, N - held in it). A doctor whose held shifts fill a window already is not eligible
  for a shift in it. This is the lottery's capped stage; what it leaves uncovered is drawn
  beyond the cap afterwards (`capped_achieved`).

Objectives, lexicographically (R-PROC-4, then fairness): most shifts covered; then the smallest
largest deficit (quota - carried balance - load, R-LOAD-1) among the pool doctors (those the lottery could draw for at
least one open shift); then the smallest largest overshoot (load - quota) among them. Points
are integer units (weights scaled to a common denominator).

Each stage runs with a deterministic-time limit and one worker, so a run is reproducible. A
stage that does not prove optimality reports its best solution found; the lottery must meet
that as a bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

from ortools.sat.python import cp_model

from domain.period.state import PeriodState
from tests.helpers.oracle import oracle_drawable, oracle_shifts, oracle_weight

BIG = 10**7


@dataclass
class Reference:
    covered: int  # shifts covered (best found; optimal when `covered_optimal`)
    covered_optimal: bool
    max_deficit: float | None  # points; None when the pool is empty
    deficit_optimal: bool
    max_overshoot: float | None
    overshoot_optimal: bool
    open_shifts: int
    roster: dict[str, str] | None = field(default=None, repr=False)  # shift -> doctor of the best solution found (diagnostics)


@dataclass
class Problem:
    """The lottery's input as plain data (independent of domain/lottery)."""

    shifts: list[str]  # open shifts in time order (start, id)
    start: dict[str, float]  # epoch seconds
    end: dict[str, float]
    units: dict[str, int]  # points as integer units
    scale: int  # units per point
    eligible: dict[str, list[str]]  # shift -> doctors the lottery may draw for it (static rules)
    pool: list[str]  # doctors eligible for at least one open shift, sorted
    quota: dict[str, int]  # in units: the (b) limit
    aim: dict[str, int]  # quota less the carried balance (R-LOAD-1): deficits count from it
    load: dict[str, int]  # before the lottery, in units
    capped: list[str]  # R-LOT-1 (b): gave wishes
    rest_seconds: float
    week_cap: int | None = None  # R-LOAD-3
    day: dict[str, int] = field(default_factory=dict)  # open shift -> date ordinal
    held_days: dict[str, list[int]] = field(default_factory=dict)  # doctor -> dates of shifts held before


def _window_full(held: list[int], day: int, cap: int) -> bool:
    """R-LOAD-3: some 7-day window around `day` already holds `cap` shifts held before."""
    return any(sum(1 for h in held if w <= h <= w + 6) >= cap for w in range(day - 6, day + 1))


def problem_of(before: PeriodState) -> Problem:
    config = before.require_config()
    shifts = oracle_shifts(config)
    quota = before.quota
    assert quota is not None
    weights = {sid: Fraction(oracle_weight(iv, config)).limit_denominator(1000) for sid, iv in shifts.items()}
    carried = {d.id: Fraction(d.carried).limit_denominator(1000) for d in config.doctors}
    scale = 1
    for w in [*weights.values(), *carried.values()]:
        scale = scale * w.denominator // math.gcd(scale, w.denominator)
    units = {sid: int(w * scale) for sid, w in weights.items()}
    load = {d.id: 0 for d in config.doctors}
    held = {d.id: [] for d in config.doctors}
    for sid, a in before.assignments.items():
        load[a.doctor] += units[sid]
        held[a.doctor].append(shifts[sid])
    open_ids = sorted((sid for sid in shifts if sid not in before.assignments), key=lambda s: (shifts[s].start, s))
    cap = config.district.policy.max_shifts_per_week
    held_days = {d: sorted(iv.day.toordinal() for iv in ivs) for d, ivs in held.items()}
    eligible: dict[str, list[str]] = {}
    for sid in open_ids:
        eligible[sid] = [
            d.id
            for d in config.doctors
            if oracle_drawable(
                config, shifts, d, shifts[sid], wishes=before.wishes.get(d.id, 0),
                load=load[d.id] / scale, quota=quota.of(d.id), held=held[d.id],
            )
            and (cap is None or not _window_full(held_days[d.id], shifts[sid].day.toordinal(), cap))
        ]
    pool = sorted({d for ds in eligible.values() for d in ds})
    return Problem(
        shifts=open_ids,
        start={s: shifts[s].start.timestamp() for s in open_ids},
        end={s: shifts[s].end.timestamp() for s in open_ids},
        units={s: units[s] for s in open_ids},
        scale=scale,
        eligible=eligible,
        pool=pool,
        quota={d: quota.of(d) * scale for d in pool},
        aim={d: quota.of(d) * scale - int(carried[d] * scale) for d in pool},
        load={d: load[d] for d in pool},
        capped=[d for d in pool if before.wishes.get(d, 0) > 0],
        rest_seconds=config.district.policy.min_rest_hours * 3600,
        week_cap=cap,
        day={s: shifts[s].day.toordinal() for s in open_ids},
        held_days={d: held_days[d] for d in pool},
    )


def _solver(limit: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = limit
    solver.parameters.random_seed = 0
    return solver


def solve(before: PeriodState, *, limit: float = 5.0) -> Reference:
    """Lexicographic optimum (coverage, largest deficit, largest overshoot) or the best found."""
    p = problem_of(before)
    model = cp_model.CpModel()
    x = {(d, s): model.NewBoolVar(f"x[{d},{s}]") for s in p.shifts for d in p.eligible[s]}
    cov = {s: model.NewBoolVar(f"covered[{s}]") for s in p.shifts if p.eligible[s]}
    for s, c in cov.items():
        model.AddExactlyOne([c.Not(), *(x[d, s] for d in p.eligible[s])])
    # R-REST-1: for each shift s, the open shifts starting no later that are still "resting"
    # at s's start form a clique; a doctor holds at most one of them.
    by_doctor: dict[str, list[str]] = {d: [] for d in p.pool}
    for s in p.shifts:
        for d in p.eligible[s]:
            by_doctor[d].append(s)
    for d, mine in by_doctor.items():
        seen: set[tuple[str, ...]] = set()
        for i, s in enumerate(mine):
            clique = tuple(t for t in mine[: i + 1] if p.start[s] < p.end[t] + p.rest_seconds)
            if len(clique) > 1 and clique not in seen:
                seen.add(clique)
                model.AddAtMostOne(x[d, t] for t in clique)
    if p.week_cap is not None:
        # R-LOAD-3: each 7-day window with a draw holds at most the cap, held shifts included.
        for d, mine in by_doctor.items():
            days = sorted({p.day[s] for s in mine})
            for w in range(days[0] - 6, days[-1] + 1) if days else ():
                inside = [x[d, s] for s in mine if w <= p.day[s] <= w + 6]
                if len(inside) > 0:
                    held_in = sum(1 for h in p.held_days[d] if w <= h <= w + 6)
                    room = max(0, p.week_cap - held_in)
                    if len(inside) > room:
                        model.Add(sum(inside) <= room)
    gained = {d: sum(p.units[s] * x[d, s] for s in by_doctor[d]) for d in p.pool}
    # R-LOT-1 (b): drawn only while below the quota (the load before the last draw < quota).
    unit_points = all(u == p.scale for u in p.units.values())
    for d in p.capped:
        mine = by_doctor[d]
        if not mine:
            continue
        if unit_points:  # every shift one point: at most quota - load draws
            model.Add(gained[d] <= p.quota[d] - p.load[d])
            continue
        later = [model.NewBoolVar(f"later[{d},{i}]") for i in range(len(mine))]  # some draw at or after i
        last = [model.NewBoolVar(f"last[{d},{i}]") for i in range(len(mine))]
        for i, s in enumerate(mine):
            nxt = later[i + 1] if i + 1 < len(mine) else None
            terms = [x[d, s]] + ([nxt] if nxt is not None else [])
            model.AddMaxEquality(later[i], terms)
            # last[i] == x[d,s] and not later[i+1]
            model.AddImplication(last[i], x[d, s])
            if nxt is not None:
                model.AddImplication(last[i], nxt.Not())
                model.AddBoolOr([last[i], x[d, s].Not(), nxt])
            else:
                model.AddBoolOr([last[i], x[d, s].Not()])
        model.Add(p.load[d] + gained[d] - sum(p.units[s] * last[i] for i, s in enumerate(mine)) <= p.quota[d] - 1)
    covered = sum(cov.values()) if cov else 0
    if not p.pool:
        return Reference(0, True, None, True, None, True, len(p.shifts))
    # Stage 1: coverage.
    model.Maximize(covered)
    solver = _solver(limit)
    status = solver.Solve(model)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE), solver.StatusName(status)
    best_cover = round(solver.ObjectiveValue())
    cover_opt = status == cp_model.OPTIMAL
    _hint(model, solver, x)
    model.Add(covered >= best_cover)
    # Stage 2: the largest deficit among pool doctors.
    t = model.NewIntVar(-BIG, BIG, "max_deficit")
    for d in p.pool:
        model.Add(t >= p.aim[d] - p.load[d] - gained[d])
    model.Minimize(t)
    status = solver.Solve(model)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE), solver.StatusName(status)
    best_t = round(solver.ObjectiveValue())
    t_opt = status == cp_model.OPTIMAL
    _hint(model, solver, x)
    model.Add(t <= best_t)
    # Stage 3: the largest overshoot among pool doctors.
    o = model.NewIntVar(-BIG, BIG, "max_overshoot")
    for d in p.pool:
        model.Add(o >= p.load[d] + gained[d] - p.aim[d])
    model.Minimize(o)
    status = solver.Solve(model)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE), solver.StatusName(status)
    roster = {s: d for (d, s), var in x.items() if solver.Value(var)}
    return Reference(
        roster=roster,
        covered=best_cover,
        covered_optimal=cover_opt,
        max_deficit=best_t / p.scale,
        deficit_optimal=t_opt,
        max_overshoot=round(solver.ObjectiveValue()) / p.scale,
        overshoot_optimal=status == cp_model.OPTIMAL,
        open_shifts=len(p.shifts),
    )


def _hint(model: cp_model.CpModel, solver: cp_model.CpSolver, x: dict) -> None:
    model.ClearHints()
    for var in x.values():
        model.AddHint(var, solver.Value(var))


def achieved(before: PeriodState, after: PeriodState) -> tuple[int, float | None, float | None]:
    """(covered, largest deficit, largest overshoot) of a finished lottery, on the same terms."""
    p = problem_of(before)
    config = before.require_config()
    shifts = oracle_shifts(config)
    units = {d: p.load[d] for d in p.pool}
    covered = 0
    for sid in p.shifts:
        a = after.assignments.get(sid)
        if a is not None:
            covered += 1
            if a.doctor in units:
                units[a.doctor] += round(oracle_weight(shifts[sid], config) * p.scale)
    if not p.pool:
        return covered, None, None
    return (
        covered,
        max(p.aim[d] - units[d] for d in p.pool) / p.scale,
        max(units[d] - p.aim[d] for d in p.pool) / p.scale,
    )
