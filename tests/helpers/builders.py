"""Builders and an independent oracle for the pure-domain unit tests.

The builders make small `PeriodConfig`s directly (no scenario document needed) and drive the pure
period process (`domain.period.process`) the way `/tmp/smoke.py` and the workflow do.

The oracle (`oracle_*`, `replay_lottery`, `check_roster_legal`) re-derives the rulebook from the
config alone — shift intervals with zoneinfo, qualification, R-LOT-1/R-LOT-2 pool membership,
R-LOT-3 deficits, the R-LOT-4 tie formula — so the tests do not trust the engine's own checks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.period.calendar import PeriodCalendar
from domain.period.events import DomainEvent, LotteryDrawn, PeriodOpened, ShiftLeftUncovered, Source
from domain.model import (
    DateRange,
    District,
    DoctorProfile,
    ExemptionGrant,
    MeetingAttendance,
    PeriodConfig,
    PeriodDates,
    Policy,
    Qualification,
    Role,
    Shift,
    ShiftKind,
    ShiftTemplate,
    StandIn,
)
from domain.period.quota import shift_weight
from domain.period.process import close_phase, decide_action, open_meeting, run_lottery
from domain.period.rules import ActionKind, RuleViolation
from domain.period.state import PeriodState, apply

TZ = ZoneInfo("Europe/Oslo")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONDAY = date(2027, 1, 4)

# The template of docs/example-scenario.json.
EXAMPLE_TEMPLATE: tuple[ShiftTemplate, ...] = (
    ShiftTemplate(name="evening", kind=ShiftKind.DUTY, days=WEEKDAYS[:5], start="16:00", end="23:00"),
    ShiftTemplate(name="day", kind=ShiftKind.DUTY, days=("sat", "sun"), start="08:00", end="16:00"),
    ShiftTemplate(name="night", kind=ShiftKind.DUTY, days=WEEKDAYS, start="23:00", end="08:00"),
    ShiftTemplate(name="backup", kind=ShiftKind.BACKUP, days=WEEKDAYS, start="16:00", end="08:00"),
    ShiftTemplate(name="backup-day", kind=ShiftKind.BACKUP, days=("sat", "sun"), start="08:00", end="16:00"),
)
DUTY_ONLY_TEMPLATE = tuple(t for t in EXAMPLE_TEMPLATE if t.kind is ShiftKind.DUTY)

QUALIFIED = Qualification(  # R-QUAL-1 (a) and (b) both hold
    specialist_gp=date(2010, 6, 1),
    violence_course=date(2012, 3, 1),
    acute_course=date(2012, 3, 1),
    clinical_months=120,
    duty_shifts_done=200,
    gp_months=100,
)
UNQUALIFIED = Qualification(clinical_months=12, duty_shifts_done=5, gp_months=2)


# --------------------------------------------------------------------------------------- doctors
def grant(start: date, end: date | None = None, rule: str = "R-EX-1") -> ExemptionGrant:
    return ExemptionGrant(rule=rule, range=DateRange(start=start, end=end))


def gp(
    doctor_id: str,
    *,
    qualified: bool = True,
    qualification: Qualification | None = None,
    exempt: tuple[tuple[date, date | None], ...] = (),
    absent: tuple[tuple[date, date], ...] = (),
    meeting: MeetingAttendance = MeetingAttendance.ATTENDED,
) -> DoctorProfile:
    return DoctorProfile(
        id=doctor_id,
        role=Role.GP,
        qualification=qualification or (QUALIFIED if qualified else UNQUALIFIED),
        exemptions=tuple(grant(a, b) for a, b in exempt),
        absences=tuple(DateRange(start=a, end=b) for a, b in absent),
        meeting=meeting,
    )


def substitute(
    doctor_id: str,
    *,
    stands_in: tuple[str, date, date] | None = None,
    qualified: bool = True,
    absent: tuple[tuple[date, date], ...] = (),
    meeting: MeetingAttendance = MeetingAttendance.ATTENDED,
) -> DoctorProfile:
    return DoctorProfile(
        id=doctor_id,
        role=Role.SUBSTITUTE,
        qualification=QUALIFIED if qualified else UNQUALIFIED,
        absences=tuple(DateRange(start=a, end=b) for a, b in absent),
        meeting=meeting,
        stands_in=None
        if stands_in is None
        else StandIn(gp=stands_in[0], range=DateRange(start=stands_in[1], end=stands_in[2])),
    )


def staff(doctor_id: str) -> DoctorProfile:
    return DoctorProfile(id=doctor_id, role=Role.STAFF, qualification=QUALIFIED)


# --------------------------------------------------------------------------------------- configs
def make_config(
    doctors: list[DoctorProfile] | tuple[DoctorProfile, ...],
    *,
    start: date = MONDAY,
    days: int = 7,
    template: tuple[ShiftTemplate, ...] = EXAMPLE_TEMPLATE,
    policy: Policy | None = None,
    seed: int | None = 7,
) -> PeriodConfig:
    """A period of `days` days from `start`; deadlines well before it (naive = Oslo wall clock)."""
    return PeriodConfig(
        district=District(id="test", name="Testdistrikt legevakt", policy=policy or Policy()),
        period=PeriodDates(
            id=f"test-{start.isoformat()}",
            start=start,
            end=start + timedelta(days=days - 1),
            wishes_due=datetime.combine(start - timedelta(days=35), time(12, 0)),
            meeting_at=datetime.combine(start - timedelta(days=34), time(18, 0)),
            offering_closes=datetime.combine(start - timedelta(days=20), time(12, 0)),
        ),
        shift_template=template,
        doctors=tuple(doctors),
        lottery_seed=seed,
    )


def before_wishes_due(config: PeriodConfig) -> datetime:
    return config.period.wishes_due - timedelta(hours=1)


def opened(config: PeriodConfig) -> tuple[PeriodState, PeriodCalendar]:
    return apply(PeriodState(), PeriodOpened(config=config)), PeriodCalendar.from_config(config)


def take(
    state: PeriodState,
    calendar: PeriodCalendar,
    kind: ActionKind,
    doctor: str,
    shift: str,
    now: datetime | None = None,
) -> PeriodState:
    """Apply an action that must be accepted."""
    result = decide_action(state, calendar, kind, doctor, shift, now or before_wishes_due(state.require_config()))
    assert not isinstance(result, RuleViolation), result
    return apply(state, result)


def at_meeting(state: PeriodState, calendar: PeriodCalendar) -> PeriodState:
    return apply(state, open_meeting(state, calendar))


def at_offering(state: PeriodState, calendar: PeriodCalendar) -> PeriodState:
    if not state.meeting_open:
        state = at_meeting(state, calendar)
    return apply(state, close_phase(state))


def at_lottery(state: PeriodState, calendar: PeriodCalendar) -> PeriodState:
    if state.phase.value == "meeting":
        state = at_offering(state, calendar)
    return apply(state, close_phase(state))


Action = tuple[str, str]  # (doctor, shift)


@dataclass
class Outcome:
    config: PeriodConfig
    calendar: PeriodCalendar
    state: PeriodState  # published
    before_lottery: PeriodState
    events: list[DomainEvent]  # every event, from PeriodOpened to RosterPublished
    lottery_events: list[DomainEvent]  # LotteryStarted .. RosterPublished
    rejected: list[tuple[ActionKind, str, str, RuleViolation]] = field(default_factory=list)
    mutated_on_reject: list[tuple[ActionKind, str, str]] = field(default_factory=list)


def drive(
    config: PeriodConfig,
    *,
    staff_entries: list[Action] | tuple[Action, ...] = (),
    advance: list[Action] | tuple[Action, ...] = (),
    picks: list[Action] | tuple[Action, ...] = (),
    claims: list[Action] | tuple[Action, ...] = (),
    seed: int = 1,
    late_advance: bool = False,
) -> Outcome:
    """Run a whole period purely: staff entries, advance wishes, meeting, offering, lottery."""
    calendar = PeriodCalendar.from_config(config)
    events: list[DomainEvent] = [PeriodOpened(config=config)]
    state = apply(PeriodState(), events[0])
    rejected: list = []
    mutated: list = []
    period = config.period

    def act(kind: ActionKind, actions, now: datetime) -> None:
        nonlocal state
        for doctor, shift in actions:
            snapshot = state.model_dump()
            result = decide_action(state, calendar, kind, doctor, shift, now)
            if isinstance(result, RuleViolation):
                rejected.append((kind, doctor, shift, result))
                if state.model_dump() != snapshot:
                    mutated.append((kind, doctor, shift))
                continue
            events.append(result)
            state = apply(state, result)

    def step(event: DomainEvent) -> None:
        nonlocal state
        events.append(event)
        state = apply(state, event)

    act(ActionKind.STAFF_ENTRY, staff_entries, period.wishes_due - timedelta(days=1))
    act(
        ActionKind.ADVANCE_WISH,
        advance,
        period.wishes_due + timedelta(minutes=1) if late_advance else period.wishes_due,
    )
    step(open_meeting(state, calendar))
    act(ActionKind.MEETING_PICK, picks, period.meeting_at)
    step(close_phase(state))
    act(ActionKind.OFFERING_CLAIM, claims, period.offering_closes - timedelta(hours=1))
    step(close_phase(state))
    before = state
    lottery_events = run_lottery(state, calendar, seed)
    for event in lottery_events:
        step(event)
    return Outcome(config, calendar, state, before, events, lottery_events, rejected, mutated)


# ----------------------------------------------------------------------------------------- oracle
@dataclass(frozen=True)
class Interval:
    id: str
    day: date
    kind: ShiftKind
    start: datetime  # UTC
    end: datetime  # UTC

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def _hm(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


def oracle_shifts(config: PeriodConfig) -> dict[str, Interval]:
    """Every shift of the period, recomputed with zoneinfo (R-TIME-1)."""
    out: dict[str, Interval] = {}
    day = config.period.start
    while day <= config.period.end:
        for t in config.shift_template:
            if WEEKDAYS[day.weekday()] not in t.days:
                continue
            s, e = _hm(t.start), _hm(t.end)
            end_day = day + timedelta(days=1) if e <= s else day
            out[f"{day.isoformat()}/{t.name}"] = Interval(
                id=f"{day.isoformat()}/{t.name}",
                day=day,
                kind=t.kind,
                start=datetime.combine(day, s, tzinfo=TZ).astimezone(UTC),
                end=datetime.combine(end_day, e, tzinfo=TZ).astimezone(UTC),
            )
        day += timedelta(days=1)
    return out


def oracle_qualified(q: Qualification, day: date, policy: Policy) -> bool:
    """R-QUAL-1 (a)/(b) judged on `day` (R-QUAL-4), plus the policy's time-limited exceptions."""

    def has(d: date | None) -> bool:
        return d is not None and d <= day

    a = has(q.specialist_gp) and has(q.violence_course)
    b = (
        q.clinical_months >= 30
        and (q.duty_shifts_done >= 40 or q.gp_months >= 12)
        and has(q.acute_course)
        and has(q.violence_course)
    )
    exc = any(
        day <= e.until
        and q.clinical_months >= e.min_clinical_months
        and (not e.requires_acute_course or has(q.acute_course))
        for e in policy.qualification_exceptions
    )
    return a or b or exc


