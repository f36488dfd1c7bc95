"""Every rule of the rulebook has its few words in both languages (web/i18n.py), so a page names
a rule's subject in the page's language."""

from __future__ import annotations

import re
from pathlib import Path

from web.i18n import RULE_TITLES, rule_title

RULEBOOK = Path(__file__).resolve().parents[3] / "shared" / "docs" / "domain-rules.md"
RULES_IN_CODE = Path(__file__).resolve().parents[2] / "domain"


def test_every_rule_the_engine_names_has_a_title_in_both_languages():
    named = set()
    for path in RULES_IN_CODE.rglob("*.py"):
        named |= set(re.findall(r"R-[A-Z]+-\d+", path.read_text()))
    if RULEBOOK.exists():
        named |= set(re.findall(r"\*\*(R-[A-Z]+-\d+)\*\*", RULEBOOK.read_text()))
    missing = sorted(r for r in named if r not in RULE_TITLES)
    assert not missing, missing
    for rule, (nb, en) in RULE_TITLES.items():
        assert nb and en and nb != en, rule
    assert rule_title("R-REST-1", "nb").startswith("ingen overlappende")
    assert rule_title("R-REST-1", "en").startswith("no overlapping")
    assert rule_title("R-NOPE-9", "nb") == "" and rule_title(None, "en") == ""


def test_every_next_step_the_engine_says_has_norwegian_words():
    from domain.model import Phase
    from domain.period.process import next_step_text
    from web.i18n import NEXT_STEPS, next_step

    said = {next_step_text(p, m) for p in Phase for m in (False, True)} - {None}
    assert said <= set(NEXT_STEPS), said - set(NEXT_STEPS)
    assert next_step("roster is published", "nb") == "vaktlisten publiseres"
    assert next_step("roster is published", "en") == "roster is published" and next_step(None, "nb") == ""
