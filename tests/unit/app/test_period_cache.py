"""The read model (app/reads/period_cache.py): a period folded a few events at a time equals the
fold of its whole stream at every version, with the same lookups and the same boards; a read
never serves a fold older than the version it was told; the whole stream is read once, after
that only the new events; a stream written anew, or one with a gap, is folded from the start."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import timedelta

import pytest

from app.reads.live import LiveBoards, board_changes
from app.reads.period_cache import BOARD_TYPES, PeriodCache
from domain.clock import FixedClock
from domain.period.calendar import PeriodCalendar
from domain.period.doctor_board import action_now, doctor_board
from domain.period.rules import check_action
from domain.period.events import DoctorAmended, DomainEvent, SwapAccepted, SwapOffered
from domain.period.roster import loads
from domain.period.state import apply, fold
from domain.period.swaps import accept_swap, offer_swap
from domain.period.view import PeriodView
from domain.model import Phase
from tests.helpers.builders import drive, gp, make_config, staff
from tests.helpers.fake_db import FakeEventStore

PERIOD_DAYS = 14


def random_period(seed: int) -> tuple[list[DomainEvent], PeriodCalendar]:
    """A whole period's events, its actions drawn at random: picks, claims, the lottery, then
    swaps offered and taken after publication."""
    rng = random.Random(seed)
    doctors = [gp(f"gp{i:02d}") for i in range(1, 9)] + [staff("st01")]
    config = make_config(doctors, days=PERIOD_DAYS, seed=seed)
    calendar = PeriodCalendar.from_config(config)
    ids = [s.id for s in calendar.shifts]
    gps = [d.id for d in doctors if d.id.startswith("gp")]

    def actions(n: int) -> list[tuple[str, str]]:
        return [(rng.choice(gps), rng.choice(ids)) for _ in range(n)]

    outcome = drive(config, picks=actions(rng.randint(5, 40)), claims=actions(rng.randint(0, 30)), seed=seed)
    events, state = list(outcome.events), outcome.state
    now = calendar.shifts[0].start - timedelta(days=3)
    for number in range(rng.randint(0, 12)):
        shift, held = rng.choice(sorted(state.assignments.items()))
        offer = offer_swap(state, calendar, swap_id=f"s{number}", giver=held.doctor, shift_id=shift,
                           receiver=rng.choice([None, *gps]), now=now)
        if isinstance(offer, SwapOffered):
            events.append(offer)
            state = apply(state, offer)
            taken = accept_swap(state, calendar, swap_id=offer.swap, receiver=rng.choice(gps), now=now)
            if isinstance(taken, SwapAccepted):
                events.append(taken)
                state = apply(state, taken)
    return events, calendar


def chunks(events: list, rng: random.Random) -> list[list]:
    out, i = [], 0
    while i < len(events):
        n = rng.choice([1, 1, 2, 3, 7, 20])
        out.append(events[i:i + n])
        i += n
    return out


@pytest.mark.parametrize("seed", range(8))
async def test_folding_a_few_events_at_a_time_equals_folding_the_whole_stream(seed):
    events, calendar = random_period(seed)
    store, cache = FakeEventStore(), PeriodCache()
    period = "p"
    store.add_stream(period, [])
    written: list = []
    for part in chunks(events, random.Random(seed)):
        store.append(period, part)
        written += part
        folded = await cache.folded(store, period)
        whole = fold(written)
        assert folded.version == len(written) == whole.version
        assert folded.state == whole
        view, fresh = folded.view, PeriodView(whole, calendar)
        for doctor in [d.id for d in whole.config.doctors]:
            assert view.held(doctor) == tuple(calendar.by_id[s] for s in whole.held_by(doctor))
        assert view.loads == loads(whole, calendar)
        assert view.quota == fresh.quota
    # The whole stream was read once; every later read began after the version already folded.
    assert cache.full_folds == 1 and cache.events_folded == len(events)
    afters = [after for _, after, _ in store.reads]
    assert afters[0] == 0 and all(a > 0 for a in afters[1:])
    assert afters == sorted(afters)


def _now_in(state, calendar):
    """A moment in the state's phase: the meeting while it runs, the offering's last hour, else
    a week before the period."""
    period = state.config.period
    if state.phase is Phase.MEETING:
        return period.meeting_at if state.meeting_open else period.wishes_due - timedelta(hours=1)
    if state.phase is Phase.OFFERING:
        return period.offering_closes - timedelta(hours=1)
    return calendar.shifts[0].start - timedelta(days=7)


@pytest.mark.parametrize("seed", range(4))
async def test_a_board_from_the_kept_fold_equals_one_from_the_whole_stream(seed):
    events, calendar = random_period(seed)
    store, cache = FakeEventStore(), PeriodCache()
    closed = [i for i, e in enumerate(events) if e.type == "PhaseClosed"]
    opened = next(i for i, e in enumerate(events) if e.type == "MeetingOpened")
    store.add_stream("p", events[:2])
    await cache.folded(store, "p")
    shown = 0
    for cut in sorted({opened + 3, closed[0] + 1, closed[0] + 4, closed[1], len(events) - 2, len(events)}):
        store.append("p", events[len(store.streams["p"]):cut])
        folded = await cache.folded(store, "p")
        whole = fold(events[:cut])
        now = _now_in(whole, calendar)
        for doctor in [d.id for d in whole.config.doctors]:
            for month in (None, calendar.months[-1]):
                kept = doctor_board(folded.state, folded.calendar, doctor, now, month, view=folded.view)
                fresh = doctor_board(whole, PeriodCalendar.from_config(whole.config), doctor, now, month)
                assert kept.model_dump() == fresh.model_dump()
                action, _ = action_now(whole, doctor, now)
                for option in kept.options:  # each row says what the workflow's own check would say
                    said = check_action(whole, calendar, action, doctor, option.shift, now)
                    assert (option.allowed, option.rule, option.reason, option.code) == (
                        (True, None, None, None) if said is None else (False, said.rule, said.message, said.code))
                shown += len(kept.options)
    assert shown > 100


async def test_a_read_never_serves_a_fold_older_than_the_version_it_was_told():
    events, _ = random_period(1)
    store, cache = FakeEventStore(), PeriodCache()
    store.add_stream("p", events[:5])
    assert (await cache.folded(store, "p")).version == 5
    for n in range(6, 12):  # a write between two reads is seen by the next read, whatever was kept
        store.append("p", [events[n - 1]])
        assert (await cache.folded(store, "p")).version == n

    class Racing(FakeEventStore):
        """Events stored between the read of the version and the read of the events."""

        async def read_stream(self, stream_id, after_version=0, types=None, limit=None):
            if len(self.streams["p"]) < 15:
                self.append("p", events[len(self.streams["p"]):15])
            return await super().read_stream(stream_id, after_version, types, limit)

    racing = Racing()
    racing.add_stream("p", events[:12])
    folded = await PeriodCache().folded(racing, "p")
    assert folded.version == 15 and folded.state == fold(events[:15])  # newer than told: fine; never older


async def test_two_processes_over_one_store_each_follow_every_write():
    events, _ = random_period(2)
    store, first, second = FakeEventStore(), PeriodCache(), PeriodCache()
    store.add_stream("p", events[:10])
    await first.folded(store, "p")
    store.append("p", events[10:20])  # written through the other process
    assert (await second.folded(store, "p")).state == fold(events[:20])
    assert (await first.folded(store, "p")).state == fold(events[:20])


async def test_readers_arriving_together_read_the_new_events_once():
    events, _ = random_period(3)
    store, cache = FakeEventStore(), PeriodCache()
    store.add_stream("p", events[:20])
    await cache.folded(store, "p")
    store.append("p", events[20:30])
    store.reads.clear()
    served = await asyncio.gather(*(cache.folded(store, "p") for _ in range(50)))
    assert {id(f) for f in served} == {id(served[0])} and served[0].version == 30
    assert store.reads == [("p", 20, None)]


async def test_a_stream_written_anew_or_with_a_gap_is_folded_from_the_start():
    events, _ = random_period(4)
    other, _ = random_period(5)
    store, cache = FakeEventStore("simulation"), PeriodCache()
    store.add_stream("p", events[:20])
    await cache.folded(store, "p")
    store.add_stream("p", other[:20])  # the same id and versions, other events (a simulation re-run)
    assert (await cache.folded(store, "p")).state == fold(other[:20])
    store.append("p", other[20:25])
    del store.streams["p"][21]  # a gap in what is read: the kept fold cannot be trusted
    with pytest.raises(RuntimeError):
        await cache.folded(store, "p")
    assert cache.full_folds == 2


async def test_a_read_after_an_action_waits_for_its_version():
    events, _ = random_period(6)
    store, cache = FakeEventStore(), PeriodCache()
    store.add_stream("p", events[:3])

    async def store_later():
        await asyncio.sleep(0.1)
        store.append("p", events[3:6])

    writer = asyncio.create_task(store_later())
    folded = await cache.folded(store, "p", at_least=6, wait=2.0)
    await writer
    assert folded.version == 6


async def test_the_board_log_gives_live_watchers_the_changes_it_still_holds():
    events, _ = random_period(7)
    store, cache = FakeEventStore(), PeriodCache()
    store.add_stream("p", events)
    folded = await cache.folded(store, "p")
    expected = [e for e in store.streams["p"] if e.type in BOARD_TYPES and e.version > 3]
    assert expected and folded.board_events_after(3) == expected


async def test_live_watchers_take_their_changes_from_the_read_model():
    events, _ = random_period(0)
    store, cache = FakeEventStore(), PeriodCache()
    store.add_stream("p", events[:10])
    hub = LiveBoards(store, FixedClock(), interval=3600, cache=cache)
    sub, _ = await hub.subscribe("p", 0)
    store.append("p", events[10:40])
    store.reads.clear()
    await hub.watchers["p"].tick()
    assert store.reads == [("p", 10, None)]  # the read model's one read of the new events, nothing else
    message = sub.queue.get_nowait().decode()
    taken, released = board_changes([e for e in store.streams["p"][10:40]])
    assert taken and f'"taken":{json.dumps(taken, separators=(",", ":"))}' in message
    assert "id: 40\n" in message
    folded = await cache.folded(store, "p")  # a board drawn now needs no read at all
    assert folded.version == 40 and store.reads == [("p", 10, None)]
    late, missed = await hub.subscribe("p", 25)  # a reconnecting browser catches up from the kept log
    assert len(missed) == 1 and store.reads == [("p", 10, None)]
    hub.close()


async def test_readers_arriving_together_share_a_version_check_that_began_after_they_asked():
    events, _ = random_period(8)

    class Slow(FakeEventStore):
        checks = 0

        async def stream_position(self, stream_id):
            Slow.checks += 1
            await asyncio.sleep(0.02)
            return await super().stream_position(stream_id)

    store, cache = Slow(), PeriodCache()
    store.add_stream("p", events[:10])
    await cache.folded(store, "p")
    Slow.checks = 0
    served = await asyncio.gather(*(cache.folded(store, "p") for _ in range(50)))
    assert {f.version for f in served} == {10} and Slow.checks <= 2

    first = asyncio.create_task(cache.folded(store, "p"))
    await asyncio.sleep(0.005)  # its check is running
    store.append("p", events[10:12])  # stored before the second reader asks
    second = await cache.folded(store, "p")
    assert second.version == 12  # never answered by the check that began before it asked
    assert (await first).version in (10, 12)


async def test_the_calendar_is_built_once_per_period_and_kept_across_amended_profiles():
    events, _ = random_period(9)
    store, cache = FakeEventStore(), PeriodCache()
    store.add_stream("p", events[:1])  # PeriodOpened only: the meeting has not opened
    first = await cache.folded(store, "p")
    doctor = first.state.config.doctors[0]
    store.append("p", [DoctorAmended(doctor=doctor.model_copy(update={"carried": 2.0}))])
    amended = await cache.folded(store, "p")
    assert amended.state.config is not first.state.config and amended.state.config.doctors[0].carried == 2.0
    assert amended.calendar is first.calendar  # the shifts depend on the dates and template alone
    store.append("p", events[1:5])
    assert (await cache.folded(store, "p")).calendar is first.calendar
    other, _ = random_period(10)
    store.add_stream("q", [other[0].model_copy(update={"config": other[0].config.model_copy(
        update={"period": other[0].config.period.model_copy(update={"id": "other"})})})])
    assert (await cache.folded(store, "q")).calendar is not first.calendar


async def test_only_a_serving_process_freezes_its_first_folds(monkeypatch):
    frozen = []
    monkeypatch.setattr("app.reads.period_cache.gc.freeze", lambda: frozen.append(1))
    events, _ = random_period(11)
    store = FakeEventStore()
    store.add_stream("p", events[:10])
    await PeriodCache().folded(store, "p")
    assert frozen == []
    serving = PeriodCache(freeze=True)
    await serving.folded(store, "p")
    store.append("p", events[10:20])
    await serving.folded(store, "p")  # a newer version folds onto the kept one: nothing to freeze
    assert frozen == [1]