def _in_range(r: DateRange, day: date) -> bool:
    return r.start <= day and (r.end is None or day <= r.end)


def oracle_backups_cover(shifts: dict[str, Interval], target: Interval) -> bool:
    """R-QUAL-3: the union of the period's backup shifts covers the whole of `target`."""
    reached = target.start
    for b in sorted((s for s in shifts.values() if s.kind is ShiftKind.BACKUP), key=lambda s: s.start):
        if b.end <= reached:
            continue
        if b.start > reached:
            break
        reached = b.end
        if reached >= target.end:
            return True
    return reached >= target.end


def oracle_rest_ok(a: Interval, b: Interval, min_rest_hours: float, *, allow_back_to_back: bool = False) -> bool:
    """R-REST-1 between two shifts of one doctor: never overlapping; at least the minimum rest."""
    if a.start < b.end and b.start < a.end:
        return False
    gap = b.start - a.end if a.end <= b.start else a.start - b.end
    return allow_back_to_back or gap >= timedelta(hours=min_rest_hours)


def oracle_weight(shift: Interval, config: PeriodConfig) -> float:
    """The shift's points under the district's weight policy (R-LOAD-2); 1 without one."""
    weights = config.district.policy.weights
    if weights is None:
        return 1.0
    return shift_weight(
        Shift(id=shift.id, day=shift.day, name=shift.id.split("/", 1)[1], kind=shift.kind, start=shift.start, end=shift.end),
        weights,
    )


