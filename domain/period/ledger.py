"""The published roster as an operator reads it: every shift with its holder, how they came to
hold it and its marks; and per doctor, the fairness ledger of the round.

Pure functions of the folded state, the calendar and the event log, each one pass over its
input (a 1,000-doctor, 8-station year is ~10,000 shifts and events): shifts are indexed once,
never searched per doctor.

- A shift's **station** is the prefix of its template's name in a district with several
  stations (`s3-evening` → station `s3`, kind `evening`); a one-station district has none.
- **Uncovered** shifts are those the lottery could not fill (R-PROC-4); **unsafe** ones are duty
  shifts held by a doctor not independently qualified whose backup is uncovered (R-QUAL-3), as
  recorded at publication (or computed while the round runs).
- The ledger (R-LOAD-1, R-LOAD-2): the shifts each doctor got by staff entry, pick (advance wish
  or meeting), claim and draw, the swaps in and out, the shifts they hold now and so work (a
  shift handed away counts for the one who took it), their points with the district's weights,
  the deviation (points minus quota) and the balance they carried in (R-LOAD-1 across periods).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from domain.model import Shift
from domain.period.calendar import PeriodCalendar
from domain.period.events import DomainEvent, LotteryDrawn, ShiftTaken, Source, SwapAccepted
from domain.period.quota import shift_weight
from domain.period.roster import unsafe_shifts
from domain.period.state import PeriodState
from domain.period.vacancy_state import uncovered_vacancy_shifts

# The template names a station's prefix may stand before (a station's own copy of the template).
BASE_NAMES = frozenset({"day", "evening", "night", "backup", "backup-day", "weekend"})


def station_of(template: str) -> tuple[str | None, str]:
    """(station, kind) of a template name: `s3-evening` → (`s3`, `evening`); `evening` →
    (None, `evening`); `backup-day` → (None, `backup-day`)."""
    head, sep, rest = template.partition("-")
    if sep and rest in BASE_NAMES and head not in BASE_NAMES:
        return head, rest
    return None, template


@dataclass(frozen=True, slots=True)
class RosterEntry:
    shift: Shift
    station: str | None
    kind: str  # the template's name without the station (`evening`, `backup-day` …)
    doctor: str | None  # the holder; None when open or uncovered
    source: str | None  # how they came to hold it (Source), None when nobody holds it
    draw: int | None  # the draw's number (R-LOT-4) when the lottery drew the holder
    uncovered: bool
    unsafe: bool


def roster_entries(state: PeriodState, calendar: PeriodCalendar, events: Iterable[DomainEvent]) -> list[RosterEntry]:
    """Every shift of the period in calendar order, with its holder and marks."""
    draws = {e.shift: e.draw for e in events if isinstance(e, LotteryDrawn)}
    uncovered = {u.shift for u in state.uncovered} | uncovered_vacancy_shifts(state.vacancies)  # R-VAC-3 too
    unsafe = set(state.unsafe) if state.unsafe or state.finished else set(unsafe_shifts(state, calendar))
    out = []
    for shift in calendar.shifts:
        station, kind = station_of(shift.name)
        held = state.assignments.get(shift.id)
        drawn = draws.get(shift.id)
        out.append(RosterEntry(
            shift=shift, station=station, kind=kind,
            doctor=held.doctor if held else None, source=held.source.value if held else None,
            # a drawn shift later swapped away is the swap's now; the draw still names the shift
            draw=drawn if held is not None and held.source is Source.LOTTERY else None,
            uncovered=shift.id in uncovered, unsafe=shift.id in unsafe,
        ))
    return out


class Standing(BaseModel):
    """One doctor's line of the fairness table."""

    doctor: str
    role: str
    quota: int
    staff: int = 0
    picks: int = 0  # advance wishes and meeting picks (R-MEET-2, phase A)
    claims: int = 0  # offering claims (phase B)
    drawn: int = 0  # lottery draws (phase C)
    swaps_in: int = 0
    swaps_out: int = 0
    worked: int = 0  # shifts held now: what they work (R-LOAD-1)
    points: float = 0.0  # with the district's weights (R-LOAD-2)
    deviation: float = 0.0  # points minus quota
    carried: float = 0.0  # the balance carried into the round (R-LOAD-1 across periods)

    @property
    def balance(self) -> float:
        """What the round leaves: the carried balance plus the deviation (before any decay)."""
        return round(self.carried + (self.deviation if self.quota > 0 else 0.0), 3)


