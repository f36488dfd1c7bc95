"""Checks of a doctor's action against the rulebook. A rejected action names its rule.

A refusal has three faces: `rule` (the rulebook's ID), `code` (a stable word a page translates,
web/locale/*/refusals.po) with `params` (only the acting doctor's own facts: their shift, their
date, their rest — never another doctor), and `message` (English, for the CLI and logs).
Messages name the acting doctor and shift ids only — never contact data, an exemption's reason,
or who holds a shift: a taken shift is "already taken" (R-PROC-7), whoever asks.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from domain.period.availability import absent_on
from domain.period.calendar import PeriodCalendar
from domain.period.events import Source
from domain.model import DoctorProfile, MeetingAttendance, Phase, Policy, Role, Shift, ShiftKind
from domain.period.qualification import is_independently_qualified, why_not_qualified
from domain.period.rest import rest_clash
from domain.period.state import PeriodState


class ActionKind(StrEnum):
    """A doctor's action on one free shift. The one table of them is `ACTIONS` below."""

    STAFF_ENTRY = "staff_entry"  # R-PROC-2
    ADVANCE_WISH = "advance_wish"  # R-MEET-2
    MEETING_PICK = "meeting_pick"  # phase A
    OFFERING_CLAIM = "offering_claim"  # phase B, R-PROC-3

    @property
    def source(self) -> Source:
        return ACTIONS[self].source

    @property
    def verb(self) -> str:
        return ACTIONS[self].verb


class ActionSpec(BaseModel):
    kind: ActionKind
    verb: str  # the short word entry points use: `vakt act PERIOD claim …`, the HTTP API
    source: Source  # how the shift is held once the action is recorded
    label: str  # for people


ACTIONS: dict[ActionKind, ActionSpec] = {
    spec.kind: spec
    for spec in (
        ActionSpec(kind=ActionKind.STAFF_ENTRY, verb="staff", source=Source.STAFF, label="staff entry (R-PROC-2)"),
        ActionSpec(kind=ActionKind.ADVANCE_WISH, verb="wish", source=Source.ADVANCE_WISH, label="advance wish (R-MEET-2)"),
        ActionSpec(kind=ActionKind.MEETING_PICK, verb="pick", source=Source.MEETING, label="meeting pick (phase A)"),
        ActionSpec(kind=ActionKind.OFFERING_CLAIM, verb="claim", source=Source.OFFERING, label="offering claim (R-PROC-3)"),
    )
}
ACTION_BY_VERB: dict[str, ActionKind] = {spec.verb: kind for kind, spec in ACTIONS.items()}


class RuleViolation(BaseModel):
    rule: str
    message: str
    code: str = "other"  # stable, for translation; "other" where none is given (the operators' steps)
    params: dict[str, str] = {}  # the acting doctor's own facts only


def _violation(rule: str, message: str, code: str = "other", **params: str) -> RuleViolation:
    return RuleViolation(rule=rule, message=message, code=code, params=params)


TAKEN_MESSAGE = "already taken"


def check_action(
    state: PeriodState, calendar: PeriodCalendar, kind: ActionKind, doctor_id: str, shift_id: str, now: datetime,
    *, held: list[Shift] | None = None,
) -> RuleViolation | None:
    """The first rule the action breaks, or None when it may be recorded. `held`: the doctor's
    shifts when the caller knows them already (a board checks hundreds of shifts for one doctor;
    finding their shifts among every assignment each time made it grow with the district squared)."""
    config = state.require_config()
    doctor = config.doctor(doctor_id)
    if doctor is None:
        return _violation("R-PROC-7", f"{doctor_id} is not a doctor of district {config.district.id}", "not_on_roll")
    shift = calendar.get(shift_id)
    if shift is None:
        return _violation("R-PROC-7", f"{shift_id} is not a shift of period {config.period.id}", "no_such_shift")
    phase_problem = _phase_violation(state, kind, now)
    if phase_problem:
        return phase_problem
    if shift_id in state.assignments:  # by whom is never said: not to the doctor, not in a log line
        return _violation("R-PROC-7", f"{shift_id} is {TAKEN_MESSAGE}", "taken")
    role_problem = _role_violation(doctor, kind)
    if role_problem:
        return role_problem
    if held is None:
        held = [calendar.by_id[s] for s in state.held_by(doctor_id)]
    return eligibility_violation(config.district.policy, calendar, doctor, shift, held, voluntary=True)


def doctor_violation(state: PeriodState, kind: ActionKind, doctor_id: str, now: datetime) -> RuleViolation | None:
    """What `check_action` says of every free shift alike — the doctor is not on the roll, the
    phase does not take this action, their role may not — so a board asks it once, and asks
    `eligibility_violation` per shift only when this is None."""
    config = state.require_config()
    doctor = config.doctor(doctor_id)
    if doctor is None:
        return _violation("R-PROC-7", f"{doctor_id} is not a doctor of district {config.district.id}", "not_on_roll")
    return _phase_violation(state, kind, now) or _role_violation(doctor, kind)


