"""`vakt explain`: why a doctor holds each shift and why they were (not) in the lottery pool.

Plain language for a clinic operator, built from the stored events alone. Names rules, never
personal data (no exemption reason, no contact data).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel

from domain.period.availability import exemption_on
from domain.period.calendar import PeriodCalendar
from domain.period.events import DomainEvent, LotteryDrawn, LotteryStarted, Source
from domain.period.load_cap import over_cap_report
from domain.lottery.phase import in_lottery_pool
from domain.model import MeetingAttendance, Role
from domain.period.qualification import is_independently_qualified
from domain.period.quota import participation, shift_weight
from domain.period.state import fold, lottery_draws

SOURCE_TEXT = {
    Source.STAFF: "entered in advance as a staff doctor's shift (R-PROC-2)",
    Source.ADVANCE_WISH: "an advance wish, given with a valid absence from the meeting (R-MEET-2)",
    Source.MEETING: "picked at the allocation meeting (phase A)",
    Source.OFFERING: "claimed on the offering board (phase B, R-PROC-3)",
    Source.LOTTERY: "drawn in the lottery (phase C)",
    Source.SWAP: "taken over from a colleague in a swap after publication (R-SWAP-1)",
    Source.VACANCY: "taken over from a vacancy after publication, or assigned by an operator (R-VAC-2/3)",
}
ROLE_TEXT = {Role.GP: "GP (fastlege)", Role.SUBSTITUTE: "substitute (vikar)", Role.STAFF: "staff doctor"}
WEEKDAY = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class RejectedAction(BaseModel):
    kind: str
    shift: str
    rule: str
    message: str


class Explanation(BaseModel):
    period: str
    doctor: str
    sections: list[tuple[str, list[str]]]

    def text(self) -> str:
        out = []
        for title, lines in self.sections:
            out.append(title)
            out.extend(f"  {line}" for line in lines)
            out.append("")
        return "\n".join(out).rstrip() + "\n"


def _day(d: date) -> str:
    return f"{WEEKDAY[d.weekday()]} {d.isoformat()}"


def _fmt(x: float) -> str:
    return f"{x:g}"


def _n(count: float, word: str) -> str:
    return f"{count:g} {word}" + ("" if count == 1 else "s")


def explain_doctor(
    events: Sequence[DomainEvent], doctor_id: str, rejected: Sequence[RejectedAction] = ()
) -> Explanation:
    final = fold(events)
    config = final.require_config()
    doctor = config.doctor(doctor_id)
    if doctor is None:
        raise LookupError(f"{doctor_id} is not a doctor of period {config.period.id}")
    calendar = PeriodCalendar.from_config(config)
    policy = config.district.policy
    split = next((i for i, e in enumerate(events) if isinstance(e, LotteryStarted)), None)
    before_lottery = fold(events[: split + 1]) if split is not None else final
    quota = final.quota.of(doctor_id) if final.quota else None
    sections: list[tuple[str, list[str]]] = []

    # --- who
    who = [f"Role: {ROLE_TEXT[doctor.role]}."]
    share = participation(config, doctor_id)
    if final.quota:
        if quota:
            who.append(
                f"Quota (R-LOAD-2): {quota} {'points' if final.quota.weighted else 'shifts'} — the base quota "
                f"{final.quota.base} × {share:.0%} of the period carrying a GP's duty (R-EX-3, R-EX-5)."
            )
        else:
            who.append("No quota: not a participating GP in this period (R-LOAD-2).")
    attendance = {
        MeetingAttendance.ATTENDED: "attended the allocation meeting",
        MeetingAttendance.VALID_ABSENCE: "had a valid absence from the meeting (R-MEET-1)",
        MeetingAttendance.UNEXCUSED: "was absent from the meeting without a valid reason (R-MEET-1)",
    }[doctor.meeting]
    if doctor.carried:
        who.append(
            f"Carried balance from the district's earlier periods (R-LOAD-1): {doctor.carried:+g} "
            f"{'points' if final.quota and final.quota.weighted else 'shifts'}; the lottery counts it in the "
            "deficit (R-LOT-3), so a positive balance is drawn later and a negative one sooner."
        )
    who.append(f"Meeting: {attendance}; wishes given: {final.wishes.get(doctor_id, 0)}.")
    for grant in doctor.exemptions:
        end = grant.range.end.isoformat() if grant.range.end else "further notice"
        kind = "by right (R-EX-1)" if grant.rule == "R-EX-1" else "by the clinic's decision (R-EX-2)"
        who.append(
            f"Exempt {kind} from {grant.range.start} to {end}: never drawn on those dates (R-LOT-2), "
            "may still volunteer (R-EX-4)."
        )
    for absence in doctor.absences:
        who.append(f"Registered absent {absence.start} to {absence.end}: not available those days (R-LOT-2).")
    if doctor.stands_in:
        r = doctor.stands_in.range
        who.append(f"Stands in for {doctor.stands_in.gp} from {r.start} to {r.end} and takes that GP's place (R-EX-5).")
    first = config.period.start
    qualified = is_independently_qualified(doctor.qualification, first, policy)
    who.append(
        "Independently qualified (R-QUAL-1) at the period's start: may take backup shifts."
        if qualified
        else "Not independently qualified (R-QUAL-1) at the period's start: no backup shifts (R-QUAL-2), "
        "duty only where a backup covers it (R-QUAL-3)."
    )
    sections.append((f"{doctor_id} in period {config.period.id}", who))

    # --- shifts held
    draws = lottery_draws(events)
    draws_by_shift = {e.shift: e for e in draws}
    ids = sorted(d.id for d in config.doctors)
    held = sorted(final.held_by(doctor_id), key=lambda s: calendar.by_id[s].start)
    points = sum(shift_weight(calendar.by_id[s], policy.weights) for s in held)
    lines = []
    for shift_id in held:
        shift = calendar.by_id[shift_id]
        how = SOURCE_TEXT[final.assignments[shift_id].source]
        when = f"{_day(shift.day)} {shift.local_start:%H:%M}–{shift.local_end:%H:%M}"
        line = f"{shift_id} ({when}): {how}"
        draw = draws_by_shift.get(shift_id)
        if draw is not None:
            line += f" — draw #{draw.draw}: {_n(draw.pool.size, 'doctor')} could legally take it; " + _why_drawn(draw, ids)
        lines.append(line)
    title = f"Shifts held: {len(held)}"
    if quota:
        title += f" ({_n(points, 'point')}; {points - quota:+g} against the quota of {quota})"
    sections.append((title, lines or ["none"]))

    # --- lottery
    lottery: list[str] = []
    if split is None:
        lottery.append("No lottery has been held yet.")
    else:
        lottery.append(_pool_status(config, before_lottery, calendar, doctor, quota))
        lottery.extend(_draw_lines(draws, ids, doctor_id, quota or 0, before_lottery, calendar, policy.weights))
    sections.append(("Lottery (R-LOT-1 … R-LOT-4)", lottery))

    cap_lines = _cap_lines(final, calendar, doctor_id, draws)
    if cap_lines:
        sections.append(("Weekly cap (R-LOAD-3)", cap_lines))

    if rejected:
        sections.append(
            (
                f"Rejected actions: {len(rejected)}",
                [f"{r.kind.replace('_', ' ')} of {r.shift}: {r.rule} — {r.message}" for r in rejected],
            )
        )
    else:
        sections.append(("Rejected actions", ["none"]))
    return Explanation(period=config.period.id, doctor=doctor_id, sections=sections)


def _why_drawn(draw: LotteryDrawn, ids: list[str]) -> str:
    """Why this doctor and not another (R-LOT-3, R-LOT-4), from the draw's record."""
    me = draw.doctor
    parts = []
    for group in draw.passed:
        who = group.doctors.ids(ids)
        parts.append(f"{', '.join(who)} passed over first ({group.rule}: {group.why})")
    if len(draw.tied) == 1:
        parts.append(f"{me} had the largest deficit ({_fmt(draw.deficit)}) of the rest (R-LOT-3)" if draw.passed
                     else f"{me} alone had the largest deficit ({_fmt(draw.deficit)}) (R-LOT-3)")
    else:
        parts.append(f"{len(draw.tied)} of them shared the deficit {_fmt(draw.deficit)} and the seed chose {me} "
                     "(R-LOT-3, R-LOT-4)")
    return "; ".join(parts)


