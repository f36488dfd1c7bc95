"""What the period's queries answer, read from the runtime's state (no query changes anything).
The workflow class (workflow.py) declares `phase`, `coverage` and `doctor_progress` and
delegates here."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.period.process import next_step_text
    from domain.period.quota import shift_weight
    from domain.period.vacancy_state import uncovered_vacancy_shifts
    from workflows.messages import CoverageView, DoctorProgress, DoctorProgressInput, PhaseView
    from workflows.period.runtime import PeriodRuntime


def phase_view(rt: PeriodRuntime) -> PhaseView:
    return PhaseView(
        period=rt.input.config.period.id,
        phase=rt.state.phase,
        meeting_open=rt.state.meeting_open,
        now=rt.now(),
        next_deadline=rt.next_deadline(),
        # R-LOT-5: a lottery waiting for its beacon says so, not just "roster is published".
        next_step=rt.seeds.waiting or next_step_text(rt.state.phase, rt.state.meeting_open) or "",
        version=rt.state.version,
        stored_version=rt.carried.stored_version,
        simulated=rt.input.simulated,
    )


def coverage_view(rt: PeriodRuntime) -> CoverageView:
    state = rt.state
    by_source: dict[str, int] = {}
    for a in state.assignments.values():
        by_source[a.source.value] = by_source.get(a.source.value, 0) + 1
    total = len(rt.calendar.shifts)
    vacant = len(uncovered_vacancy_shifts(state.vacancies))  # R-VAC-3: held, but started uncovered
    covered = len(state.assignments) - vacant
    return CoverageView(
        total=total,
        covered=covered,
        open=total - covered - len(state.uncovered) - vacant,
        by_source=by_source,
        uncovered=len(state.uncovered) + vacant,
        unsafe=len(state.unsafe),
    )


def doctor_progress(rt: PeriodRuntime, inp: DoctorProgressInput) -> DoctorProgress:
    state = rt.state
    weights = rt.input.config.district.policy.weights
    held = state.held_by(inp.doctor)
    return DoctorProgress(
        doctor=inp.doctor,
        quota=state.quota.of(inp.doctor) if state.quota else None,
        shifts=held,
        wishes=state.wishes.get(inp.doctor, 0),
        points=sum(shift_weight(rt.calendar.by_id[s], weights) for s in held),
    )
