"""Assertions over the engine's results, checked with the oracle (tests/helpers/oracle.py): every
draw of a lottery, a roster's legality, every shift listed once."""

from __future__ import annotations

from domain.period.calendar import PeriodCalendar
from domain.period.events import DomainEvent, LotteryDrawn, ShiftLeftUncovered, Source
from domain.model import Role, ShiftKind
from domain.period.state import PeriodState
from tests.helpers.oracle import (
    Interval,
    _in_range,
    decode,
    expected_tie_index,
    oracle_backups_cover,
    oracle_drawable,
    oracle_qualified,
    oracle_rest_ok,
    oracle_shifts,
    oracle_weight,
)


def replay_lottery(before: PeriodState, lottery_events: list[DomainEvent]) -> None:
    """Check every draw against the rulebook (R-LOT-1..4, R-PROC-4). Raises AssertionError.

    Independent of domain/lottery: shifts, pools, deficits and the tie formula are recomputed
    from the config. What it checks, per docs/lottery.md:
    - the open shifts are drawn in time order (start, then id), each exactly once;
    - each recorded pool is exactly the rulebook's pool at that moment (R-LOT-1/R-LOT-2 against
      the shifts held so far, draws included);
    - R-LOT-3: the recorded levels are the pool's members by deficit, from the largest down to
      the drawn doctor's, none left out; everyone above the drawn doctor's deficit was passed
      over with a reason; the seed's picks without replacement among the drawn level, skipping
      those passed over, land on the drawn doctor (R-LOT-4);
    - R-PROC-4: a shift is left uncovered only with an empty pool or every candidate passed over.
    Whether a candidate was rightly passed over (the optimum) is checked in tests/reference.
    """
    config = before.require_config()
    shifts = oracle_shifts(config)
    ids = sorted(d.id for d in config.doctors)
    quota = before.quota
    assert quota is not None
    seed = lottery_events[0].seed  # LotteryStarted
    load: dict[str, float] = {d.id: 0.0 for d in config.doctors}
    held: dict[str, list[Interval]] = {d.id: [] for d in config.doctors}
    for sid, a in before.assignments.items():
        load[a.doctor] += oracle_weight(shifts[sid], config)
        held[a.doctor].append(shifts[sid])
    order = sorted((sid for sid in shifts if sid not in before.assignments), key=lambda s: (shifts[s].start, s))
    assert lottery_events[0].open_shifts == len(order)
    outcomes = [e for e in lottery_events if isinstance(e, LotteryDrawn | ShiftLeftUncovered)]
    cap = config.district.policy.max_shifts_per_week
    # R-LOAD-3: with a weekly cap, the draws within it come first, in time order; then what they
    # left uncovered is drawn beyond the cap, again in time order.
    if cap is None:
        assert [e.shift for e in outcomes] == order, "the open shifts are drawn once each, in time order"
        within = []
    else:
        within = [e.shift for e in outcomes if isinstance(e, LotteryDrawn) and not e.beyond_cap]
        rest = [e.shift for e in outcomes[len(within):]]
        assert [e.shift for e in outcomes[: len(within)]] == within, "draws within the cap come first"
        assert sorted(within + rest) == sorted(order) and within == [s for s in order if s in set(within)], \
            "the open shifts are drawn once each, in time order"
        assert rest == [s for s in order if s in set(rest)], "the open shifts are drawn once each, in time order"
    draws = 0
    for n, event in enumerate(outcomes):
        sid = event.shift
        capped = cap is not None and n < len(within)
        assert isinstance(event, ShiftLeftUncovered) or event.beyond_cap == (cap is not None and not capped)
        pool = sorted(
            d.id
            for d in config.doctors
            if oracle_drawable(
                config, shifts, d, shifts[sid], wishes=before.wishes.get(d.id, 0), load=load[d.id],
                quota=quota.of(d.id), held=held[d.id],
            )
            and not (capped and _over_week_cap(held[d.id], shifts[sid], cap))
        )
        assert event.pool is not None and decode(event.pool, ids) == pool, f"{sid}: recorded pool is not the rulebook's"
        passed: dict[str, str] = {}
        for group in event.passed:
            assert group.rule.startswith("R-") and group.why, group
            for d in decode(group.doctors, ids):
                assert d not in passed, f"{sid}: {d} passed over twice"
                passed[d] = group.rule
        assert set(passed) <= set(pool), f"{sid}: passed over someone outside the pool"
        # R-LOT-3 with R-LOAD-1: the balance carried from earlier periods lowers the deficit.
        deficit = {d: quota.of(d) - load[d] - config.doctor(d).carried for d in pool}
        if isinstance(event, ShiftLeftUncovered):
            # R-PROC-4: only with no candidate, or every candidate passed over for the optimum.
            assert set(passed) == set(pool), f"{sid} left uncovered though {sorted(set(pool) - set(passed))} could take it"
            assert event.rule == "R-PROC-4" and event.reason
            continue
        draws += 1
        assert event.draw == draws
        assert event.doctor in pool and event.doctor not in passed
        drawn = deficit[event.doctor]
        values = sorted({round(v, 6) for v in deficit.values() if v >= drawn - 1e-9}, reverse=True)
        assert [lv.deficit for lv in event.levels] == values, f"{sid}: levels {event.levels} vs {values}"
        for lv in event.levels:
            assert decode(lv.doctors, ids) == [d for d in pool if abs(deficit[d] - lv.deficit) < 1e-6]
        # R-LOT-3: everyone further below the quota than the drawn doctor was passed over.
        above = [d for d in pool if deficit[d] > drawn + 1e-9]
        assert set(above) <= set(passed), f"{sid}: {sorted(set(above) - set(passed))} skipped without a reason"
        # R-LOT-4: picks without replacement among the tied, skipping those passed over.
        left = [d for d in pool if abs(deficit[d] - drawn) < 1e-6]
        assert decode(event.tied, ids) == left
        attempt = 1
        while True:
            pick = left.pop(expected_tie_index(seed, sid, len(left), attempt))
            if pick == event.doctor:
                break
            assert pick in passed, f"{sid}: the seed picked {pick}, neither drawn nor passed over"
            attempt += 1
        load[event.doctor] += oracle_weight(shifts[sid], config)
        held[event.doctor].append(shifts[sid])