def _draw_lines(draws, ids, doctor_id, quota, before, calendar, weights) -> list[str]:
    """The doctor's part in each draw: drawn, passed over (with why), tied, or outranked."""
    index = ids.index(doctor_id)
    carried = before.require_config().doctor(doctor_id).carried  # R-LOAD-1: lowers the deficit
    load = sum(shift_weight(calendar.by_id[s], weights) for s in before.held_by(doctor_id))
    member_of = 0
    drawn = 0
    outranked = 0
    lines: list[str] = []
    for d in draws:
        if d.pool.has(index):
            member_of += 1
            mine = quota - carried - load
            top = d.levels[0].deficit
            passed = next((g for g in d.passed if g.doctors.has(index)), None)
            if d.doctor == doctor_id:
                outcome = "drawn"
                drawn += 1
            elif passed is not None:
                outcome = f"passed over ({passed.rule}): {passed.why}; {d.doctor} was drawn"
            elif d.tied.has(index):
                outcome = f"tied at the drawn deficit; the seed chose {d.doctor} (R-LOT-4)"
            else:
                outranked += 1
                continue
            lines.append(
                f"draw #{d.draw} {d.shift}: load {_fmt(load)}, quota {quota}, deficit {_fmt(mine)} "
                f"(largest in pool {_fmt(top)}) → {outcome}"
            )
        if d.doctor == doctor_id:
            load += shift_weight(calendar.by_id[d.shift], weights)
    head = [f"In the pool for {member_of} of {_n(len(draws), 'draw')}; drawn {_n(drawn, 'time')}."]
    if outranked:
        head.append(f"In {_n(outranked, 'other draw')} someone further below the quota was drawn (R-LOT-3).")
    return head + lines


