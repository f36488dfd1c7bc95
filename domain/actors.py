"""Who acted: every event and every refusal records its actor as "KIND:WHO".

- `doctor:<doctor id>`: a doctor acting for themselves (signed in);
- `operator:<account id>` / `admin:<account id>`: clinic staff steering a round or editing the
  registry (the CLI, which has no accounts, records `operator:<name>` given with --operator);
- `operator:<account id> for doctor:<doctor id>`: an operator entering a doctor's action or
  request for them at the allocation meeting;
- `scenario:<period id>`: a simulation playing a scenario's scripted actions;
- `system:<what>`: the engine itself — `system:deadline`, `system:lottery`, `system:schedule`.
"""

from __future__ import annotations

KINDS = ("doctor", "operator", "admin", "scenario", "system")
MAX_LENGTH = 120

DEADLINE = "system:deadline"
LOTTERY = "system:lottery"
PERIOD = "system:period"  # the period itself (opening, publication)


def actor(kind: str, who: str) -> str:
    """`kind:who`, validated (ValueError names the problem, never echoes control characters)."""
    if kind not in KINDS:
        raise ValueError(f"actor kind must be one of {', '.join(KINDS)}")
    who = who.strip()
    if not who:
        raise ValueError("actor name is empty")
    if any(ord(c) < 32 or ord(c) == 127 for c in who):
        raise ValueError("actor name contains control characters")
    text = f"{kind}:{who}"
    if len(text) > MAX_LENGTH:
        raise ValueError(f"actor is longer than {MAX_LENGTH} characters")
    return text


def operator(name: str) -> str:
    return actor("operator", name)


def doctor(doctor_id: str) -> str:
    return actor("doctor", doctor_id)


FOR = " for "


def on_behalf(operator_actor: str, doctor_id: str) -> str:
    """`operator:<id> for doctor:<id>`: the operator acted, for the doctor (validated as one actor)."""
    kind, _, who = operator_actor.partition(":")
    return actor(kind, f"{who}{FOR}{doctor(doctor_id)}")


def entered_by(recorded: str, operator_actor: str) -> bool:
    """True when `recorded` is this operator, alone or acting for a doctor."""
    return recorded == operator_actor or recorded.startswith(operator_actor + FOR)
