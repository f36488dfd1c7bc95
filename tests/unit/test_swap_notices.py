"""R-SWAP-1 by e-mail, on the pure parts: who is told of a swap (domain/mail/swap_notices.py), what
the message says in Europe/Oslo time (domain/mail/swap_templates.py), the calendar that takes a
given shift out, and the sent-log's kind that makes each swap's message its own."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from icalendar import Calendar

from activities.mail_models import SendMailInput
from domain.period.events import SwapAccepted, SwapClosed, SwapOffered
from domain.mail.facts import PeriodLine, SwapAcceptedFacts, SwapLapsedFacts, SwapOfferedFacts, sent_kind
from domain.mail.render import render
from domain.model import OSLO_TZ
from domain.period.state import apply
from domain.mail.swap_notices import shift_fact, still_news, swap_notices
from domain.period.swaps import accept_swap, close_swap, expired_swaps, offer_swap
from tests.helpers.builders import drive, gp, make_config, staff

BEFORE = datetime(2027, 1, 1, 12, 0, tzinfo=OSLO_TZ)  # published, before the period's first shift
URL = "https://vakt.example.no/"
SWAP = "0b7e4c1e-5f2a-4d0e-9c41-3b8f0d6a2e11"


def published():
    config = make_config([gp("gp1"), gp("gp2"), gp("weak", qualified=False), gp("gp3"), staff("st1")], days=7)
    return drive(config, seed=3)


def takeable(outcome):
    """A shift of gp1's that gp2 may take over (R-QUAL-2/3, R-REST-1)."""
    for shift in sorted(outcome.state.held_by("gp1")):
        state = apply(outcome.state, offer(outcome, shift, "gp2"))
        if isinstance(accept_swap(state, outcome.calendar, swap_id=SWAP, receiver="gp2", now=BEFORE), SwapAccepted):
            return shift
    raise AssertionError("the sample gives gp1 a shift gp2 may take")


def offer(outcome, shift, receiver, now=BEFORE):
    event = offer_swap(outcome.state, outcome.calendar, swap_id=SWAP, giver="gp1", shift_id=shift,
                       receiver=receiver, now=now)
    assert isinstance(event, SwapOffered), event
    return event


def period_line(outcome) -> PeriodLine:
    p = outcome.state.require_config().period
    return PeriodLine(period_id=p.id, district_name="Mosseregionens legevakt", start=p.start, end=p.end)


def test_r_swap_1_a_named_offer_tells_its_receiver_only():
    outcome = published()
    shift = takeable(outcome)
    event = offer(outcome, shift, "gp2")
    [(doctor, facts)] = swap_notices(outcome.state, outcome.calendar, event, BEFORE)
    assert doctor == "gp2" and isinstance(facts, SwapOfferedFacts)
    assert (facts.swap, facts.giver, facts.shift.shift_id, facts.expires_at) == (SWAP, "gp1", shift, event.expires_at)


def test_r_swap_1_an_offer_to_everyone_tells_no_one():
    outcome = published()
    event = offer(outcome, takeable(outcome), None)
    assert swap_notices(outcome.state, outcome.calendar, event, BEFORE) == []


def test_r_swap_1_an_accepted_swap_tells_the_giver_with_their_shifts_after_it():
    outcome = published()
    shift = takeable(outcome)
    state = apply(outcome.state, offer(outcome, shift, "gp2"))
    event = accept_swap(state, outcome.calendar, swap_id=SWAP, receiver="gp2", now=BEFORE)
    [(doctor, facts)] = swap_notices(state, outcome.calendar, event, BEFORE)
    assert doctor == "gp1" and isinstance(facts, SwapAcceptedFacts) and facts.receiver == "gp2"
    kept = [s.shift_id for s in facts.shifts]
    assert sorted(kept) == sorted(apply(state, event).held_by("gp1")) and shift not in kept
    assert facts.sequence == state.version + 1 and facts.accepted_at == BEFORE


def test_r_swap_1_declined_and_expired_offers_tell_the_giver_a_withdrawal_no_one():
    outcome = published()
    shift = takeable(outcome)
    state = apply(outcome.state, offer(outcome, shift, "gp2"))
    declined = close_swap(state, swap_id=SWAP, by="gp2")
    [(doctor, facts)] = swap_notices(state, outcome.calendar, declined, BEFORE)
    assert doctor == "gp1" and isinstance(facts, SwapLapsedFacts)
    assert (facts.outcome, facts.receiver, facts.shift.shift_id) == ("declined", "gp2", shift)
    assert swap_notices(state, outcome.calendar, close_swap(state, swap_id=SWAP, by="gp1"), BEFORE) == []
    # Offered more than a week ahead, the offer expires before the shift: the giver hears of it.
    early = BEFORE - timedelta(days=8)
    state = apply(outcome.state, offer(outcome, shift, "gp2", now=early))
    [expired] = expired_swaps(state, state.swaps[SWAP].expires_at)
    [(doctor, facts)] = swap_notices(state, outcome.calendar, expired, BEFORE)
    assert doctor == "gp1" and facts.outcome == "expired"
    # An offer to everyone that no one took: its giver hears of it too.
    open_state = apply(outcome.state, offer(outcome, shift, None, now=early))
    lapsed = SwapClosed(swap=SWAP, shift=shift, outcome="expired")
    [(doctor, facts)] = swap_notices(open_state, outcome.calendar, lapsed, BEFORE)
    assert doctor == "gp1" and facts.receiver is None
    # An offer that ran until the shift started: it is under way, nothing to tell.
    late = apply(outcome.state, offer(outcome, shift, "gp2"))
    assert late.swaps[SWAP].expires_at == outcome.calendar.by_id[shift].start
    assert swap_notices(late, outcome.calendar, SwapClosed(swap=SWAP, shift=shift, outcome="expired"), BEFORE) == []


