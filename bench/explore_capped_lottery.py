"""Search generated districts with a weekly cap (R-LOAD-3) for draws below the exact optimum.

    .venv/bin/python bench/explore_capped_lottery.py FIRST LAST OUT.jsonl

District number i (FIRST <= i < LAST) draws its parameters from `random.Random(i)` over the
district generator's range — 6-14 doctors, 2-5 weeks, caps of one and two, absence rates up to
0.7, thin meetings — and is checked as `tests/reference/test_capped_reference.py` checks its
corpus: the lottery's draws within the cap against CP-SAT with the cap as a rule (coverage, then
the largest deficit, then the largest overshoot). One JSON line per district, appended to OUT:
the parameters, the lottery's figures, the reference's, `exact`, and the seconds it took.
The figures of docs/lottery.md §9 come from numbers 0-299 and 300-359.
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reference.test_capped_reference import _check  # noqa: E402


def params_of(i: int) -> dict:
    r = random.Random(i)
    start = date(2027, 1, 4) + timedelta(days=r.randint(0, 330))
    return {
        "doctors": r.randint(6, 14), "days": 7 * r.randint(2, 5), "start": start.isoformat(),
        "seed": r.randint(0, 10**6),
        "qualified_share": r.choice([0.3, 0.4, 0.5, 0.7, 0.9]),
        "absence_rate": r.choice([0.1, 0.3, 0.5, 0.7]),
        "absence_length": r.choice([1.0, 1.5, 2.5]),
        "meeting_share": r.choice([0.05, 0.15, 0.3, 0.5]),
        "valid_absence_rate": r.choice([0.0, 0.1, 0.25]),
        "exemption_rate": r.choice([0.0, 0.1, 0.2]),
        "stand_in_rate": r.choice([0.0, 0.1]),
        "substitutes": r.randint(0, 2), "staff": r.randint(0, 1), "min_rest_hours": 8,
        "max_shifts_per_week": r.choice([1, 2]),
    }


def main() -> None:
    first, last, out_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with open(out_path, "a", encoding="utf-8") as out:
        for i in range(first, last):
            params = params_of(i)
            started = time.time()
            try:
                got, ref, _, exact = _check(params)
                broken = None
            except AssertionError as e:  # a rule broken is a finding too
                got, ref, exact, broken = None, None, False, str(e)[:300]
            out.write(json.dumps({"i": i, "exact": exact, "got": got, "ref": str(ref)[:200], "broken": broken,
                                  "seconds": round(time.time() - started, 2), "params": params}) + "\n")
            out.flush()
            print(f"district {i}: {'exact' if exact else 'NOT exact'} {got} vs {ref}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main()
