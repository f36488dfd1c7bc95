"""Record a published round that goes through vacancies (R-VAC-1..3), for the replay test:

    .venv/bin/python -m tests.replay.record --vacancies

A live, notifying period of the example district after publication: one vacancy declared by
its holder and taken by a colleague (the holder and operator told), one left until its
escalation timer fires and then assigned by an operator, one left open until its shift starts
(uncovered); shifts worked as they end; continue-as-new every 10 updates. Written to
tests/replay/histories/vacancies/.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.replay.record import HISTORIES, WORKFLOW_ID, write_runs

VACANCIES = HISTORIES / "vacancies"


async def record_vacancies(out: Path = VACANCIES) -> list[Path]:
    from app.identity.accounts import add_account
    from domain.model import Phase
    from domain.period.vacancies import eligible_doctors
    from tests.replay.published_round import published_round
    from workflows.period import AllocationPeriodWorkflow
    from workflows.vacancy_messages import AssignVacancyInput, DeclareVacancyInput, TakeVacancyInput

    async def operator(services):
        return await add_account(services, "kari.nordmann@klinikk.example.no", "operator", "Kari Nordmann",
                                 actor="admin:recorder", districts=["demo"])

    async with published_round(prepare=operator) as r:
        chosen, holders = [], set()
        for shift, held in sorted(r.state.assignments.items(), key=lambda kv: (r.calendar.by_id[kv[0]].start, kv[0])):
            if (held.doctor.startswith("gp") and held.doctor not in holders
                    and r.calendar.by_id[shift].start > r.view.now + timedelta(days=3)
                    and eligible_doctors(r.state, r.calendar, shift)):
                chosen.append((held.doctor, shift))
                holders.add(held.doctor)
            if len(chosen) == 3:
                break
        (assigned_holder, assigned_shift), (taken_holder, taken_shift), (open_holder, open_shift) = chosen

        async def declare(holder, shift):
            asked = DeclareVacancyInput(holder=holder, shift=shift, reason="syk", actor=f"doctor:{holder}")
            return (await r.update(AllocationPeriodWorkflow.declare_vacancy, asked)).vacancy

        taken = await declare(taken_holder, taken_shift)
        taker = eligible_doctors(r.state, r.calendar, taken_shift)[0]
        await r.update(AllocationPeriodWorkflow.take_vacancy,
                       TakeVacancyInput(vacancy=taken, doctor=taker, actor=f"doctor:{taker}"))
        to_assign = await declare(assigned_holder, assigned_shift)
        await declare(open_holder, open_shift)  # left open until its shift starts
        start = r.calendar.by_id[assigned_shift].start
        await r.env.sleep(start - timedelta(hours=48) - r.view.now + timedelta(minutes=1))
        doctor = next(d for d in eligible_doctors(r.state, r.calendar, assigned_shift) if d != taker)
        await r.update(AllocationPeriodWorkflow.assign_vacancy, AssignVacancyInput(
            vacancy=to_assign, doctor=doctor, reason="ringt", actor=f"operator:{r.prepared.account_id} for doctor:{doctor}"))
        result = await r.handle.result()  # the server skips to the last shift's end
        assert result.phase is Phase.PUBLISHED and result.runs > 1, result
        types = [e.type for e in await r.store.read_stream(WORKFLOW_ID)]
        for kind in ("VacancyTaken", "VacancyEscalated", "VacancyAssigned", "VacancyUncovered"):
            assert kind in types, kind
        return await write_runs(r.env.client, r.first_run, out)
