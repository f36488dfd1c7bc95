"""What one doctor sees of a period (the doctor's page of the web service), as a pure function of the state.

- the action open to them now (an advance wish, a meeting pick, an offering claim) and, for
  every free shift, whether they may take it — or the rule and the reason they may not
  (`domain.period.rules.check_action`, the same check the workflow makes);
- their shifts, quota, carried balance and load (R-LOAD-1/2), and the shifts worked;
- swaps (R-SWAP-1): their offers out, offers to them, and open offers they could take.
Privacy: a reason names only this doctor's own facts (their qualification, absence, rest).
Who holds a taken shift, and anything about another doctor — an exemption, an absence — is
never shown: a shift taken by someone else is simply not among the options (it cannot be taken,
and there is nothing to say about it), and the doctor's own shifts are listed apart (`held`).

For a phone the month's options also come arranged (`weeks`): by ISO week, then by day, the
ones they can take apart from the ones they cannot (with the refusal's code), filtered by kind
and weekday (domain.period.board_filters). The words are the page's (web/), the facts are here.
"""

from __future__ import annotations

import bisect
from datetime import date, datetime, timedelta

from pydantic import BaseModel

from domain.period.calendar import PeriodCalendar
from domain.model import OSLO_TZ, MeetingAttendance, Phase, Role, Shift
from domain.period.board_filters import KINDS, matches, shift_kinds
from domain.period.load_cap import breached, excesses
from domain.period.process import next_deadline, next_step_text
from domain.period.shifts import WEEKDAYS
from domain.period.rules import ActionKind, doctor_violation, eligibility_violation
from domain.period.state import PeriodState
from domain.period.swaps import accept_swap
from domain.period.view import PeriodView

TAKEN = "already taken"  # domain.period.rules.TAKEN_MESSAGE: never who holds it


class ShiftLine(BaseModel):
    shift: str
    day: date
    name: str
    kind: str
    start: datetime  # Europe/Oslo
    end: datetime
    hours: float
    kinds: list[str] = []  # the filter kinds it answers to (domain.period.board_filters)


class ShiftOption(ShiftLine):
    allowed: bool
    rule: str | None = None
    reason: str | None = None  # English (logs, the CLI, the API's readers)
    code: str | None = None  # the refusal's stable code, translated by pages (refusals.po)
    params: dict[str, str] = {}  # this doctor's own facts only
    over_cap: bool = False  # R-LOAD-3: allowed, but above the district's weekly cap (board.option_over_cap)


class DayGroup(BaseModel):
    day: date
    open: list[ShiftOption]  # the shifts of the day they can take now


class WeekGroup(BaseModel):
    """One ISO week of the month's options: `anchor` is stable (`uke-2027-01`) so a page can
    come back to it after an action."""

    anchor: str
    year: int
    week: int
    first: date  # the first and last day of the week that lie in the month
    last: date
    days: list[DayGroup]
    blocked: list[ShiftOption]


class SwapLine(ShiftLine):
    swap: str
    giver: str
    receiver: str | None
    expires_at: datetime
    allowed: bool = True  # for offers in: whether this doctor may take it now
    awaiting_approval: bool = False  # R-SWAP-2: accepted, waiting for an operator
    accepted_by: str | None = None  # R-SWAP-2: who accepted it (shown to its giver)
    rule: str | None = None
    reason: str | None = None


class CapWindow(BaseModel):
    """R-LOAD-3: seven days in which this doctor holds more shifts than the district's cap — a
    warning, never a refusal (the page says it with `code` and these fields)."""

    first: date
    last: date
    shifts: int
    cap: int
    code: str = "board.over_cap"


