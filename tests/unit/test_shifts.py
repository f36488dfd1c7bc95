"""R-TIME-1: shifts from the template, Europe/Oslo wall clock, lengths true across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.period.calendar import PeriodCalendar
from domain.model import ShiftKind, ShiftTemplate
from domain.period.shifts import count_shifts, generate_shifts
from tests.helpers.builders import EXAMPLE_TEMPLATE, WEEKDAYS, gp, make_config
from tests.helpers.oracle import oracle_shifts

SPRING_SATURDAY = date(2027, 3, 27)  # clocks go forward 02:00 -> 03:00 on Sunday 2027-03-28
AUTUMN_SATURDAY = date(2027, 10, 30)  # clocks go back 03:00 -> 02:00 on Sunday 2027-10-31


def calendar_for(start: date, days: int = 7, template=EXAMPLE_TEMPLATE) -> PeriodCalendar:
    return PeriodCalendar.from_config(make_config([gp("gp1")], start=start, days=days, template=template))


def test_r_time_1_shift_ids_are_date_slash_name():
    """R-TIME-1 / scenario format: a shift id is `DATE/NAME`, the local date the shift starts."""
    cal = calendar_for(date(2027, 1, 4), days=2)
    ids = {s.id for s in cal.shifts}
    assert ids == {
        "2027-01-04/evening",
        "2027-01-04/night",
        "2027-01-04/backup",
        "2027-01-05/evening",
        "2027-01-05/night",
        "2027-01-05/backup",
    }
    for s in cal.shifts:
        day, name = s.id.split("/")
        assert date.fromisoformat(day) == s.day == s.local_start.date()
        assert name == s.name


def test_r_time_1_night_runs_23_to_08_next_day():
    """R-TIME-1: `2027-01-04/night` runs from 23:00 on the 4th to 08:00 on the 5th (Oslo)."""
    night = calendar_for(date(2027, 1, 4), days=1).get("2027-01-04/night")
    assert night.local_start.replace(tzinfo=None) == datetime(2027, 1, 4, 23, 0)
    assert night.local_end.replace(tzinfo=None) == datetime(2027, 1, 5, 8, 0)
    assert night.start == datetime(2027, 1, 4, 22, 0, tzinfo=UTC)  # CET = UTC+1
    assert night.hours == 9


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2027, 1, 4), 9),
        (date(2027, 3, 20), 9),  # the Saturday before the change
        (SPRING_SATURDAY, 8),  # R-TIME-1: the night from the last Saturday of March is shorter
        (date(2027, 3, 28), 9),  # Sunday night, already summer time
        (date(2027, 7, 1), 9),
        (date(2027, 10, 29), 9),
        (AUTUMN_SATURDAY, 10),  # the night from the last Saturday of October is longer
        (date(2027, 10, 31), 9),
    ],
)
def test_r_time_1_night_length_across_dst(day, hours):
    """R-TIME-1: night 23:00 -> 08:00 is 9 h, 8 h on 2027-03-27, 10 h on 2027-10-30."""
    shift = calendar_for(day, days=1).get(f"{day.isoformat()}/night")
    assert shift.hours == hours
    assert shift.end - shift.start == timedelta(hours=hours)
    assert shift.local_start.hour == 23 and shift.local_end.hour == 8


@pytest.mark.parametrize(
    ("day", "hours"), [(date(2027, 3, 20), 16), (SPRING_SATURDAY, 15), (AUTUMN_SATURDAY, 17), (date(2027, 11, 6), 16)]
)
def test_r_time_1_backup_16_to_08_across_dst(day, hours):
    """R-TIME-1: backup 16:00 -> 08:00 is 16 h, 15 h over spring-forward, 17 h over fall-back."""
    shift = calendar_for(day, days=1).get(f"{day.isoformat()}/backup")
    assert shift.kind is ShiftKind.BACKUP
    assert shift.hours == hours
    assert (shift.local_start.hour, shift.local_end.hour) == (16, 8)


def test_r_time_1_day_shift_on_dst_sunday_is_eight_hours():
    """R-TIME-1: 08:00 -> 16:00 on the DST Sundays is a plain 8 h shift (the change is at night)."""
    for sunday in (date(2027, 3, 28), date(2027, 10, 31)):
        shift = calendar_for(sunday, days=1).get(f"{sunday.isoformat()}/day")
        assert shift.hours == 8


def test_r_time_1_listed_days_versus_all():
    """R-TIME-1: a template with listed days makes shifts only on those weekdays; `all` on each day."""
    cal = calendar_for(date(2027, 1, 4), days=14)
    by_name: dict[str, list[date]] = {}
    for s in cal.shifts:
        by_name.setdefault(s.name, []).append(s.day)
    assert len(by_name["night"]) == 14 and len(by_name["backup"]) == 14
    assert len(by_name["evening"]) == 10
    assert {WEEKDAYS[d.weekday()] for d in by_name["evening"]} == {"mon", "tue", "wed", "thu", "fri"}
    assert len(by_name["day"]) == 4 and len(by_name["backup-day"]) == 4
    assert {WEEKDAYS[d.weekday()] for d in by_name["day"]} == {"sat", "sun"}
    assert len(cal.shifts) == 14 + 14 + 10 + 4 + 4


def test_r_time_1_days_all_is_expanded_on_import():
    """R-TIME-1: `days: "all"` in a scenario becomes all seven weekdays."""
    from domain.scenario import parse_scenario, to_period_config
    from tests.helpers.builders import minimal_doc

    doc = minimal_doc()
    doc["shift_template"] = [{"name": "night", "kind": "duty", "days": "all", "start": "23:00", "end": "08:00"}]
    config = to_period_config(parse_scenario(doc))
    assert config.shift_template[0].days == WEEKDAYS
    assert len(generate_shifts(config)) == (config.period.end - config.period.start).days + 1


def test_r_time_1_shifts_sorted_by_start_then_id():
    """R-TIME-1: shifts are ordered by their true (UTC) start, ties by id."""
    cal = calendar_for(date(2027, 3, 22), days=14)
    keys = [(s.start, s.id) for s in cal.shifts]
    assert keys == sorted(keys)
    sat = [s.id for s in cal.shifts if s.day == date(2027, 3, 27)]
    assert sat == ["2027-03-27/backup-day", "2027-03-27/day", "2027-03-27/backup", "2027-03-27/night"]


def test_r_time_1_night_of_last_day_belongs_to_period():
    """R-TIME-1: a shift belongs to the period by its start date; the last night runs past the end."""
    cal = calendar_for(date(2027, 1, 4), days=3)
    last = cal.get("2027-01-06/night")
    assert last is not None and last.local_end.date() == date(2027, 1, 7)
    assert cal.get("2027-01-07/evening") is None
    assert cal.get("2027-01-03/night") is None


def test_r_time_1_generation_matches_independent_zoneinfo_computation():
    """R-TIME-1: every shift of a year's template equals a plain zoneinfo recomputation."""
    config = make_config([gp("gp1")], start=date(2027, 1, 1), days=365)
    cal = PeriodCalendar.from_config(config)
    oracle = oracle_shifts(config)
    assert {s.id for s in cal.shifts} == set(oracle)
    for s in cal.shifts:
        o = oracle[s.id]
        assert (s.start, s.end, s.kind, s.day) == (o.start, o.end, o.kind, o.day), s.id


