"""A district's policy changed setting by setting (`vakt district set-policy`): validated as a
whole through DistrictPolicy (R-PROC-5 rounds, R-LOAD-1 carry, R-REST-1 …), problems named by
setting and never by value, and the changed settings for the history."""

from __future__ import annotations

from datetime import time

import pytest

from domain.district import DistrictPolicy
from domain.model import WeightPolicy
from domain.registry.records import RegistryError
from domain.registry.policy import apply_policy_changes, policy_diff, setting_names


def test_settings_are_read_as_json_or_text_and_validated():
    policy = apply_policy_changes(DistrictPolicy(), [
        "rounds.meeting_weeks_before=6", "carry.enabled=false", "rounds.meeting_time=17:30", "min_rest_hours = 11",
    ])
    assert policy.rounds.meeting_weeks_before == 6 and policy.carry.enabled is False
    assert policy.rounds.meeting_time == time(17, 30) and policy.min_rest_hours == 11
    assert policy.rounds.invitation_weeks_before == DistrictPolicy().rounds.invitation_weeks_before  # untouched


def test_an_optional_part_can_be_set_field_by_field_and_removed():
    weighted = apply_policy_changes(DistrictPolicy(), ["weights.night=2"])
    assert weighted.weights == WeightPolicy(night=2)
    assert apply_policy_changes(weighted, ["weights=null"]).weights is None


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        (["rounds.meeting_weeks_before"], "setting 1: not NAME=VALUE"),
        (["carry.enabled=true", "rounds.sekret=1"], "setting 2: no policy setting of that name; the settings are allow_back_to_back,"),
        (["rounds.meeting_weeks_before=60"], "rounds.meeting_weeks_before: Input should be less than or equal to 26"),
        (["carry.enabled=perhaps-9123"], "carry.enabled: Input should be a valid boolean"),
        (["rounds.months=5"], "rounds.months: Input should be 3, 4, 6 or 12"),
    ],
)
def test_a_bad_setting_is_named_and_its_value_never_repeated(settings, problem):
    with pytest.raises(RegistryError) as caught:
        apply_policy_changes(DistrictPolicy(), settings)
    assert caught.value.problems[0].startswith(problem), caught.value.problems
    assert "sekret" not in str(caught.value) and "9123" not in str(caught.value) and "60" not in str(caught.value)


def test_the_diff_names_each_changed_setting_with_old_and_new():
    new = apply_policy_changes(DistrictPolicy(), ["rounds.meeting_weeks_before=6", "carry.enabled=false"])
    assert policy_diff(DistrictPolicy(), new) == {
        "carry.enabled": {"old": True, "new": False},
        "rounds.meeting_weeks_before": {"old": 5, "new": 6},
    }
    assert policy_diff(new, new) == {}
    assert set(policy_diff(None, new)) >= {"carry.enabled", "rounds.months", "min_rest_hours"}


def test_every_setting_of_the_policy_can_be_named():
    names = set(setting_names())
    assert {"min_rest_hours", "weights", "weights.night", "rounds.meeting_weekday", "carry.decay"} <= names
    assert "rounds" not in names and "carry" not in names
