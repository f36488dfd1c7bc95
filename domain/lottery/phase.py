"""Phase C, the lottery: a pure function of the period's state and a seed (R-LOT-4).

The open shifts are drawn one at a time in time order. Each goes to a doctor of its pool
(R-LOT-1, R-LOT-2, R-QUAL-2/3, R-REST-1), the largest deficit first and the seed choosing among
equals (R-LOT-3) — but only to a candidate with whom the best outcome found stays reachable:
fewest uncovered shifts (R-PROC-4), then the smallest largest deficit, then the smallest
largest overshoot among the pool's doctors. docs/lottery.md describes the algorithm so that it
can be reimplemented; the modules:

- domain.lottery.input: the static rules as bitsets over the doctors;
- domain.lottery.plan / domain.lottery.search: a complete roster kept reachable, and the
  ejection-chain moves that change it;
- domain.lottery.targets: the best outcome found, by improving the plain draw, with
  domain.lottery.window (an exact re-solve around one shift) and, under a weekly cap,
  domain.lottery.pairs (two doctors' whole periods);
- domain.lottery.draw: the draw in order against the plan;
- domain.lottery.record: the events and their reasons.

`in_lottery_pool` and `exclusion` state the same rules for one doctor and one shift, for
`vakt explain`, `vakt status` and the tests.
"""

from __future__ import annotations

from collections.abc import Callable

from domain.period.availability import exemption_on, replaced_on, stands_in_on
from domain.period.calendar import PeriodCalendar
from domain.period.load_cap import breached
from domain.period.events import LotteryDrawn, ShiftLeftUncovered, Source
from domain.lottery.draw import plain_plan, run_draw, tie_index
from domain.lottery.input import build_input
from domain.lottery.pairs import PAIR_WORK
from domain.lottery.search import Work
from domain.lottery.targets import find_targets, scarce_plan
from domain.model import DoctorProfile, PeriodConfig, Role, Shift
from domain.period.quota import QuotaSnapshot
from domain.period.rules import eligibility_violation
from domain.period.state import Assignment, PeriodState

LotteryEvent = LotteryDrawn | ShiftLeftUncovered
SMALL = 20000  # shift-doctor pairs up to which the plan is searched from four starts
# The algorithm new rounds are drawn with, recorded in LotteryStarted; earlier ones stay
# reproducible. 2: with a weekly cap, every start is also improved by exact re-solves of two
# doctors (domain.lottery.pairs). 1: without them.
ALGORITHM = 2
ALGORITHMS = (1, 2)  # every algorithm this code can draw (and verify) by

__all__ = ["ALGORITHM", "ALGORITHMS", "LotteryEvent", "draw_lottery", "exclusion", "in_lottery_pool", "tie_index"]


def in_lottery_pool(
    config: PeriodConfig, state: PeriodState, doctor: DoctorProfile, shift: Shift, quota: QuotaSnapshot, load: float
) -> str | None:
    """R-LOT-1 (with R-EX-5 stand-ins): None when the doctor is in the pool, else why not."""
    if doctor.role is Role.STAFF:
        return "staff doctors are never drawn (R-LOT-2)"
    if doctor.role is Role.SUBSTITUTE and stands_in_on(doctor, shift.day) is None:
        return "substitutes are drawn only while standing in for a GP (R-LOT-2, R-EX-5)"
    if doctor.role is Role.GP and replaced_on(config, doctor.id, shift.day) is not None:
        return "a substitute stands in for this GP on that date (R-EX-5)"
    wishes = state.wishes.get(doctor.id, 0)
    if wishes == 0:
        if doctor.valid_meeting_absence:
            return "had a valid absence from the meeting and gave no wishes (R-LOT-1)"
        return None  # R-LOT-1 (a)
    if load < quota.of(doctor.id):
        return None  # R-LOT-1 (b): gave wishes, but too few
    return "gave wishes and has reached the quota (R-LOT-1)"


