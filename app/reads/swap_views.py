"""The doctor's swaps page, with people named by name: the board's swap lines carry doctor ids
(the workflow's language), but a page must never show another doctor's id. Names come from the
district's registry, as `colleagues` does; the page then turns a chosen name back into an id on
the server, so ids never travel to the browser.

Two doctors may share a name (the example roll has two "Tone Bakken"): each gets a numbered
label ("Tone Bakken (2)") in a fixed order, so the label still picks exactly one person."""

from __future__ import annotations

from datetime import date

from app.bootstrap import Services
from app.identity.access import own_doctor, period_district
from app.reads.doctor_views import colleagues, period_state
from app.validate import period_id as valid_period_id
from domain.identity import Principal


def labels(people: list[tuple[str, str]]) -> dict[str, str]:
    """label → id for (id, name) pairs: the name, numbered in id order when names repeat."""
    ordered = sorted(people, key=lambda p: (p[1].casefold(), p[0]))
    counts: dict[str, int] = {}
    for _, name in ordered:
        counts[name] = counts.get(name, 0) + 1
    seen: dict[str, int] = {}
    found: dict[str, str] = {}
    for doctor, name in ordered:
        if counts[name] > 1:
            seen[name] = seen.get(name, 0) + 1
            found[f"{name} ({seen[name]})"] = doctor
        else:
            found[name] = doctor
    return found


async def colleague_labels(services: Services, principal: Principal | None, period: str) -> dict[str, str]:
    """The period's other doctors, label → id (the swap form's list and its answer)."""
    return labels([(c.doctor, c.name) for c in await colleagues(services, principal, period)])


async def swap_names(services: Services, principal: Principal | None, period: str) -> dict[str, str]:
    """id → label of every doctor of the period's district (givers and receivers of offers)."""
    district = await period_district(services, valid_period_id(period, "period"))
    own_doctor(principal, district)
    doctors = await (await services.database()).registry.doctors(district, as_of=None)
    return {doctor: label for label, doctor in labels([(d.id, d.name) for d in doctors]).items()}


async def period_dates(services: Services, period: str) -> tuple[date, date]:
    """The period's first and last day, for its title."""
    config = (await period_state(services, valid_period_id(period, "period"))).require_config()
    return config.period.start, config.period.end
