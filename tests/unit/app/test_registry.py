"""The registry's use cases: importing a district's roll, reading it back, importing it again."""

from __future__ import annotations

from datetime import date

import pytest

from app.demo.samples import SAMPLE_REGISTRY_PATH
from app.errors import BadInput, NotFound
from app.registry import districts

TODAY = date(2027, 1, 4)


async def test_an_import_creates_the_district_and_its_roll(services):
    outcome = await districts.import_csv(services, "mosse", SAMPLE_REGISTRY_PATH, name="Moss", actor="admin:test", today=TODAY)
    assert outcome.created and outcome.added > 0 and outcome.changed == outcome.left == 0
    view = await districts.show_district(services, "mosse", today=TODAY)
    assert view.name == "Moss" and view.doctors == outcome.added
    rows = await districts.doctors(services, "mosse")
    full = await districts.doctors(services, "mosse", contacts=True)
    assert len(rows) == len(full) == outcome.added
    assert all(r.contact["email"] != f.contact["email"] for r, f in zip(rows, full, strict=True)), (
        "contact data is masked unless asked for"
    )


async def test_the_same_roll_imported_again_changes_nothing(services):
    first = await districts.import_csv(services, "mosse", SAMPLE_REGISTRY_PATH, actor="admin:test", today=TODAY)
    again = await districts.import_csv(services, "mosse", SAMPLE_REGISTRY_PATH, actor="admin:test", today=TODAY)
    assert not again.created and again.unchanged == first.added and again.added == again.changed == 0


async def test_a_bad_file_writes_nothing(services, tmp_path):
    bad = tmp_path / "roll.csv"
    bad.write_text("id,role\nx,not-a-role\n", encoding="utf-8")
    with pytest.raises(BadInput):
        await districts.import_csv(services, "mosse", bad, actor="admin:test", today=TODAY)
    assert await (await services.database()).registry.districts() == []


async def test_an_unknown_district_is_not_found(services):
    with pytest.raises(NotFound):
        await districts.show_district(services, "nowhere")
