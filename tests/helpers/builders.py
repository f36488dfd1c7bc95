"""Builders for the pure-domain tests: small `PeriodConfig`s made directly (no scenario document
needed), the period driven through the pure process (`domain.period.process`) the way the workflow
drives it, and scenario documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.period.calendar import PeriodCalendar
from domain.period.events import DomainEvent, PeriodOpened
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
    ShiftKind,
    ShiftTemplate,
    StandIn,
)
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
