"""Vacancies in the published round (R-VAC-1..3): three validated updates, a durable timer for
escalation and the shift's start, and the vacancy notices sent in small batches.

- `declare` (the holder, or an operator for them), `take` (a doctor for themselves, first valid
  wins, R-PROC-3) and `assign` (an operator, once escalated) each have a validator: a refusal
  writes nothing. The decisions are domain/period/vacancies.py.
- `watch` runs beside the deadline loop and the published round: while a vacancy is open it
  sleeps on a durable timer until the next escalation or shift start, then records
  `VacancyEscalated` / `VacancyUncovered` as `system:vacancy`. With no vacancy open it waits
  on the state alone, so a round without vacancies schedules nothing (older histories replay).
- Notices (domain/mail/vacancy_notices.py) are decided on the state just before their event and
  queued in `CarriedState.vacancy_notices`; `send_notices` sends at most `BATCH` per workflow
  task (one declaration may tell dozens of doctors), operators through `alert_operators`. The
  sent-log makes each message go once. Only notifying periods queue mail, and only histories
  that declared a vacancy under this code carry the `vacancies` patch marker.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.mail_models import SEND_MAIL_RETRY, SEND_MAIL_START_TO_CLOSE
    from activities.operator_mail_models import OperatorAlertInput, OperatorAlertResult
    from domain import actors
    from domain.mail.vacancy_notices import still_news, vacancy_notices
    from domain.period.vacancies import (
        assign_vacancy,
        declare_vacancy,
        next_vacancy_time,
        take_vacancy,
        vacancies_due,
    )
    from workflows.mail import send_notices
    from workflows.period.errors import refuse_if_violation
    from workflows.period.runtime import PeriodRuntime
    from workflows.vacancy_messages import (
        AssignVacancyInput,
        DeclareVacancyInput,
        QueuedVacancyNotice,
        TakeVacancyInput,
        VacancyResult,
    )

VACANCIES_PATCH = "vacancies"
BATCH = 20  # mail activities scheduled per workflow task
WATCHER = actors.actor("system", "vacancy")


class VacancyDesk:
    def __init__(self, runtime: PeriodRuntime) -> None:
        self.rt = runtime
        self.stop = False

    # ----------------------------------------------------------------------- updates

    def _result(self, decision) -> VacancyResult:
        refuse_if_violation(decision)
        return VacancyResult(vacancy=decision.vacancy, shift=decision.shift, version=self.rt.state.version + 1)

    def _declare(self, inp: DeclareVacancyInput, vacancy_id: str):
        rt = self.rt
        return declare_vacancy(rt.state, rt.calendar, vacancy_id=vacancy_id, holder=inp.holder, shift_id=inp.shift,
                               reason=inp.reason, now=rt.now())

    def validate_declare(self, inp: DeclareVacancyInput) -> None:
        self.rt.admit()
        self._result(self._declare(inp, "to-be-assigned"))

    def declare(self, inp: DeclareVacancyInput) -> VacancyResult:
        self.rt.accepted()
        workflow.patched(VACANCIES_PATCH)  # a marker: this history has vacancies
        decision = self._declare(inp, str(workflow.uuid4()))
        result = self._result(decision)
        self._record([decision], inp.actor)
        return result

    def _take(self, inp: TakeVacancyInput):
        rt = self.rt
        return take_vacancy(rt.state, rt.calendar, vacancy_id=inp.vacancy, doctor=inp.doctor, now=rt.now())

    def validate_take(self, inp: TakeVacancyInput) -> None:
        self.rt.admit()
        self._result(self._take(inp))

    def take(self, inp: TakeVacancyInput) -> VacancyResult:
        self.rt.accepted()
        decision = self._take(inp)  # decided again: an earlier update in this task may have taken it
        result = self._result(decision)
        self._record([decision], inp.actor)
        return result

    def _assign(self, inp: AssignVacancyInput):
        rt = self.rt
        return assign_vacancy(rt.state, rt.calendar, vacancy_id=inp.vacancy, doctor=inp.doctor, reason=inp.reason,
                              now=rt.now())

    def validate_assign(self, inp: AssignVacancyInput) -> None:
        self.rt.admit()
        self._result(self._assign(inp))

    def assign(self, inp: AssignVacancyInput) -> VacancyResult:
        self.rt.accepted()
        decision = self._assign(inp)
        result = self._result(decision)
        self._record([decision], inp.actor)
        return result

    # ------------------------------------------------------------------ time passing

    async def watch(self) -> None:
        """Escalate and report uncovered vacancies as time passes (R-VAC-3), until told to stop
        or the run continues as new (the next run watches the carried vacancies)."""
        rt = self.rt
        while not (self.stop or rt.continuing):
            due = vacancies_due(rt.state, rt.calendar, rt.now())
            if due:
                self._record(due, WATCHER)
                continue
            wake = next_vacancy_time(rt.state, rt.calendar)
            version = rt.state.version
            timeout = max((wake - rt.now()).total_seconds(), 0.001) if wake else None
            try:
                await workflow.wait_condition(
                    lambda: rt.state.version != version or self.stop or rt.continuing,
                    timeout=timedelta(seconds=timeout) if timeout is not None else None,
                )
            except asyncio.TimeoutError:
                pass

    # ------------------------------------------------------------------------ notices

    def _record(self, events: list, actor: str) -> None:
        rt = self.rt
        queue = rt.carried.vacancy_notices
        for event in events:
            if rt.input.notify:
                queue.extend(QueuedVacancyNotice(doctor=doctor, facts=facts)
                             for doctor, facts in vacancy_notices(rt.state, rt.calendar, event))
            rt.record([event], actor)

    async def send_notices(self) -> None:
        """Sends what is queued, `BATCH` at a time, until told to stop and drained (or the run
        continues as new, carrying the queue)."""
        rt = self.rt
        queue = rt.carried.vacancy_notices
        while True:
            await workflow.wait_condition(lambda: bool(queue) or self.stop or rt.continuing)
            if rt.continuing or not queue:
                return
            batch = queue[:BATCH]
            config = rt.state.require_config()
            news = [n for n in batch if still_news(rt.state, n.facts)]
            rt.notifying += 1
            try:
                await asyncio.gather(
                    send_notices(config, [(n.doctor, n.facts) for n in news if n.doctor is not None]),
                    *(self._alert_operators(n.facts) for n in news if n.doctor is None),
                )
            finally:
                rt.notifying -= 1
            del queue[: len(batch)]

    async def _alert_operators(self, facts) -> OperatorAlertResult:
        config = self.rt.state.require_config()
        return await workflow.execute_activity(
            "alert_operators",
            OperatorAlertInput(
                period_id=config.period.id, district_id=config.district.id, district_name=config.district.name,
                period_start=config.period.start, period_end=config.period.end, facts=facts,
            ),
            result_type=OperatorAlertResult,
            start_to_close_timeout=SEND_MAIL_START_TO_CLOSE,
            retry_policy=SEND_MAIL_RETRY,
        )

    # ------------------------------------------------------------------------ lifetime

    def start(self, notify: bool) -> list[asyncio.Task]:
        tasks = [asyncio.create_task(self.watch())]
        if notify:
            tasks.append(asyncio.create_task(self.send_notices()))
        return tasks

    async def finish(self, tasks: list[asyncio.Task]) -> None:
        self.stop = True
        for task in tasks:
            await task
