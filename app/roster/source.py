"""A round as the roster's reads need it: its events parsed, folded and indexed once per stored
version, for the pages and exports of one round read one after another.

Reads go through `app.reads.stored` (the stored events, live or simulated). A round's parse and
fold (a 1,000-doctor year: ~10,000 events, about 0.4 s) is kept for the newest few rounds read,
keyed by the stream's stored version (one indexed row per request): when the round has new
events, only those are read, parsed and folded onto the kept state, so nothing stale is shown
and a swap does not cost a whole parse. When `app/reads` keeps a read model of its own,
`round_source` reads through it instead, and this memo goes.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from app.bootstrap import Services
from app.reads.stored import store_of, stored_period
from app.validate import period_id
from domain.period.calendar import PeriodCalendar
from domain.period.events import DomainEvent, LotteryDrawn, parse_event
from domain.period.ledger import RosterEntry, roster_entries
from domain.period.state import PeriodState, fold

KEEP = 4  # rounds kept parsed per process


@dataclass
class RoundSource:
    period: str
    version: int
    events: list[DomainEvent]
    state: PeriodState
    calendar: PeriodCalendar
    _entries: list[RosterEntry] | None = field(default=None, repr=False)

    @property
    def entries(self) -> list[RosterEntry]:
        if self._entries is None:
            self._entries = roster_entries(self.state, self.calendar, self.events)
        return self._entries

    @property
    def draws(self) -> dict[int, LotteryDrawn]:
        return {e.draw: e for e in self.events if isinstance(e, LotteryDrawn)}


_kept: OrderedDict[tuple[str, str, bool], RoundSource] = OrderedDict()


async def round_source(services: Services, period: str) -> RoundSource:
    """The round's events, state and calendar as of its newest stored event."""
    period = period_id(period, "period")
    store, simulated = await store_of(services, period)
    # Which database: two services (a test's, a benchmark's) may hold a round of the same id.
    key = (services.settings.database_url or str(services.settings.data_dir), period, simulated)
    version = await store.stored_version(period)
    kept = _kept.get(key)
    if kept is not None and kept.version == version:
        _kept.move_to_end(key)
        return kept
    if kept is not None and kept.version < version:  # only the new events: parsed and folded onto a copy of the kept state
        new = [parse_event(e.data) for e in await store.read_stream(period, after_version=kept.version)]
        state = fold(new, kept.state)
        source = RoundSource(period=period, version=state.version, events=[*kept.events, *new], state=state,
                             calendar=kept.calendar)  # the shifts never change within a round
    else:
        stored = await stored_period(services, period)
        state = fold(stored.events)
        source = RoundSource(period=period, version=state.version, events=stored.events, state=state,
                             calendar=PeriodCalendar.from_config(state.require_config()))
    _kept[key] = source
    while len(_kept) > KEEP:
        _kept.popitem(last=False)
    return source
