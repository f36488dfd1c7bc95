"""The one clock: fixed for tests, shifted by VAKT_NOW, the wall clock otherwise (R-TIME-1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.bootstrap import Services
from app.errors import BadInput
from domain.clock import FixedClock, as_oslo, oslo_today
from domain.model import OSLO_TZ
from infra.clock import ShiftedClock, SystemClock, clock_from_env
from infra.settings import Settings


def test_a_naive_time_is_oslo_wall_clock_and_an_aware_one_is_converted():
    assert as_oslo(datetime(2027, 3, 28, 1, 30)).utcoffset() == timedelta(hours=1)  # before DST starts
    assert as_oslo(datetime(2027, 3, 28, 3, 30)).utcoffset() == timedelta(hours=2)
    assert as_oslo(datetime(2027, 1, 1, 23, 30, tzinfo=UTC)) == datetime(2027, 1, 2, 0, 30, tzinfo=OSLO_TZ)


def test_today_is_the_oslo_date_whatever_the_servers_zone():
    assert oslo_today(FixedClock(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))).isoformat() == "2027-01-01"


def test_vakt_now_starts_the_clock_on_another_day_and_it_runs_on():
    clock = clock_from_env({"VAKT_NOW": "2028-02-29"})
    assert isinstance(clock, ShiftedClock)
    assert clock.now().astimezone(OSLO_TZ).replace(second=0, microsecond=0) == datetime(2028, 2, 29, 9, 0, tzinfo=OSLO_TZ)
    assert clock.now() > clock.now() - timedelta(seconds=1)
    assert isinstance(clock_from_env({}), SystemClock)


def test_a_bad_vakt_now_is_named_as_bad_input(tmp_path):
    env = {"VAKT_NOW": "next tuesday", "VAKT_DATA_DIR": str(tmp_path)}
    with pytest.raises(BadInput, match="VAKT_NOW: not a date"):
        Services(Settings.from_env(env), env=env)
