"""Changing a district's standing policy setting by setting (`vakt district set-policy`), and
what changed, for the registry's history.

A setting is named by its dotted path in `DistrictPolicy` (`min_rest_hours`,
`rounds.meeting_weeks_before`, `carry.enabled`, `weights.night` …) and given as `NAME=VALUE`;
the value is read as JSON when it is JSON (`6`, `false`, `1.5`, `null`, `[...]`) and as text
otherwise (`18:00`). The new policy is validated as a whole, so no change leaves a policy the
engine would not accept; problems name the setting, never the value.
"""

from __future__ import annotations

import json
import types
from collections.abc import Sequence
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from domain.district import DistrictPolicy
from domain.registry.records import RegistryError


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class a field holds (`WeightPolicy | None` → WeightPolicy), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        for arg in get_args(annotation):
            if (found := _model_in(arg)) is not None:
                return found
    return None


def setting_names(model: type[BaseModel] = DistrictPolicy, prefix: str = "") -> list[str]:
    """Every setting a policy has, as dotted paths."""
    names = []
    for name, field in model.model_fields.items():
        inner = _model_in(field.annotation)
        if inner is not None:
            if field.default is None:  # optional as a whole (`weights`): may be set to null
                names.append(prefix + name)
            names.extend(setting_names(inner, f"{prefix}{name}."))
        else:
            names.append(prefix + name)
    return names


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def apply_policy_changes(policy: DistrictPolicy, settings: Sequence[str]) -> DistrictPolicy:
    """The policy with each `NAME=VALUE` applied; RegistryError naming every bad setting."""
    known = set(setting_names())
    document = policy.model_dump(mode="json")
    problems = []
    for n, setting in enumerate(settings, start=1):
        name, sep, text = setting.partition("=")
        name = name.strip()
        if not sep:
            problems.append(f"setting {n}: not NAME=VALUE")
        elif name not in known:
            problems.append(f"setting {n}: no policy setting of that name; the settings are {', '.join(sorted(known))}")
        else:
            *parents, leaf = name.split(".")
            node = document
            for part in parents:
                if node.get(part) is None:
                    node[part] = {}
                node = node[part]
            node[leaf] = _value(text.strip())
    if problems:
        raise RegistryError(problems)
    try:
        return DistrictPolicy.model_validate(document)
    except ValidationError as e:
        raise RegistryError([
            f"{'.'.join(str(p) for p in err['loc']) or 'policy'}: {str(err['msg']).removeprefix('Value error, ')}"
            for err in e.errors()
        ]) from None


def flatten(policy: DistrictPolicy) -> dict[str, Any]:
    """The policy as {dotted setting: JSON value}."""
    out: dict[str, Any] = {}

    def walk(value: Any, prefix: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{prefix}{key}.")
        else:
            out[prefix.rstrip(".")] = value

    walk(policy.model_dump(mode="json"), "")
    return out


def policy_diff(old: DistrictPolicy | None, new: DistrictPolicy) -> dict[str, dict[str, Any]]:
    """Changed settings as {setting: {"old": …, "new": …}}; every setting when `old` is None."""
    before, after = (flatten(old) if old is not None else {}), flatten(new)
    return {
        key: {"old": before.get(key), "new": after.get(key)}
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    }
