"""The engine's input limits, in one place (docs/limits.md explains each).

Checked before anything is started or written, so no payload nears Temporal's 2 MB limit and
no workflow task nears its 2 s deadlock limit: the largest period these allow (2,000 doctors,
12,000 shifts) opens with a config of well under 1 MB and draws its lottery in an activity.
"""

from __future__ import annotations

MAX_DOCTORS = 2_000  # per period (a city clinic with several stations has hundreds)
MAX_SHIFTS = 12_000  # per period: 8 stations × 4 shifts × 366 days is 11,712
MAX_TEMPLATES = 64  # shift templates per period (stations × shift kinds)
MAX_PERIOD_DAYS = 400  # an allocation period is at most about a year
MAX_ID_LENGTH = 64  # district, period, doctor ids and template names
MAX_SHIFT_ID_LENGTH = 80  # DATE/NAME
MAX_NAME_LENGTH = 200  # names of people and districts
MAX_TEXT_LENGTH = 500  # free text: reasons given by operators
MAX_ACTIONS = 100_000  # scripted actions in one scenario, all lists together
MAX_SCENARIO_BYTES = 32 * 1024 * 1024  # a scenario or registry file
MAX_ENTRIES_PER_DOCTOR = 100  # a registry record's exemptions, absences and stand-ins, each
MAX_JSON_DEPTH = 32  # nesting of a JSON document (a scenario needs 5)
MAX_START_PAYLOAD_BYTES = 1_500_000  # a period's encoded start input, below Temporal's 2 MB