def replaced_by(config: PeriodConfig, gp_id: str, day: date) -> str | None:
    for d in config.doctors:
        if d.role is Role.SUBSTITUTE and d.stands_in and d.stands_in.gp == gp_id and _in_range(d.stands_in.range, day):
            return d.id
    return None


def oracle_drawable(
    config: PeriodConfig,
    shifts: dict[str, Interval],
    doctor: DoctorProfile,
    shift: Interval,
    *,
    wishes: int,
    load: float,
    quota: int,
    held: list[Interval],
) -> bool:
    """R-LOT-1 pool membership and R-LOT-2 exclusions, from the rulebook alone."""
    day = shift.day
    policy = config.district.policy
    # R-LOT-2: staff never; substitutes only while standing in (R-EX-5); a replaced GP not.
    if doctor.role is Role.STAFF:
        return False
    if doctor.role is Role.SUBSTITUTE and not (doctor.stands_in and _in_range(doctor.stands_in.range, day)):
        return False
    if doctor.role is Role.GP and replaced_by(config, doctor.id, day) is not None:
        return False
    # R-LOT-1: (a) no wishes and no valid absence, (b) gave wishes but below the quota.
    if wishes == 0:
        if doctor.meeting is MeetingAttendance.VALID_ABSENCE:
            return False
    elif not load < quota:
        return False
    # R-LOT-2: exempt, absent, not qualified for a backup, R-QUAL-3, rest/overlap.
    if any(_in_range(g.range, day) for g in doctor.exemptions):
        return False
    if any(_in_range(r, day) for r in doctor.absences):
        return False
    qualified = oracle_qualified(doctor.qualification, day, policy)
    if shift.kind is ShiftKind.BACKUP and not qualified:
        return False
    if shift.kind is ShiftKind.DUTY and not qualified and not oracle_backups_cover(shifts, shift):
        return False
    return all(oracle_rest_ok(shift, h, policy.min_rest_hours) for h in held if h.id != shift.id)


