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

from domain.period.calendar import PeriodCalendar
from domain.district import CarryPolicy
from domain.period.roster import DoctorLoad, loads
from domain.period.state import PeriodState


def carry_forward(previous: Mapping[str, float], loads: Mapping[str, DoctorLoad], policy: CarryPolicy) -> dict[str, float]:
    """Each doctor's carried balance after a period, from the one they carried into it and the
    period's loads (domain.period.roster.loads)."""
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


def balances_after(state: PeriodState, calendar: PeriodCalendar, policy: CarryPolicy) -> dict[str, float]:
    """What the doctors of a published period carry into the district's next one: what they
    carried into it, decayed, plus the period's balance (held shifts are the shifts they will
    work; a shift given away in a swap counts for the doctor who took it, R-LOAD-1)."""
    config = state.require_config()
    previous = {d.id: d.carried for d in config.doctors if d.carried}
    return carry_forward(previous, loads(state, calendar), policy)
