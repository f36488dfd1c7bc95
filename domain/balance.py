"""Fairness across periods (R-LOAD-1): a doctor's balance carries into the district's next period.

A period's balance of a doctor is the points they hold (worked, once shifts are worked) minus
their quota. With the district's CarryPolicy, the next period starts them at

    carried' = clamp(carried × decay + balance, −cap, +cap)

and the lottery's deficit includes it (R-LOT-3): a GP who carried extra shifts in the spring is
drawn after those who carried fewer. Doctors without a quota in a period (exempt all of it,
staff, substitutes not standing in) keep their balance, decayed.
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.district import CarryPolicy
from domain.roster import DoctorLoad


def carry_forward(previous: Mapping[str, float], loads: Mapping[str, DoctorLoad], policy: CarryPolicy) -> dict[str, float]:
    """Each doctor's carried balance after a period, from the one they carried into it and the
    period's loads (domain.roster.loads)."""
    if not policy.enabled:
        return {}
    out: dict[str, float] = {}
    for doctor in sorted(set(previous) | set(loads)):
        carried = previous.get(doctor, 0.0) * policy.decay
        load = loads.get(doctor)
        if load is not None and load.quota > 0:
            carried += load.points - load.quota
        out[doctor] = round(max(-policy.cap, min(policy.cap, carried)), 3)
    return out
