"""Search attributes of period workflows, so `vakt status` can list rounds by period, district
and phase with a visibility query. Registered by the worker at start (and by the embedded dev
server on launch); a workflow upserts them only when its input says they are registered."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

PERIOD = SearchAttributeKey.for_keyword("VaktPeriod")
DISTRICT = SearchAttributeKey.for_keyword("VaktDistrict")
PHASE = SearchAttributeKey.for_keyword("VaktPhase")

ALL = (PERIOD, DISTRICT, PHASE)
