"""`vakt vacancy list | declare | assign`: vacancies after publication (R-VAC-1..3) for IT and the
desk, through the same use cases as the web service; every step recorded with the operator and,
for a doctor, for whom."""

from __future__ import annotations

from typing import Annotated

import typer

from app.periods.vacancies import assign as assign_vacancy
from app.periods.vacancies import declare_for_holder
from app.reads.vacancy_views import round_vacancies
from cli.runner import OperatorOpt, ReasonOpt, call, finish, os_user, out, print_json
from cli.text import safe

app = typer.Typer(no_args_is_help=True, help="Vacancies after publication (R-VAC-1..3).")
PeriodArg = Annotated[str, typer.Argument(help="Period id")]


@app.command("list")
def list_(period: PeriodArg, as_json: Annotated[bool, typer.Option("--json", help="JSON on stdout")] = False) -> None:
    """The round's vacancies: open, escalated, taken, assigned, uncovered."""
    found = call(lambda services: round_vacancies(services, period))
    if as_json:
        print_json(found.model_dump(mode="json"))
        finish(0)
    if not found.lines:
        out.print("No vacancies in this round.")
    for v in found.lines:
        state = "open, escalated (R-VAC-3)" if v.status == "open" and v.escalated else v.status
        taker = f" → {safe(v.taken_by)}" if v.taken_by else ""
        out.print(f"{safe(v.vacancy)}  {safe(v.shift)}  {safe(v.holder or '')}: {state}{taker} — "
                  f"reason: {safe(v.reason or '')}", soft_wrap=True, markup=False)
    finish(0)


@app.command()
def declare(period: PeriodArg, shift: Annotated[str, typer.Argument(help="Shift id, DATE/NAME")],
            reason: ReasonOpt, operator: OperatorOpt = "") -> None:
    """Declare a published shift vacant for whoever holds it (R-VAC-1)."""
    result = call(lambda services: declare_for_holder(services, None, period, shift, reason,
                                                      operator=operator or os_user()))
    out.print(f"Declared vacant: {safe(result.shift)} (vacancy {safe(result.vacancy)}), version {result.version}.",
              soft_wrap=True)
    finish(0)


@app.command()
def assign(period: PeriodArg, vacancy: Annotated[str, typer.Argument(help="Vacancy id (vakt vacancy list)")],
           doctor: Annotated[str, typer.Argument(help="Doctor id")], reason: ReasonOpt, operator: OperatorOpt = "") -> None:
    """Assign an escalated vacancy to a doctor who may legally take it (R-VAC-3)."""
    result = call(lambda services: assign_vacancy(services, None, period, vacancy, doctor, reason,
                                                  operator=operator or os_user()))
    out.print(f"Assigned: {safe(result.shift)} to {safe(doctor)}, version {result.version}.", soft_wrap=True)
    finish(0)