class DoctorBoard(BaseModel):
    period: str
    district: str
    district_name: str
    doctor: str
    role: str
    phase: str
    meeting_open: bool
    next_deadline: datetime | None
    next_step: str | None
    verb: str | None  # wish | pick | claim: the action open to this doctor now
    why_no_action: str | None  # English (the API); `why_code` for pages
    why_code: str | None = None
    quota: int | None
    carried: float
    points: float
    balance: float | None  # points + carried − quota
    held: list[ShiftLine]
    worked: int
    options: list[ShiftOption]  # the month's shifts not held by anyone: may they take it, or why not
    weeks: list[WeekGroup]  # the same, filtered by `kind`/`day`, by ISO week
    kind: str | None = None  # the filters asked for (None: all)
    day: str | None = None
    months: list[str]  # YYYY-MM of the period, for paging the options
    month: str | None
    swaps_out: list[SwapLine]
    swaps_in: list[SwapLine]
    version: int
    focus: ShiftLine | None = None  # the shift an answer is about (`about`), to name it on the page
    over_cap: list[CapWindow] = []  # R-LOAD-3: weeks above the district's cap (a warning)
    weekly_cap: int | None = None  # R-LOAD-3: the district's cap, None when off


def line(shift: Shift) -> dict:
    return {
        "shift": shift.id, "day": shift.day, "name": shift.name, "kind": shift.kind.value,
        "start": shift.local_start, "end": shift.local_end, "hours": round(shift.hours, 2),
        "kinds": sorted(shift_kinds(shift)),
    }


def _line_of(calendar: PeriodCalendar, shift: Shift) -> dict:
    """`line(shift)`, kept with the calendar: its time-zone conversions are worked out once per
    period, not once per shift of every board read. The dicts are shared: never changed."""
    lines: dict[str, dict] = calendar.memo("board_lines", dict)
    found = lines.get(shift.id)
    if found is None:
        found = lines[shift.id] = line(shift)
    return found


NO_ACTION = {  # why there is no action now: a code pages translate (board.po `why.*`), English for the API
    "not_on_roll": "you are not on this period's roll",
    "staff": "staff shifts are entered by the clinic (R-PROC-2)",
    "meeting_wishes": "wishes are given at the meeting (R-MEET-2)",
    "substitute": "substitutes claim shifts in the offering (R-PROC-3)",
    "meeting_absent": "you are registered absent from the meeting; picks are made there (R-MEET-1)",
    "published": "the roster is published: swap shifts with colleagues (R-SWAP-1)",
}


def action_now(state: PeriodState, doctor_id: str, now: datetime) -> tuple[ActionKind | None, str | None]:
    """The action open to the doctor in this phase, or why there is none (in English)."""
    kind, code = action_code(state, doctor_id, now)
    if kind is not None:
        return kind, None
    return None, NO_ACTION.get(code or "", f"the round is {state.phase.value}")


def action_code(state: PeriodState, doctor_id: str, now: datetime) -> tuple[ActionKind | None, str | None]:
    """The action open to the doctor in this phase, or the code of why there is none."""
    config = state.require_config()
    doctor = config.doctor(doctor_id)
    if doctor is None:
        return None, "not_on_roll"
    if doctor.role is Role.STAFF:
        return None, "staff"
    if state.phase is Phase.MEETING and not state.meeting_open:
        if doctor.meeting is MeetingAttendance.VALID_ABSENCE and now <= config.period.wishes_due:
            return ActionKind.ADVANCE_WISH, None
        return None, "meeting_wishes"
    if state.phase is Phase.MEETING:
        if doctor.role is Role.SUBSTITUTE and doctor.stands_in is None:
            return None, "substitute"
        if doctor.meeting is not MeetingAttendance.ATTENDED:
            return None, "meeting_absent"
        return ActionKind.MEETING_PICK, None
    if state.phase is Phase.OFFERING:
        return ActionKind.OFFERING_CLAIM, None
    if state.phase is Phase.PUBLISHED:
        return None, "published"
    return None, "lottery" if state.phase is Phase.LOTTERY else "closed"


