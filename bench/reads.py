"""A period in its offering, stored as the workflow would have stored it, for the read benchmark
(bench/bench_reads.py): no Temporal, since a read needs none.

The district's doctors go on a registry roll of their own (sign-in finds them there); the events
are made by the pure process (domain.period.process) from the scenario's own scripted actions —
staff entries, advance wishes, meeting picks — and the meeting is closed, so the board offers
every shift left, with the rule check of each. They are appended through the event store, so
the projections and the hash chain are the real ones. Sessions are minted with the service's
secret, as a confirmed sign-in link would make them.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from activities.store_models import AppendEventsInput, NewEvent
from app.bootstrap import Services
from app.identity.sessions import encode_session, new_session
from app.registry.districts import import_scenario
from domain.identity import Principal
from domain.model import OSLO_TZ, PeriodConfig, Role
from domain.period.calendar import PeriodCalendar
from domain.period.events import DomainEvent, PeriodOpened
from domain.period.process import close_phase, decide_action, open_meeting
from domain.period.rules import ActionKind, RuleViolation
from domain.period.state import PeriodState, apply
from domain.scenario import parse_scenario, to_period_config

BATCH = 500  # events per append, as the workflow's batched append activity


@dataclass(frozen=True)
class StoredPeriod:
    config: PeriodConfig
    events: int
    open_shifts: int
    shifts: int


def offering_config(document: dict, period_id: str, district_id: str) -> PeriodConfig:
    """The scenario's period, its meeting just behind it and its offering open for a day."""
    config = to_period_config(parse_scenario(document))
    now = datetime.now(OSLO_TZ).replace(microsecond=0)
    period = config.period.model_copy(update={
        "id": period_id, "wishes_due": now - timedelta(hours=3), "meeting_at": now - timedelta(hours=2),
        "offering_closes": now + timedelta(days=1),
    })
    policy = config.district.policy.model_copy(update={"meeting_duration_hours": 1.0})
    district = config.district.model_copy(update={"id": district_id, "policy": policy})
    return config.model_copy(update={"period": period, "district": district})


def offering_events(document: dict, config: PeriodConfig) -> tuple[list[DomainEvent], PeriodState]:
    """PeriodOpened, the scenario's staff entries, advance wishes and meeting picks (those the
    rules accept), the meeting opened and closed: the round is in its offering."""
    scenario = parse_scenario(document)
    calendar = PeriodCalendar.from_config(config)
    events: list[DomainEvent] = [PeriodOpened(config=config)]
    state = apply(PeriodState(), events[0])
    period = config.period

    def act(kind: ActionKind, actions, now: datetime) -> None:
        nonlocal state
        for a in actions:
            result = decide_action(state, calendar, kind, a.doctor, a.shift, now)
            if not isinstance(result, RuleViolation):
                events.append(result)
                state = apply(state, result)

    def step(event: DomainEvent) -> None:
        nonlocal state
        events.append(event)
        state = apply(state, event)

    act(ActionKind.STAFF_ENTRY, scenario.staff_assignments, period.wishes_due - timedelta(days=1))
    act(ActionKind.ADVANCE_WISH, scenario.advance_wishes, period.wishes_due - timedelta(minutes=1))
    step(open_meeting(state, calendar))
    act(ActionKind.MEETING_PICK, scenario.meeting_picks, period.meeting_at)
    step(close_phase(state))
    return events, state


async def store_period(services: Services, document: dict, period_id: str, district_id: str, work: Path,
                       *, name: str) -> StoredPeriod:
    """The district on the registry roll and its period, in the offering, in the event store."""
    document = json.loads(json.dumps(document))
    document["district"]["id"] = district_id
    path = work / f"{district_id}.json"
    path.write_text(json.dumps(document))
    await import_scenario(services, district_id, path, name=name, actor="admin:bench")
    config = offering_config(document, period_id, district_id)
    events, state = offering_events(document, config)
    store = (await services.database()).store
    now = datetime.now(OSLO_TZ)
    for first in range(0, len(events), BATCH):
        batch = [
            NewEvent(event_id=uuid.uuid4(), version=first + i + 1, type=e.type, data=e.model_dump(mode="json"),
                     occurred_at=now, actor="system:bench")
            for i, e in enumerate(events[first:first + BATCH])
        ]
        await store.append(AppendEventsInput(stream_id=period_id, stream_kind="live", events=batch))
    shifts = len(PeriodCalendar.from_config(config).shifts)
    return StoredPeriod(config, len(events), shifts - len(state.assignments), shifts)


def doctor_cookies(config: PeriodConfig, emails: dict[str, str], secret: str, count: int) -> dict[str, str]:
    """A session cookie for each of the first `count` GPs and substitutes: the session names only
    the address; who it is on which roll is derived from the registry on each request."""
    doctors = [d.id for d in config.doctors if d.role is not Role.STAFF and d.id in emails][:count]
    now = datetime.now(OSLO_TZ)
    return {
        d: encode_session(new_session(Principal(email=emails[d], name=d, roles=("doctor",)), now), secret)
        for d in doctors
    }


def operator_cookie(email: str, secret: str) -> str:
    now = datetime.now(OSLO_TZ)
    return encode_session(new_session(Principal(email=email, name="Bench Operator", roles=("operator",)),
                                      now), secret)