def exclusion(
    config: PeriodConfig,
    calendar: PeriodCalendar,
    state: PeriodState,
    doctor: DoctorProfile,
    shift: Shift,
    quota: QuotaSnapshot,
    load: float,
    held: list[Shift],
) -> str | None:
    """None when `doctor` may be drawn for `shift`, else the rule that keeps them out."""
    not_in_pool = in_lottery_pool(config, state, doctor, shift, quota, load)
    if not_in_pool:
        return "R-LOT-1"
    if exemption_on(doctor, shift.day) is not None:
        return "R-EX-4"  # exempt doctors may volunteer but are never drawn (R-LOT-2)
    violation = eligibility_violation(config.district.policy, calendar, doctor, shift, held, voluntary=False)
    if violation:
        return violation.rule
    cap = config.district.policy.max_shifts_per_week
    if cap is not None and breached([(h.day - shift.day).days for h in held], [0], cap):
        return "R-LOAD-3"  # held shifts fill a week around it; drawn only if nobody else can be
    return None


def _better(a, b) -> bool:
    def key(t):
        return (t.uncovered, -(10**12) if t.deficit is None else t.deficit, -(10**12) if t.overshoot is None else t.overshoot)
    return key(a) < key(b)


def draw_lottery(
    state: PeriodState, calendar: PeriodCalendar, seed: int, on_draw: Callable[[int, int], None] | None = None,
    *, algorithm: int = ALGORITHM,
) -> list[LotteryEvent]:
    """Draw every open shift (R-PROC-4). Pure: the same state, seed and algorithm give the same
    draws. An algorithm this code does not know is a ValueError, never a guess.

    R-LOAD-3: with a weekly cap, the draw keeps it. Only the shifts that draw leaves uncovered —
    no roster within the cap covers them — are then drawn again without the cap, each such draw
    marked `beyond_cap`: coverage (R-PROC-4) comes before the cap, the cap before fairness."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"lottery algorithm {algorithm} is unknown to this version (it knows {ALGORITHMS})")
    events = _draw(state, calendar, seed, on_draw, algorithm)
    config = state.require_config()
    policy = config.district.policy
    if policy.max_shifts_per_week is None or not any(isinstance(e, ShiftLeftUncovered) for e in events):
        return events
    drawn = [e for e in events if isinstance(e, LotteryDrawn)]
    uncapped = policy.model_copy(update={"max_shifts_per_week": None})
    after = state.model_copy(update={
        "config": config.model_copy(update={"district": config.district.model_copy(update={"policy": uncapped})}),
        "assignments": {**state.assignments, **{e.shift: Assignment(doctor=e.doctor, source=Source.LOTTERY) for e in drawn}},
    })
    beyond: list[LotteryEvent] = []
    for e in _draw(after, calendar, seed, algorithm=algorithm):
        if isinstance(e, LotteryDrawn):
            e = e.model_copy(update={"draw": len(drawn) + 1 + sum(isinstance(b, LotteryDrawn) for b in beyond),
                                     "beyond_cap": True})
        beyond.append(e)
    return [*drawn, *beyond]


def _draw(
    state: PeriodState, calendar: PeriodCalendar, seed: int, on_draw: Callable[[int, int], None] | None = None,
    algorithm: int = ALGORITHM,
) -> list[LotteryEvent]:
    inp = build_input(state, calendar)
    # R-LOAD-3, algorithm 2: each start may also re-solve pairs of doctors exactly, within its work.
    pairs = (lambda: Work(PAIR_WORK)) if algorithm >= 2 and inp.week_cap is not None else (lambda: None)
    plan = plain_plan(inp, seed)
    targets = find_targets(plan, pairs())
    if len(inp.shifts) * inp.pool.bit_count() <= SMALL:
        # Small periods: three more starts, the best outcome wins (ties: the earlier start).
        for start in (lambda: scarce_plan(inp), lambda: plain_plan(inp, seed + 1), lambda: plain_plan(inp, seed + 2)):
            other = start()
            found = find_targets(other, pairs())
            if _better(found, targets):
                plan, targets = other, found
    staff = 0
    for i, doctor_id in enumerate(inp.ids):
        if state.require_config().doctors_by_id[doctor_id].role is Role.STAFF:
            staff |= 1 << i
    return run_draw(inp, plan, targets, seed, staff, on_draw)
