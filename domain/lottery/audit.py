"""Recomputing a published period's lottery from its stored events alone (R-LOT-4).

The state before the lottery is the fold of every event up to and including `LotteryStarted`
(which carries the seed). `draw_lottery` run on that state must reproduce, in order, every
stored `LotteryDrawn` / `ShiftLeftUncovered` event — the shift, the drawn doctor, the pool, the
deficit levels, who was passed over and why — and the published roster must match too. The
first difference is named, with doctor sets read as ids.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from domain.period.calendar import PeriodCalendar
from domain.period.events import DomainEvent, LotteryDrawn, LotteryStarted, RosterPublished, ShiftLeftUncovered
from domain.lottery.phase import ALGORITHMS, draw_lottery
from domain.period.roster import publish
from domain.period.state import fold

FIELDS = ("kind", "shift", "draw", "doctor", "beyond_cap", "pool", "levels", "passed", "rule", "reason")


class Mismatch(BaseModel):
    position: int  # 1-based position among the lottery's outcomes
    shift: str | None
    field: str
    stored: str
    recomputed: str

    def describe(self) -> str:
        label = f"draw #{self.position}" + (f" ({self.shift})" if self.shift else "")
        return f"{label}: stored {self.field} {self.stored}, recomputed {self.recomputed}"


class VerifyReport(BaseModel):
    period: str
    seed: int | None
    algorithm: int | None = None  # recorded with the seed and recomputed with (docs/lottery.md §6.2); None: no lottery
    draws: int
    uncovered: int
    ok: bool
    mismatch: Mismatch | None = None
    note: str = ""


def _outcome_fields(event: LotteryDrawn | ShiftLeftUncovered, ids: list[str]) -> dict[str, str]:
    passed = ";".join(f"{p.rule} {','.join(p.doctors.ids(ids))}: {p.why}" for p in event.passed)
    if isinstance(event, LotteryDrawn):
        return {
            "kind": "draw",
            "shift": event.shift,
            "draw": str(event.draw),
            "doctor": event.doctor,
            "beyond_cap": "yes" if event.beyond_cap else "no",  # R-LOAD-3
            "pool": ",".join(event.pool.ids(ids)),
            "levels": ";".join(f"{lv.deficit:g}: {','.join(lv.doctors.ids(ids))}" for lv in event.levels),
            "passed": passed,
        }
    return {
        "kind": "uncovered",
        "shift": event.shift,
        "pool": ",".join(event.pool.ids(ids)) if event.pool is not None else "",
        "passed": passed,
        "rule": event.rule,
        "reason": event.reason,
    }


def _first_difference(stored: dict[str, str], recomputed: dict[str, str]) -> str | None:
    return next((f for f in FIELDS if stored.get(f) != recomputed.get(f)), None)


def verify_lottery(events: Sequence[DomainEvent]) -> VerifyReport:
    """Recompute every draw of a published period; report the first difference."""
    split = next((i for i, e in enumerate(events) if isinstance(e, LotteryStarted)), None)
    before = fold(events[: split + 1] if split is not None else events)
    period = before.config.period.id if before.config else "?"
    if split is None:
        return VerifyReport(period=period, seed=None, draws=0, uncovered=0, ok=False, note="no lottery was held")
    seed = events[split].seed
    stored = [e for e in events[split + 1 :] if isinstance(e, (LotteryDrawn, ShiftLeftUncovered))]
    config = before.require_config()
    calendar = PeriodCalendar.from_config(config)
    ids = sorted(d.id for d in config.doctors)
    # The state the lottery saw: everything before LotteryStarted, with the seed applied.
    algorithm = events[split].algorithm
    if algorithm not in ALGORITHMS:
        return VerifyReport(period=period, seed=seed, algorithm=algorithm, draws=0, uncovered=0, ok=False,
                            note=f"lottery algorithm {algorithm} is unknown to this version of vakt: "
                                 "verify with the version that drew it")
    recomputed = draw_lottery(before, calendar, seed, algorithm=algorithm)
    report = dict(
        period=period,
        seed=seed,
        algorithm=algorithm,
        draws=sum(isinstance(e, LotteryDrawn) for e in stored),
        uncovered=sum(isinstance(e, ShiftLeftUncovered) for e in stored),
    )
    for position, (mine, theirs) in enumerate(zip(recomputed, stored), 1):
        if mine == theirs:
            continue
        a, b = _outcome_fields(theirs, ids), _outcome_fields(mine, ids)
        field = _first_difference(a, b)
        if field is None:
            continue  # equal as the record reads (the doctor sets' encodings may differ)
        return VerifyReport(
            **report,
            ok=False,
            mismatch=Mismatch(
                position=position, shift=a.get("shift"), field=field,
                stored=str(a.get(field)), recomputed=str(b.get(field)),
            ),
        )
    if len(recomputed) != len(stored):
        return VerifyReport(
            **report, ok=False,
            note=f"{len(stored)} lottery outcomes stored, {len(recomputed)} recomputed",
        )
    published = [e for e in events if isinstance(e, RosterPublished)]
    if published:
        final = fold(recomputed, before)
        expected = publish(final, calendar)
        if published[-1].unsafe != expected.unsafe or published[-1].assigned != expected.assigned:
            return VerifyReport(**report, ok=False, note="the published roster differs from the recomputed one")
    return VerifyReport(**report, ok=True)
