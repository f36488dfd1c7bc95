"""A period's config from the district registry: what the scheduled starter hands a workflow.

The same rules as a scenario's config (`domain.registry.profiles`), then the same minimisation
(`domain.registry.minimise`): the workflow gets no contact data, no birth date, no exemption reason and
no decision, only ranges within the period and the rule that grants them.

Registry facts the period reads:
- the roll: doctors on it some day of the period (joined by its end, not left before its
  start). Days of the period before `joined_on` or after `left_on` are absences, so the lottery
  never draws a doctor who is not on the roll that day (R-LOT-2);
- exemptions in force (R-EX-1 by right, age from the 60th birthday; R-EX-2 only when granted;
  R-EX-3 an application after the meeting is not in force for this period);
- absences, and from them the meeting attendance: an absence covering the meeting's date whose
  reason is one R-MEET-1 accepts (illness, vacation, course, on_duty, approved_other) is a valid
  absence from the meeting; everyone else is expected there;
- stand-ins (R-EX-5): one per substitute and period; a stand-in for a GP not on the period's roll
  is left out;
- `carried`: each doctor's carried balance (R-LOAD-1), computed elsewhere; 0 when not given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from domain.registry.minimise import minimise
from domain.model import DateRange, District, DoctorProfile, MeetingAttendance, PeriodConfig, PeriodDates, Role, StandIn
from domain.registry.profiles import VALID_MEETING_ABSENCE, meeting_day, profile
from domain.registry.records import DistrictRecord, RegistryDoctor, RegistryError


def _off_roll(d: RegistryDoctor, first: date, last: date) -> list[DateRange]:
    ranges = []
    if d.joined_on is not None and d.joined_on > first:
        ranges.append(DateRange(start=first, end=d.joined_on - timedelta(days=1)))
    if d.left_on is not None and d.left_on < last:
        ranges.append(DateRange(start=d.left_on + timedelta(days=1), end=last))
    return ranges


def _meeting_absence(d: RegistryDoctor, day: date) -> str | None:
    """R-MEET-1: a registered absence on the meeting's date with a reason the rule accepts."""
    for a in d.absences:
        reason = a.reason.strip().lower()
        if a.from_ <= day <= a.to and reason in VALID_MEETING_ABSENCE:
            return reason
    return None


def _stand_in(d: RegistryDoctor, dates: PeriodDates, gps: set[str]) -> StandIn | None:
    """R-EX-5: the substitute's stand-in within the period, if any (the engine takes one)."""
    within = [
        s for s in d.stand_ins
        if s.substitute_for in gps and s.from_ <= dates.end and (s.to is None or s.to >= dates.start)
    ]
    if len(within) > 1:
        raise RegistryError([
            f"{d.id}: stands in for more than one GP within period {dates.id}; "
            "a period takes one stand-in per substitute (R-EX-5)"
        ])
    if not within:
        return None
    s = within[0]
    return StandIn(gp=s.substitute_for, range=DateRange(start=s.from_, end=s.to or dates.end))


def period_config_from_registry(
    district: DistrictRecord,
    doctors: Sequence[RegistryDoctor],
    dates: PeriodDates,
    *,
    carried: Mapping[str, float] | None = None,
    lottery_seed: int | None = None,
) -> PeriodConfig:
    """The minimised config of the period `dates` for the district's roll. `carried` maps a
    doctor id to their carried balance (ids not on the period's roll are ignored)."""
    first, last = dates.start, dates.end
    roll = sorted((d for d in doctors if d.on_roll(first, last)), key=lambda d: d.id)
    gps = {d.id for d in roll if d.role is Role.GP}
    day = meeting_day(dates.meeting_at)
    carried = carried or {}
    profiles = tuple(
        profile(
            doctor_id=d.id,
            role=d.role,
            qualification_facts=d.qualification,
            exemptions=d.exemptions,
            birth_date=d.birth_date,
            absences=[*(DateRange(start=a.from_, end=a.to) for a in d.absences), *_off_roll(d, first, last)],
            meeting_day=day,
            meeting_absence=_meeting_absence(d, day),
            stands_in=_stand_in(d, dates, gps) if d.role is Role.SUBSTITUTE else None,
            carried=float(carried.get(d.id, 0.0)),
        )
        for d in roll
    )
    return minimise(PeriodConfig(
        district=District(
            id=district.id, name=district.name, timezone=district.timezone, policy=district.policy.engine_policy()
        ),
        period=dates,
        shift_template=district.shift_template,
        doctors=profiles,
        lottery_seed=lottery_seed,
    ))


def amended_profile(current: DoctorProfile, from_registry: DoctorProfile) -> DoctorProfile:
    """A running round's doctor after a registry change (before its meeting): the registry's
    profile, except what the registry cannot say. The registry knows a valid absence from the
    meeting (R-MEET-1) only as an absence on its date; the round may know more (a period
    started from a scenario scripts who comes, and an unexcused absence). So a registered valid
    absence counts, and otherwise the round keeps its attendance; the carried balance is the
    one the period started with (R-LOAD-1)."""
    meeting = from_registry.meeting
    if meeting is not MeetingAttendance.VALID_ABSENCE:
        meeting = current.meeting
    return from_registry.model_copy(update={"meeting": meeting, "carried": current.carried})