def _phase_violation(state: PeriodState, kind: ActionKind, now: datetime) -> RuleViolation | None:
    config = state.require_config()
    if kind is ActionKind.STAFF_ENTRY:
        if state.phase is not Phase.MEETING or state.meeting_open:
            return _violation("R-PROC-2", "staff shifts are entered before the meeting opens", "staff_closed")
    elif kind is ActionKind.ADVANCE_WISH:
        if state.phase is not Phase.MEETING or state.meeting_open or now > config.period.wishes_due:
            due = config.period.wishes_due.strftime("%Y-%m-%d %H:%M")
            return _violation("R-MEET-2", f"advance wishes are accepted before the meeting, until {due}", "wishes_closed", due=due)
    elif kind is ActionKind.MEETING_PICK:
        if state.phase is not Phase.MEETING or not state.meeting_open:
            return _violation("R-PROC-7", f"meeting picks are not accepted in phase {_phase_name(state)}", "phase_closed")
    elif kind is ActionKind.OFFERING_CLAIM:
        if state.phase is not Phase.OFFERING:
            return _violation("R-PROC-7", f"offering claims are not accepted in phase {_phase_name(state)}", "phase_closed")
    return None


def _phase_name(state: PeriodState) -> str:
    if state.phase is Phase.MEETING and not state.meeting_open:
        return "meeting (not yet open)"
    return state.phase.value


def _role_violation(doctor: DoctorProfile, kind: ActionKind) -> RuleViolation | None:
    if kind is ActionKind.STAFF_ENTRY:
        if doctor.role is not Role.STAFF:
            return _violation("R-PROC-2", f"{doctor.id} is not a staff doctor; only staff shifts are pre-entered", "role_not_staff")
        return None
    if kind is ActionKind.OFFERING_CLAIM:
        if doctor.role is Role.STAFF:
            return _violation("R-PROC-3", f"{doctor.id} is a staff doctor; the offering is for GPs and substitutes", "role_staff")
        return None
    # The meeting and its advance wishes belong to the GPs and those standing in for them (R-EX-5).
    if doctor.role is Role.STAFF:
        return _violation("R-PROC-2", f"{doctor.id} is a staff doctor; staff shifts are entered before the meeting", "role_staff")
    if doctor.role is Role.SUBSTITUTE and doctor.stands_in is None:
        return _violation("R-PROC-3", f"{doctor.id} is a substitute; substitutes claim shifts in the offering", "role_substitute")
    if kind is ActionKind.ADVANCE_WISH and not doctor.valid_meeting_absence:
        return _violation("R-MEET-2", f"{doctor.id} has no valid absence from the meeting; wishes are given there", "no_meeting_absence")
    if kind is ActionKind.MEETING_PICK and doctor.meeting is not MeetingAttendance.ATTENDED:
        return _violation("R-MEET-1", f"{doctor.id} was absent from the meeting and could not pick there", "absent_from_meeting")
    return None


def eligibility_violation(
    policy: Policy,
    calendar: PeriodCalendar,
    doctor: DoctorProfile,
    shift: Shift,
    held: list[Shift],
    *,
    voluntary: bool,
) -> RuleViolation | None:
    """Whether this doctor may work this shift at all, beside the shifts they hold.

    Shared by action checks and the lottery so both apply the same rules. `voluntary` lets the
    district's back-to-back policy relax the rest minimum (R-REST-1); draws never get that.
    """
    qualified = is_independently_qualified(doctor.qualification, shift.day, policy)
    if shift.kind is ShiftKind.BACKUP and not qualified:
        reason = why_not_qualified(doctor.qualification, shift.day)
        return _violation("R-QUAL-2", f"{doctor.id} is not independently qualified ({reason}); {shift.id} is a backup shift",
                          "qual_backup")
    if shift.kind is ShiftKind.DUTY and not qualified and not calendar.backup_can_cover(shift):
        return _violation("R-QUAL-3", f"{doctor.id} is not independently qualified and no backup shift covers {shift.id}",
                          "qual_no_backup")
    if absent_on(doctor, shift.day):
        return _violation("R-LOT-2", f"{doctor.id} is registered absent on {shift.day.isoformat()}", "absent",
                          day=shift.day.isoformat())
    clash = rest_clash(shift, held, policy.min_rest_hours, allow_back_to_back=voluntary and policy.allow_back_to_back)
    if clash:  # `other` is one of this doctor's own shifts
        return _violation("R-REST-1", f"{shift.id} {clash.text()} for {doctor.id}", f"rest_{clash.kind}",
                          other=clash.other, hours=f"{clash.hours:g}", minimum=f"{clash.minimum:g}")
    return None