def _options(state: PeriodState, calendar: PeriodCalendar, kind: ActionKind, doctor_id: str, shifts, now: datetime,
             held: list[Shift]) -> list[ShiftOption]:
    """Each free shift of `shifts` with `check_action`'s verdict for this doctor, asked in two
    parts: what holds for every shift alike (once), then each shift's own rules."""
    common = doctor_violation(state, kind, doctor_id, now)
    config = state.require_config()
    doctor, policy = config.doctor(doctor_id), config.district.policy
    near = _near(held, policy.min_rest_hours)
    cap, held_days = policy.max_shifts_per_week, [s.day.toordinal() for s in held]  # R-LOAD-3
    # Every doctor who may take a shift sees the same row: one object per shift, kept with the
    # calendar and shared by every board (never changed once built).
    takeable: dict[str, ShiftOption] = calendar.memo("board_takeable", dict)
    out = []
    for shift in shifts:
        if shift.id in state.assignments:
            continue
        violation = common or eligibility_violation(policy, calendar, doctor, shift, near(shift), voluntary=True)
        if violation is None and cap is not None and breached(held_days, [shift.day.toordinal()], cap):
            # R-LOAD-3: allowed, but above the weekly cap for this doctor: a row of their own
            option = ShiftOption(**_line_of(calendar, shift), allowed=True, over_cap=True)
        elif violation is None:
            option = takeable.get(shift.id)
            if option is None:
                option = takeable[shift.id] = ShiftOption(**_line_of(calendar, shift), allowed=True)
        else:
            option = ShiftOption.model_construct(**_line_of(calendar, shift), allowed=False, rule=violation.rule,
                                                 reason=violation.message, code=violation.code,
                                                 params=violation.params)
        out.append(option)
    return out


def _near(held: list[Shift], min_rest_hours: float):
    """For a shift, the doctor's shifts that could clash with it under R-REST-1 (overlap, or less
    rest than the minimum between them), in `held`'s own order: the rest check then names the
    same shift it would have named looking at them all, and looks at one or two, not all."""
    if not held:
        return lambda shift: held
    reach = timedelta(hours=min_rest_hours)
    by_start = sorted(range(len(held)), key=lambda i: held[i].start)
    starts = [held[i].start for i in by_start]
    longest = max(s.end - s.start for s in held)

    def near(shift: Shift) -> list[Shift]:
        lo = bisect.bisect_left(starts, shift.start - reach - longest)
        hi = bisect.bisect_left(starts, shift.end + reach)
        found = sorted(i for i in by_start[lo:hi] if held[i].end + reach > shift.start)
        return [held[i] for i in found]

    return near


def weeks_of(
    options: list[ShiftOption], kind: str | None = None, day: str | None = None, days: list[date] = (),
) -> list[WeekGroup]:
    """The options by ISO week (in order), each week's open ones by day, its blocked ones apart.
    Every week of `days` (the month's) is there even when nothing is left in it, so a page sent
    back to a week's anchor after an action finds it."""
    weeks: dict[tuple[int, int], WeekGroup] = {}
    for each in sorted(days):
        year, number, _ = each.isocalendar()
        group = weeks.get((year, number))
        if group is None:  # built unvalidated: a board builds dozens per read, from typed facts
            group = weeks[(year, number)] = WeekGroup.model_construct(
                anchor=f"uke-{year}-{number:02d}", year=year, week=number, first=each, last=each, days=[], blocked=[])
        if each < group.first:
            group.first = each
        if each > group.last:
            group.last = each
    week_of: dict[date, tuple[int, int, int]] = {}
    for option in options:
        if not matches(option.kinds, option.day, kind, day):
            continue
        iso = week_of.get(option.day)
        if iso is None:
            iso = week_of[option.day] = option.day.isocalendar()
        year, number, _ = iso
        group = weeks.get((year, number))
        if group is None:  # a week not among `days`
            group = weeks[(year, number)] = WeekGroup.model_construct(
                anchor=f"uke-{year}-{number:02d}", year=year, week=number, first=option.day, last=option.day,
                days=[], blocked=[])
        if option.day < group.first:  # assigned only when it moves: each assignment is validated
            group.first = option.day
        if option.day > group.last:
            group.last = option.day
        if not option.allowed:
            group.blocked.append(option)
        elif group.days and group.days[-1].day == option.day:
            group.days[-1].open.append(option)
        else:
            group.days.append(DayGroup.model_construct(day=option.day, open=[option]))
    for group in weeks.values():  # a day reads duty shifts first, then the backups, each by start
        for one in group.days:
            one.open.sort(key=lambda o: ("backup" in o.kinds, o.start, o.shift))
    return list(weeks.values())


