"""A scenario document's district and doctors as a registry import.

The scenario is validated first (`domain.scenario.parse_scenario`), then each doctor becomes a
registry record and is checked as one (R-DATA-1, R-EX-2: a granted discretionary exemption
names who decided it and when). Problems name the scenario's JSON path, never the value.
A scenario's stand-in without dates stands in for the scenario's whole period. What belongs to
one period only — meeting attendance, scripted actions, the lottery seed — is not imported.
"""

from __future__ import annotations

from typing import Any

from domain.district import DistrictPolicy
from domain.registry.records import RegistryDoctor, RegistryError, RegistryImport, parse_doctor, roll_problems
from domain.scenario import Scenario, ScenarioDoctor, engine_policy, shift_templates

_PATHS = {
    "specialist_gp": "qualification.specialist_gp",
    "violence_course": "qualification.violence_course",
    "acute_course": "qualification.acute_course",
    "clinical_months": "qualification.clinical_months",
    "duty_shifts_done": "qualification.duty_shifts_done",
    "gp_months": "qualification.gp_months",
    "stand_ins": "substitute_for",
}


def _record(d: ScenarioDoctor, s: Scenario) -> dict[str, Any]:
    q = d.qualification
    return {
        "id": d.id,
        "role": d.role,
        "name": d.name,
        "mobile": d.mobile,
        "email": str(d.email),
        "birth_date": d.birth_date,
        "qualification": {
            "specialist_gp": q.specialist_gp,
            "violence_course": q.violence_course,
            "acute_course": q.acute_course,
            "clinical_months": q.clinical_months,
            "duty_shifts_done": q.duty_shifts_done,
            "gp_months": q.gp_months,
        },
        "exemptions": [
            {
                "reason": e.reason,
                "from": e.from_,
                "to": e.to,
                "granted": e.granted,
                "decided_by": e.decided_by,
                "decided_at": e.decided_at,
                "applied_on": e.applied_on,
            }
            for e in d.exemptions
        ],
        "absences": [{"from": a.from_, "to": a.to, "reason": a.reason} for a in d.absences],
        "stand_ins": (
            [{
                "substitute_for": d.substitute_for,
                "from": d.substitute_from or s.period.start,
                "to": d.substitute_to or s.period.end,
            }]
            if d.substitute_for is not None
            else []
        ),
    }


def registry_from_scenario(s: Scenario) -> RegistryImport:
    """The scenario's district (name, policy, shift template) and doctors; RegistryError with
    every problem as `doctors[i].field: reason`."""
    doctors: list[RegistryDoctor] = []
    problems = []
    for i, d in enumerate(s.doctors):
        doctor, found = parse_doctor(i, _record(d, s))
        problems += found
        if doctor is not None:
            doctors.append(doctor)
    if not problems:
        problems = roll_problems(doctors, lambda i: f"doctors[{i}]")
    if problems:
        raise RegistryError(
            [f"doctors[{p.index}].{_PATHS.get(p.field, p.field)}: {p.reason}" for p in sorted(problems)],
            bad_records=len({p.index for p in problems}),
        )
    return RegistryImport(
        doctors=tuple(doctors),
        name=s.district.name,
        policy=DistrictPolicy.model_validate(engine_policy(s).model_dump()),
        shift_template=shift_templates(s),
    )