def expected_tie_index(seed: int, shift_id: str, n: int, attempt: int = 1) -> int:
    """R-LOT-4: SHA-256 of "<seed>:<shift id>" (first pick) or "<seed>:<shift id>:<attempt>"
    as a big-endian integer, modulo the number of candidates left."""
    text = f"{seed}:{shift_id}" if attempt == 1 else f"{seed}:{shift_id}:{attempt}"
    return int(hashlib.sha256(text.encode()).hexdigest(), 16) % n


def decode(doctor_set, ids: list[str]) -> list[str]:
    """A recorded doctor set (hex bits over the period's doctors sorted by id) as ids."""
    value = int(doctor_set.bits, 16)
    members = [d for i, d in enumerate(ids) if (value >> i) & 1]
    assert len(members) == doctor_set.size, (doctor_set, members)
    assert value >> len(ids) == 0, "a doctor set names a doctor the period does not have"
    return members


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
    assert [e.shift for e in outcomes] == order, "the open shifts are drawn once each, in time order"
    draws = 0
    for event in outcomes:
        sid = event.shift
        pool = sorted(
            d.id
            for d in config.doctors
            if oracle_drawable(
                config, shifts, d, shifts[sid], wishes=before.wishes.get(d.id, 0), load=load[d.id],
                quota=quota.of(d.id), held=held[d.id],
            )
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


# -------------------------------------------------------------------------------- scenario documents
def doctor_doc(doctor_id: str, role: str = "gp", **overrides) -> dict:
    """A valid scenario doctor record (docs/scenario-format.md)."""
    doc = {
        "id": doctor_id,
        "name": f"Lege {doctor_id}",
        "role": role,
        "birth_date": "1980-05-01",
        "mobile": "+4791234567",
        "email": f"{doctor_id}@legekontor.example.no",
        "qualification": {
            "specialist_gp": "2012-06-01",
            "violence_course": "2014-03-01",
            "acute_course": "2014-03-01",
            "clinical_months": 120,
            "duty_shifts_done": 150,
            "gp_months": 100,
        },
        "exemptions": [],
        "absences": [],
        "meeting_absence": None,
    }
    doc.update(overrides)
    return doc


def minimal_doc() -> dict:
    """A small valid scenario: two weeks from Monday 2027-01-04, the example template."""
    return {
        "format": 1,
        "district": {"id": "demo", "name": "Testdistrikt legevakt", "timezone": "Europe/Oslo",
                     "policy": {"min_rest_hours": 8}},
        "period": {"id": "demo-2027-w01", "start": "2027-01-04", "end": "2027-01-17",
                   "wishes_due": "2026-11-29T12:00", "meeting_at": "2026-11-30T18:00",
                   "offering_closes": "2026-12-14T12:00"},
        "shift_template": [
            {"name": "evening", "kind": "duty", "days": ["mon", "tue", "wed", "thu", "fri"],
             "start": "16:00", "end": "23:00"},
            {"name": "day", "kind": "duty", "days": ["sat", "sun"], "start": "08:00", "end": "16:00"},
            {"name": "night", "kind": "duty", "days": "all", "start": "23:00", "end": "08:00"},
            {"name": "backup", "kind": "backup", "days": "all", "start": "16:00", "end": "08:00"},
            {"name": "backup-day", "kind": "backup", "days": ["sat", "sun"], "start": "08:00", "end": "16:00"},
        ],
        "doctors": [doctor_doc(f"gp{i:02d}") for i in range(1, 5)] + [doctor_doc("sub01", "substitute"),
                                                                       doctor_doc("st01", "staff")],
        "staff_assignments": [],
        "advance_wishes": [],
        "meeting_picks": [],
        "claims": [],
        "lottery_seed": 1,
    }


def drive_scenario(document: dict, seed: int | None = None) -> Outcome:
    """Parse a scenario document and drive it through the pure process (like /tmp/smoke.py)."""
    from domain.scenario import parse_scenario, to_period_config

    s = parse_scenario(document)
    config = to_period_config(s)

    def pairs(actions) -> list[Action]:
        return [(a.doctor, a.shift) for a in actions]

    return drive(
        config,
        staff_entries=pairs(s.staff_assignments),
        advance=pairs(s.advance_wishes),
        picks=pairs(s.meeting_picks),
        claims=pairs(s.claims),
        seed=seed if seed is not None else (config.lottery_seed or 1),
    )