def doctor_board(
    state: PeriodState, calendar: PeriodCalendar, doctor_id: str, now: datetime, month: str | None = None,
    kind: str | None = None, day: str | None = None, about: str | None = None, view: PeriodView | None = None,
) -> DoctorBoard:
    """`kind` is one of board_filters.KINDS, `day` a weekday (`mon` … `sun`); others mean all.
    `view`: the state's lookups when the caller keeps them (app.reads.period_cache); the board
    then costs the month shown and this doctor's own shifts, whatever the district's size."""
    view = view if view is not None and view.state is state else PeriodView(state, calendar)
    config = state.require_config()
    profile = config.doctor(doctor_id)
    action, why = action_now(state, doctor_id, now)
    _, why_code = action_code(state, doctor_id, now)
    months = list(calendar.months)
    if month not in months:
        first_open = next((s for s in calendar.shifts if s.end > now and s.id not in state.assignments), None)
        month = calendar.month_of(first_open) if first_open else (months[0] if months else None)
    held = list(view.held(doctor_id))
    in_month = calendar.shifts_in_month(month)
    options = _options(state, calendar, action, doctor_id, in_month, now, held) if action is not None else []
    kind = kind if kind in KINDS else None
    day = day if day in WEEKDAYS else None
    quota = view.quota.of(doctor_id) if profile is not None and profile.role is not Role.STAFF else None
    load = view.loads.get(doctor_id)
    carried = profile.carried if profile else 0.0
    points = load.points if load else 0.0
    swaps_out, swaps_in = [], []
    for swap_id, offer in sorted(state.swaps.items(), key=lambda kv: (kv[1].expires_at, kv[0])):
        shift = calendar.by_id[offer.shift]
        base = {**_line_of(calendar, shift), "swap": swap_id, "giver": offer.giver, "receiver": offer.receiver,
                "expires_at": offer.expires_at.astimezone(OSLO_TZ)}
        waiting = offer.accepted_by is not None  # R-SWAP-2: shown to its giver and receiver only
        if offer.giver == doctor_id:
            swaps_out.append(SwapLine(**base, awaiting_approval=waiting, accepted_by=offer.accepted_by))
        elif waiting:
            if offer.accepted_by == doctor_id:
                swaps_in.append(SwapLine(**base, allowed=False, awaiting_approval=True))
        elif offer.receiver in (None, doctor_id):
            decision = accept_swap(state, calendar, swap_id=swap_id, receiver=doctor_id, now=now, held=held)
            problem = getattr(decision, "rule", None)
            swaps_in.append(SwapLine(**base, allowed=problem is None, rule=problem,
                                     reason=getattr(decision, "message", None) if problem else None))
    step, deadline = next_deadline(state) if state.phase in (Phase.MEETING, Phase.OFFERING) else (None, None)
    return DoctorBoard(
        period=config.period.id, district=config.district.id, district_name=config.district.name,
        doctor=doctor_id, role=profile.role.value if profile else "unknown",
        phase=state.phase.value, meeting_open=state.meeting_open,
        next_deadline=deadline.astimezone(OSLO_TZ) if deadline else None,
        next_step=next_step_text(state.phase, state.meeting_open),
        verb=action.verb if action else None, why_no_action=why, why_code=why_code,
        quota=quota, carried=carried, points=points,
        balance=round(points + carried - quota, 3) if quota is not None else None,
        held=[ShiftLine.model_construct(**_line_of(calendar, s)) for s in sorted(held, key=lambda s: (s.start, s.id))],
        worked=view.worked.get(doctor_id, 0),
        options=options, weeks=weeks_of(options, kind, day, sorted({s.day for s in in_month})), kind=kind, day=day,
        months=months, month=month,
        swaps_out=swaps_out, swaps_in=swaps_in, version=state.version,
        focus=ShiftLine(**_line_of(calendar, calendar.by_id[about])) if about in calendar.by_id else None,
        over_cap=[CapWindow(first=w.first_day, last=w.last_day, shifts=w.shifts, cap=w.cap)
                  for w in excesses((s.day for s in held), config.district.policy.max_shifts_per_week)],
        weekly_cap=config.district.policy.max_shifts_per_week,
    )