def _pool_status(config, state, calendar: PeriodCalendar, doctor, quota) -> str:
    """Why the doctor was or was not in the lottery pool when the lottery began (R-LOT-1)."""
    if doctor.role is Role.STAFF:
        return "Not in the lottery pool: staff doctors are never drawn (R-LOT-2)."
    if doctor.role is Role.SUBSTITUTE and doctor.stands_in is None:
        return "Not in the lottery pool: substitutes are drawn only while standing in for a GP (R-LOT-2, R-EX-5)."
    wishes = state.wishes.get(doctor.id, 0)
    load = sum(shift_weight(calendar.by_id[s], config.district.policy.weights) for s in state.held_by(doctor.id))
    if all(exemption_on(doctor, s.day) for s in calendar.shifts):
        return "Not drawn: exempt for the whole period (R-LOT-2)."
    if wishes == 0 and doctor.valid_meeting_absence:
        return "Not in the lottery pool: had a valid absence from the meeting and gave no wishes (R-LOT-1)."
    if wishes == 0:
        return (
            "In the lottery pool: gave no wishes at or before the meeting and had no valid absence "
            "(R-LOT-1 a)."
        )
    reason = in_lottery_pool(config, state, doctor, calendar.shifts[0], state.quota, load) if state.quota else None
    if reason is None:
        return (
            f"In the lottery pool: gave {wishes} wishes but held {_fmt(load)} of a quota of {quota} when the "
            "lottery began (R-LOT-1 b)."
        )
    return f"Not in the lottery pool: gave {wishes} wishes and held {_fmt(load)}, reaching the quota of {quota} (R-LOT-1)."


def _cap_lines(state, calendar: PeriodCalendar, doctor_id: str, draws: Sequence[LotteryDrawn]) -> list[str]:
    """R-LOAD-3 on the fairness report: the cap, each week above it and what put the doctor there."""
    cap = state.require_config().district.policy.max_shifts_per_week
    if cap is None:
        return []
    held = [(calendar.by_id[s].day, state.assignments[s].source.value) for s in state.held_by(doctor_id)]
    windows = over_cap_report({doctor_id: held}, cap).get(doctor_id, [])
    beyond = [d for d in draws if d.doctor == doctor_id and d.beyond_cap]
    lines = [f"The district's cap: at most {cap} shifts in any 7 consecutive days."]
    for w in windows:
        lines.append(f"Above the cap: {w['shifts']} shifts {w['first']}–{w['last']} ({', '.join(w['sources'])}).")
    for d in beyond:
        lines.append(f"draw #{d.draw} {d.shift}: drawn beyond the cap, because no doctor within it could take the shift "
                     "(R-PROC-4 before R-LOAD-3).")
    if not windows:
        lines.append("Never above the cap.")
    return lines