def _over_week_cap(held: list[Interval], shift: Interval, cap: int | None) -> bool:
    """R-LOAD-3: some 7 consecutive days around the shift's date would hold more than `cap`."""
    if cap is None:
        return False
    day = shift.day.toordinal()
    days = [h.day.toordinal() for h in held]
    return any(sum(1 for h in days if w <= h <= w + 6) + 1 > cap for w in range(day - 6, day + 1))


def check_roster_legal(state: PeriodState) -> None:
    """Every assignment, from any source, obeys R-QUAL-2, R-QUAL-3, R-REST-1 and absences."""
    config = state.require_config()
    policy = config.district.policy
    shifts = oracle_shifts(config)
    by_doctor: dict[str, list[tuple[Interval, Source]]] = {}
    for sid, a in state.assignments.items():
        doctor = config.doctor(a.doctor)
        assert doctor is not None, f"{sid} held by unknown {a.doctor} (R-PROC-7)"
        s = shifts[sid]
        qualified = oracle_qualified(doctor.qualification, s.day, policy)
        if s.kind is ShiftKind.BACKUP:
            assert qualified, f"R-QUAL-2: {sid} held by not-qualified {a.doctor}"
        elif not qualified:
            assert oracle_backups_cover(shifts, s), f"R-QUAL-3: {sid} has no backup for {a.doctor}"
        assert not any(_in_range(r, s.day) for r in doctor.absences), f"R-LOT-2: {a.doctor} absent on {sid}"
        if a.source is Source.STAFF:
            assert doctor.role is Role.STAFF, f"R-PROC-2: {sid} staff entry by {a.doctor}"
        else:
            assert doctor.role is not Role.STAFF, f"R-PROC-2/3: {sid} {a.source} by staff {a.doctor}"
        by_doctor.setdefault(a.doctor, []).append((s, a.source))
    for doctor_id, items in by_doctor.items():
        for i, (x, sx) in enumerate(items):
            for y, sy in items[i + 1 :]:
                lottery = Source.LOTTERY in (sx, sy)
                ok = oracle_rest_ok(
                    x, y, policy.min_rest_hours, allow_back_to_back=policy.allow_back_to_back and not lottery
                )
                assert ok, f"R-REST-1: {doctor_id} holds {x.id} ({sx}) and {y.id} ({sy})"


def every_shift_once(document: dict, calendar: PeriodCalendar) -> None:
    """R-PROC-4 / result format: every shift exactly once, in assignments or in uncovered."""
    listed = [a["shift"] for a in document["assignments"]] + [u["shift"] for u in document["uncovered"]]
    assert sorted(listed) == sorted(s.id for s in calendar.shifts)
    assert len(listed) == len(set(listed))