def test_an_offer_no_longer_open_is_no_longer_news():
    outcome = published()
    shift = takeable(outcome)
    state = apply(outcome.state, offer(outcome, shift, "gp2"))
    [(_, facts)] = swap_notices(outcome.state, outcome.calendar, offer(outcome, shift, "gp2"), BEFORE)
    assert still_news(state, facts)
    assert not still_news(apply(state, close_swap(state, swap_id=SWAP, by="gp1")), facts)


def test_r_swap_1_each_swap_has_its_own_sent_log_kind():
    outcome = published()
    [(_, facts)] = swap_notices(outcome.state, outcome.calendar, offer(outcome, takeable(outcome), "gp2"), BEFORE)
    assert sent_kind(facts) == f"swap-offered:{SWAP}"
    inp = SendMailInput(period_id="p", district_id="d", doctor_id="gp2", district_name="D",
                        period_start=date(2027, 1, 1), period_end=date(2027, 1, 7), facts=facts)
    assert inp.kind == f"swap-offered:{SWAP}"
    assert SendMailInput.model_validate_json(inp.model_dump_json()) == inp  # survives a Temporal payload


def test_r_swap_1_the_offer_mail_names_shift_giver_oslo_times_deadline_and_link():
    outcome = published()
    shift = takeable(outcome)
    [(_, facts)] = swap_notices(outcome.state, outcome.calendar, offer(outcome, shift, "gp2"), BEFORE)
    message = render(period_line(outcome), facts, name="Ola Hansen", public_url=URL)
    s = outcome.calendar.by_id[shift]
    start, end = s.start.astimezone(OSLO_TZ), s.end.astimezone(OSLO_TZ)
    flat = " ".join(message.text.split())
    assert message.text.startswith("Hei Ola Hansen,")
    assert f"{start:%d.%m.%Y %H:%M}" in flat and f"{end:%d.%m.%Y %H:%M}" in flat  # Oslo wall-clock (R-TIME-1)
    assert "Tilbys av: lege gp1" in flat and "Offered by: doctor gp1" in flat
    expires = facts.expires_at.astimezone(OSLO_TZ)
    assert f"kl. {expires:%H:%M}" in flat and f"at {expires:%H:%M}" in flat
    assert f"https://vakt.example.no/periods/{outcome.state.require_config().period.id}" in flat
    assert message.subject.startswith("Vaktbytte tilbudt / Shift swap offered:") and not message.attachments


def test_r_swap_1_the_accepted_mail_carries_a_calendar_that_cancels_the_given_shift():
    outcome = published()
    shift = takeable(outcome)
    state = apply(outcome.state, offer(outcome, shift, "gp2"))
    event = accept_swap(state, outcome.calendar, swap_id=SWAP, receiver="gp2", now=BEFORE)
    [(_, facts)] = swap_notices(state, outcome.calendar, event, BEFORE)
    message = render(period_line(outcome), facts, name=None, public_url=URL)
    assert "lege gp2 har overtatt vakten" in message.text and "doctor gp2 has taken the shift over" in message.text
    [attachment] = message.attachments
    vevents = Calendar.from_ical(attachment.data).walk("VEVENT")
    events = {str(e["UID"]).split("/", 1)[1].rsplit("@", 1)[0]: e for e in vevents}
    assert set(events) == set(state.held_by("gp1"))  # those kept, and the one given away
    assert str(events[shift]["STATUS"]) == "CANCELLED"
    assert all("STATUS" not in e for sid, e in events.items() if sid != shift)
    assert {int(e["SEQUENCE"]) for e in events.values()} == {facts.sequence}  # replaces the results' events
    again = render(period_line(outcome), facts, name=None, public_url=URL)
    assert again.attachments[0].data == attachment.data  # a retry attaches the same bytes


def test_the_lapsed_mail_says_the_shift_is_still_the_givers():
    outcome = published()
    shift = takeable(outcome)
    facts = SwapLapsedFacts(swap=SWAP, outcome="declined", receiver="gp2", shift=shift_fact(outcome.calendar, shift))
    text = render(period_line(outcome), facts, name=None, public_url=URL).text
    assert "Lege gp2 har avslått tilbudet ditt." in text and "Doctor gp2 declined your offer." in text
    assert "Vakten er fortsatt din (R-SWAP-1)." in text and "The shift is still yours (R-SWAP-1)." in text
