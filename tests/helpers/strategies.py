"""Hypothesis strategies: small random districts, periods across 2027 (DST nights included) and
random action lists, legal and illegal, for the pure period process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import strategies as st

from domain.model import (
    DateRange,
    DoctorProfile,
    ExemptionGrant,
    MeetingAttendance,
    PeriodConfig,
    Policy,
    Qualification,
    QualificationException,
    Role,
    StandIn,
    WeightPolicy,
)
from tests.helpers.builders import QUALIFIED, UNQUALIFIED, make_config
from tests.helpers.oracle import oracle_shifts

DST_DAYS = (date(2027, 3, 27), date(2027, 3, 28), date(2027, 10, 30), date(2027, 10, 31))
BOGUS_SHIFTS = ("2099-01-01/night", "2027-01-01/lunch", "nonsense")
BOGUS_DOCTORS = ("ghost",)


@dataclass(frozen=True)
class Case:
    config: PeriodConfig
    staff_entries: tuple[tuple[str, str], ...]
    advance: tuple[tuple[str, str], ...]
    picks: tuple[tuple[str, str], ...]
    claims: tuple[tuple[str, str], ...]
    seed: int
    late_advance: bool


@st.composite
def periods(draw) -> tuple[date, int]:
    """(start, days): 3-21 days from a random 2027 date, often spanning a DST night."""
    days = draw(st.integers(3, 21))
    if draw(st.booleans()):
        target = draw(st.sampled_from(DST_DAYS))
        start = target - timedelta(days=draw(st.integers(0, days - 1)))
    else:
        start = draw(st.dates(date(2027, 1, 1), date(2027, 12, 31)))
    return start, days


def _date_near(start: date, end: date, before: int = 40, after: int = 10):
    return st.dates(start - timedelta(days=before), end + timedelta(days=after))


@st.composite
def ranges(draw, start: date, end: date, open_ended: bool = False) -> DateRange:
    first = draw(_date_near(start, end, before=20))
    if open_ended and draw(st.booleans()):
        return DateRange(start=first, end=None)
    return DateRange(start=first, end=first + timedelta(days=draw(st.integers(0, 12))))


def qualifications(start: date, end: date):
    when = st.one_of(st.none(), _date_near(start, end, before=600, after=5))
    return st.one_of(
        st.just(QUALIFIED),
        st.just(QUALIFIED),
        st.just(UNQUALIFIED),
        st.builds(
            Qualification,
            specialist_gp=when,
            violence_course=when,
            acute_course=when,
            clinical_months=st.integers(0, 60),
            duty_shifts_done=st.integers(0, 80),
            gp_months=st.integers(0, 24),
        ),
    )


@st.composite
def doctors(draw, start: date, end: date) -> tuple[DoctorProfile, ...]:
    n_gp = draw(st.integers(3, 12))
    n_sub = draw(st.integers(0, 3))
    n_staff = draw(st.integers(0, 2))
    meeting = st.sampled_from(
        [MeetingAttendance.ATTENDED] * 3 + [MeetingAttendance.VALID_ABSENCE, MeetingAttendance.UNEXCUSED]
    )
    out: list[DoctorProfile] = []
    gp_ids = [f"gp{i:02d}" for i in range(n_gp)]
    for gid in gp_ids:
        out.append(
            DoctorProfile(
                id=gid,
                role=Role.GP,
                qualification=draw(qualifications(start, end)),
                exemptions=tuple(
                    ExemptionGrant(rule=draw(st.sampled_from(["R-EX-1", "R-EX-2"])), range=r)
                    for r in draw(st.lists(ranges(start, end, open_ended=True), max_size=2))
                    if draw(st.integers(0, 2)) == 0  # most GPs are not exempt
                ),
                absences=tuple(draw(st.lists(ranges(start, end), max_size=2))),
                meeting=draw(meeting),
            )
        )
    for i in range(n_sub):
        stands_in = None
        if draw(st.booleans()):
            r = draw(ranges(start, end))
            stands_in = StandIn(gp=draw(st.sampled_from(gp_ids)), range=r)
        out.append(
            DoctorProfile(
                id=f"sub{i}",
                role=Role.SUBSTITUTE,
                qualification=draw(qualifications(start, end)),
                absences=tuple(draw(st.lists(ranges(start, end), max_size=1))),
                meeting=draw(meeting),
                stands_in=stands_in,
            )
        )
    for i in range(n_staff):
        out.append(
            DoctorProfile(
                id=f"st{i}",
                role=Role.STAFF,
                qualification=draw(st.one_of(st.just(QUALIFIED), qualifications(start, end))),
                absences=tuple(draw(st.lists(ranges(start, end), max_size=1))),
            )
        )
    return tuple(out)


@st.composite
def policies(draw, start: date, end: date) -> Policy:
    weights = draw(
        st.one_of(
            st.none(),
            st.builds(
                WeightPolicy,
                night=st.sampled_from([1.0, 1.5, 2.0]),
                weekend=st.sampled_from([1.0, 1.25, 2.0]),
                public_holiday=st.sampled_from([1.0, 3.0]),
            ),
        )
    )
    exceptions: tuple[QualificationException, ...] = ()
    if draw(st.integers(0, 3)) == 0:
        exceptions = (
            QualificationException(
                name="local",
                until=draw(_date_near(start, end, before=10, after=0)),
                min_clinical_months=draw(st.integers(0, 30)),
                requires_acute_course=draw(st.booleans()),
            ),
        )
    return Policy(
        min_rest_hours=draw(st.sampled_from([0.0, 8.0, 8.0, 11.0])),
        allow_back_to_back=draw(st.booleans()),
        weights=weights,
        qualification_exceptions=exceptions,
    )


@st.composite
def cases(draw) -> Case:
    start, days = draw(periods())
    end = start + timedelta(days=days - 1)
    docs = draw(doctors(start, end))
    config = make_config(docs, start=start, days=days, policy=draw(policies(start, end)), seed=None)
    shift_ids = sorted(oracle_shifts(config))
    ids = [d.id for d in docs]
    staff_ids = [d.id for d in docs if d.role is Role.STAFF] or ids
    absent_ids = [d.id for d in docs if d.meeting is MeetingAttendance.VALID_ABSENCE] or ids
    # Mostly real shift ids, now and then one that is not in the period (R-PROC-7).
    shift = st.integers(0, 9).flatmap(
        lambda k: st.sampled_from(BOGUS_SHIFTS) if k == 0 else st.sampled_from(shift_ids)
    )

    def actions(people: list[str], max_size: int, min_size: int = 0):
        who = st.integers(0, 9).flatmap(
            lambda k: st.sampled_from(people) if k < 6 else st.sampled_from(ids + list(BOGUS_DOCTORS))
        )
        return st.lists(st.tuples(who, shift), min_size=min_size, max_size=max_size).map(tuple)

    n = len(shift_ids)
    return Case(
        config=config,
        staff_entries=draw(actions(staff_ids, max(2, n // 4))),
        advance=draw(actions(absent_ids, max(2, n // 6))),
        picks=draw(actions(ids, n, min_size=n // 4)),
        claims=draw(actions(ids, max(2, n // 3))),
        seed=draw(st.integers(-(2**40), 2**40)),
        late_advance=draw(st.integers(0, 5)) == 0,
    )