COLUMNS = ("quota", "staff", "picks", "claims", "drawn", "swaps_in", "swaps_out", "worked", "points", "deviation",
           "carried", "balance")


def standings(state: PeriodState, calendar: PeriodCalendar, events: Sequence[DomainEvent]) -> list[Standing]:
    """The ledger of every doctor of the period, in the config's order."""
    config = state.require_config()
    weights = config.district.policy.weights
    quota = state.quota
    rows = {d.id: Standing(doctor=d.id, role=d.role.value, quota=quota.of(d.id) if quota else 0, carried=d.carried)
            for d in config.doctors}

    def row(doctor: str) -> Standing:
        if doctor not in rows:  # a doctor no longer in the config (a damaged record): still counted
            rows[doctor] = Standing(doctor=doctor, role="", quota=0)
        return rows[doctor]

    for event in events:
        if isinstance(event, ShiftTaken):
            r = row(event.doctor)
            if event.source is Source.STAFF:
                r.staff += 1
            elif event.source in (Source.ADVANCE_WISH, Source.MEETING):
                r.picks += 1
            elif event.source is Source.OFFERING:
                r.claims += 1
        elif isinstance(event, LotteryDrawn):
            row(event.doctor).drawn += 1
        elif isinstance(event, SwapAccepted):
            row(event.receiver).swaps_in += 1
            row(event.giver).swaps_out += 1
    points: dict[str, float] = {}
    for shift_id, held in state.assignments.items():
        r = row(held.doctor)
        r.worked += 1
        points[held.doctor] = points.get(held.doctor, 0.0) + shift_weight(calendar.by_id[shift_id], weights)
    for r in rows.values():
        r.points = round(points.get(r.doctor, 0.0), 3)
        r.deviation = round(r.points - r.quota, 3)
    return list(rows.values())


def sort_standings(rows: list[Standing], key: str, descending: bool, name: dict[str, str]) -> list[Standing]:
    """Rows sorted by a column (`name` by the doctor's name), ties by name: a stable order."""
    by_name = sorted(rows, key=lambda r: (name.get(r.doctor, r.doctor).casefold(), r.doctor))
    if key == "name":
        return by_name[::-1] if descending else by_name
    if key not in COLUMNS:
        return by_name
    ordered = sorted(by_name, key=lambda r: getattr(r, key), reverse=descending)
    if key == "deviation":  # a doctor without a quota has no deviation: after those who have one
        return [r for r in ordered if r.quota > 0] + [r for r in ordered if r.quota <= 0]
    return ordered


def payroll(state: PeriodState, calendar: PeriodCalendar) -> dict[str, dict[str, tuple[int, float]]]:
    """doctor → month (`YYYY-MM`) → (shifts worked, points): what the clinic pays from. A shift
    counts for the doctor who holds it (R-LOAD-1) in the month it starts (Europe/Oslo)."""
    weights = state.require_config().district.policy.weights
    out: dict[str, dict[str, tuple[int, float]]] = {}
    for shift_id, held in state.assignments.items():
        shift = calendar.by_id[shift_id]
        month = shift.day.isoformat()[:7]
        months = out.setdefault(held.doctor, {})
        n, p = months.get(month, (0, 0.0))
        months[month] = (n + 1, round(p + shift_weight(shift, weights), 3))
    return out
