"""Generated districts for the exact-reference tests: a hypothesis strategy and a fixed hard set.

Both go through `tools.district_generator` (pure, seeded) and the pure period process
(`tests.helpers.builders.drive_scenario`), so a failing case reproduces from its parameters alone.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from tests.helpers.builders import Outcome, drive_scenario
from tools.district_generator import generate_district

WEIGHTS = ({"night": 1.5, "weekend": 1.25}, {"night": 2.0, "weekend": 1.0, "public_holiday": 3.0})


@st.composite
def small_districts(draw, variants: bool = False) -> dict[str, Any]:
    """Parameters of a small district (6-14 doctors, 2-5 weeks, often tight): fast to solve
    exactly. The default policy (8 h rest, no weights); with `variants`, 11 h rest or a weight
    policy (R-LOAD-2) as well."""
    start = date(2027, 1, 4) + timedelta(days=draw(st.integers(0, 330)))
    params: dict[str, Any] = {
        "doctors": draw(st.integers(6, 14)),
        "days": 7 * draw(st.integers(2, 5)),
        "start": start.isoformat(),
        "seed": draw(st.integers(0, 10**6)),
        "qualified_share": draw(st.sampled_from([0.3, 0.4, 0.5, 0.7, 0.9])),
        "absence_rate": draw(st.sampled_from([0.1, 0.3, 0.5, 0.7])),
        "absence_length": draw(st.sampled_from([1.0, 1.5, 2.5])),
        "meeting_share": draw(st.sampled_from([0.05, 0.15, 0.3, 0.5])),
        "valid_absence_rate": draw(st.sampled_from([0.0, 0.1, 0.25])),
        "exemption_rate": draw(st.sampled_from([0.0, 0.1, 0.2])),
        "stand_in_rate": draw(st.sampled_from([0.0, 0.1])),
        "substitutes": draw(st.integers(0, 2)),
        "staff": draw(st.integers(0, 1)),
        "min_rest_hours": 8,
    }
    if variants:
        params["min_rest_hours"] = draw(st.sampled_from([8, 11]))
        if params["min_rest_hours"] == 8 or draw(st.booleans()):
            params["weights"] = draw(st.sampled_from(WEIGHTS))
    return params


def hard_district(seed: int) -> dict[str, Any]:
    """Issue 10's hard kind: 12-18 GPs, half or more not independently qualified, 8-20 weeks,
    heavy absences, thin meetings. Drawn from `random.Random(seed)`."""
    r = random.Random(seed)
    return {
        "doctors": r.randint(12, 18) + 2,
        "stations": 1,
        "days": 7 * r.randint(8, 20),
        "seed": seed,
        "qualified_share": r.uniform(0.25, 0.5),
        "absence_rate": r.uniform(0.3, 0.7),
        "absence_length": r.uniform(1, 2.5),
        "meeting_share": r.uniform(0.05, 0.25),
        "substitutes": r.randint(0, 2),
        "staff": 0,
    }


# Hard districts where the plain sequential draw (largest deficit first) fell short of the exact
# optimum in coverage or in the largest deficit, plus a few it handled, for contrast.
HARD_SEEDS = (3, 8, 15, 21, 24, 25, 26, 37, 38, 0, 12, 28)


def outcome_of(params: dict[str, Any]) -> Outcome:
    params = dict(params)
    cap = params.pop("max_shifts_per_week", None)
    doc = generate_district(**params)
    if cap is not None:  # R-LOAD-3: the district's weekly cap
        doc["district"].setdefault("policy", {})["max_shifts_per_week"] = cap
    return drive_scenario(doc)
