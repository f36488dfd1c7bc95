"""The roster's entries and the fairness ledger (domain.period.ledger), the export's cells
(web.exports): stations read from template names, uncovered and unsafe shifts marked (R-QUAL-3),
draws numbered, picks, claims, draws and swaps counted per doctor with points (R-LOAD-1/2), and
no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from domain.model import ShiftTemplate
from domain.period.events import SwapAccepted
from domain.period.ledger import payroll, roster_entries, sort_standings, standings, station_of
from domain.period.state import fold
from tests.helpers.builders import EXAMPLE_TEMPLATE, drive, gp, make_config, staff
from web.exports.files import csv_bytes, workbook_bytes
from web.exports.tables import safe
from web.fairness_chart import deviation_chart


def test_a_station_is_the_prefix_of_a_station_copy_of_the_template():
    assert station_of("s3-evening") == ("s3", "evening")
    assert station_of("s12-backup-day") == ("s12", "backup-day")
    assert station_of("backup-day") == (None, "backup-day")
    assert station_of("evening") == (None, "evening")
    assert station_of("kveld-ekstra") == (None, "kveld-ekstra")


def _stations() -> tuple[ShiftTemplate, ...]:
    return tuple(t.model_copy(update={"name": f"s{n}-{t.name}"}) for n in (1, 2) for t in EXAMPLE_TEMPLATE)


def test_uncovered_and_unsafe_shifts_are_marked_and_draws_numbered():
    # Nobody may take a backup (R-QUAL-2): the backups stay uncovered, so a duty shift held by
    # a doctor who is not independently qualified is unsafe (R-QUAL-3).
    config = make_config([gp("gp01", qualified=False), gp("gp02", qualified=False), staff("st01")], days=2,
                         template=_stations())
    out = drive(config, picks=[("gp01", "2027-01-04/s1-evening")], staff_entries=[("st01", "2027-01-05/s2-night")])
    entries = {e.shift.id: e for e in roster_entries(out.state, out.calendar, out.events)}
    assert {e.station for e in entries.values()} == {"s1", "s2"}
    picked = entries["2027-01-04/s1-evening"]
    assert picked.doctor == "gp01" and picked.source == "meeting" and picked.unsafe and picked.kind == "evening"
    backups = [e for e in entries.values() if e.kind == "backup"]
    assert backups and all(e.uncovered and e.doctor is None for e in backups)
    drawn = [e for e in entries.values() if e.draw is not None]
    assert drawn and sorted(e.draw for e in drawn) == list(range(1, len(drawn) + 1))
    assert all(e.source == "lottery" for e in drawn)


def test_the_ledger_counts_each_way_to_a_shift_and_follows_a_swap():
    config = make_config([gp(f"gp0{i}") for i in range(1, 5)] + [staff("st01")], days=7)
    out = drive(config, staff_entries=[("st01", "2027-01-04/night")], picks=[("gp01", "2027-01-05/evening")],
                claims=[("gp02", "2027-01-06/evening")])
    rows = {r.doctor: r for r in standings(out.state, out.calendar, out.events)}
    assert rows["st01"].staff == 1 and rows["st01"].quota == 0
    assert rows["gp01"].picks == 1 and rows["gp02"].claims == 1
    assert sum(r.drawn for r in rows.values()) == out.state.drawn > 0
    assert sum(r.worked for r in rows.values()) == len(out.state.assignments)
    for r in rows.values():
        assert r.deviation == round(r.points - r.quota, 3)
    # A swap: the shift counts for the one who took it (R-LOAD-1).
    shift = next(s for s, a in out.state.assignments.items() if a.doctor == "gp01")
    events = [*out.events, SwapAccepted(swap="x", shift=shift, giver="gp01", receiver="gp03")]
    after = {r.doctor: r for r in standings(fold(events), out.calendar, events)}
    assert after["gp01"].swaps_out == 1 and after["gp03"].swaps_in == 1
    assert after["gp01"].worked == rows["gp01"].worked - 1 and after["gp03"].worked == rows["gp03"].worked + 1
    names = {d: d.upper() for d in rows}
    by_deviation = sort_standings(list(after.values()), "deviation", True, names)
    assert by_deviation[-1].doctor == "st01"  # no quota, no deviation: last either way
    month = payroll(fold(events), out.calendar)
    assert sum(n for per in month.values() for n, _ in per.values()) == len(out.state.assignments)


def test_no_exported_cell_starts_a_formula():
    assert safe("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert [safe(v) for v in ("+1", "-1", "@SUM(A1)", "\tx", "Kari", 3, -2.5, None)] == [
        "'+1", "'-1", "'@SUM(A1)", "'\tx", "Kari", 3, -2.5, None]
    rows = [["Lege", "Avvik"], ["=1+1", -2.5], ["Åse Ødegård", 1.0]]
    text = csv_bytes(rows, "nb").decode("utf-8-sig")
    assert text.splitlines() == ["Lege;Avvik", "'=1+1;-2,5", "Åse Ødegård;1"]
    book = load_workbook(io.BytesIO(workbook_bytes([("Ark", rows)])))
    values = list(book["Ark"].iter_rows(values_only=True))
    assert values[1] == ("'=1+1", -2.5) and book["Ark"]["A2"].data_type == "s"


def test_the_chart_puts_bars_above_and_below_the_zero_line():
    chart = deviation_chart([("A", -2.0), ("B", 0.0), ("C", 3.0)])
    below, zero, above = chart.bars
    assert below.y == chart.zero and below.y + below.height > chart.zero
    assert above.y < chart.zero and above.above and not below.above
    assert 0.0 in [v for v, _ in chart.ticks]


def test_the_roster_filters_by_station_kind_and_doctor_and_groups_by_day():
    from web import roster_words as words

    config = make_config([gp(f"gp0{i}") for i in range(1, 5)], days=3, template=_stations())
    out = drive(config)
    entries = roster_entries(out.state, out.calendar, out.events)
    names = {d: d.upper() for d in ("gp01", "gp02", "gp03", "gp04")}
    one = next(e for e in entries if e.station == "s2" and e.doctor)
    chosen, choices = words.filters_of(entries, names, "s2", one.kind, one.doctor)
    assert choices["stations"] == ["s1", "s2"] and set(choices["kinds"]) == {"backup", "evening", "night"}
    assert chosen == words.Filters(station="s2", kind=one.kind, doctor=one.doctor)
    kept = [e for day in words.by_day(entries, chosen).values() for e in day]
    assert one in kept and all(e.station == "s2" and e.kind == one.kind and e.doctor == one.doctor for e in kept)
    unknown, _ = words.filters_of(entries, names, "s9", "lunch", "nobody")  # an old link: no filter
    assert unknown == words.Filters()
    assert words.months(config.period.start, config.period.end) == ["2027-01"]
    assert words.station_name("s2", "nb") == "Stasjon 2" and words.station_name("s2", "en") == "Station 2"
    weeks = words.weeks("2027-01")
    assert weeks[0][:4] == [None] * 4 and weeks[0][4].day == 1  # 1 January 2027 is a Friday