def test_r_time_1_same_day_template_and_cross_midnight_template():
    """R-TIME-1: end <= start means the shift ends the next day; end > start the same day."""
    template = (
        ShiftTemplate(name="late", kind=ShiftKind.DUTY, days=WEEKDAYS, start="18:00", end="00:00"),
        ShiftTemplate(name="early", kind=ShiftKind.DUTY, days=WEEKDAYS, start="00:00", end="06:30"),
    )
    cal = calendar_for(date(2027, 5, 3), days=1, template=template)
    late, early = cal.get("2027-05-03/late"), cal.get("2027-05-03/early")
    assert late.hours == 6 and late.local_end.date() == date(2027, 5, 4)
    assert early.hours == 6.5 and early.local_end.date() == date(2027, 5, 3)
    assert [s.id for s in cal.shifts] == ["2027-05-03/early", "2027-05-03/late"]


def test_r_time_1_nonexistent_and_ambiguous_wall_clock_starts():
    """R-TIME-1: 02:30 on the spring night does not exist and resolves forward (03:30 CEST); 02:30 on
    the autumn night is ambiguous and means its first occurrence (CEST)."""
    template = (ShiftTemplate(name="small", kind=ShiftKind.DUTY, days=WEEKDAYS, start="02:30", end="06:00"),)
    spring = calendar_for(date(2027, 3, 28), days=1, template=template).shifts[0]
    assert spring.start == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert spring.local_start.hour == 3 and spring.hours == 2.5
    autumn = calendar_for(date(2027, 10, 31), days=1, template=template).shifts[0]
    assert autumn.start == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert autumn.hours == 4.5


@pytest.mark.parametrize("start,days", [(date(2027, 1, 4), 14), (date(2027, 1, 6), 1), (date(2027, 3, 27), 10),
                                        (date(2027, 1, 1), 365), (date(2027, 5, 9), 0)])
def test_the_number_of_shifts_is_counted_without_making_them(start, days):
    config = make_config([gp("gp1")], start=start, days=max(days, 1))
    if days == 0:
        config = config.model_copy(update={"period": config.period.model_copy(update={"end": start - timedelta(days=1)})})
    assert count_shifts(config) == len(generate_shifts(config))
