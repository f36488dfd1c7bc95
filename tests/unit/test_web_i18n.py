"""The message catalogue (web/locale, gettext through Babel): every message in both languages,
every rule of the rulebook with its few words, every reason code and next step with its line."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from web.i18n import LANGS, LOCALE_DIR, catalogue, has, rule_title, text

RULEBOOK = Path(__file__).resolve().parents[3] / "shared" / "docs" / "domain-rules.md"
RULES_IN_CODE = Path(__file__).resolve().parents[2] / "domain"


def test_every_message_has_both_languages_with_the_same_parameters():
    domains = {lang: sorted(p.name for p in (LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")) for lang in LANGS}
    assert domains["nb"] == domains["en"] and domains["nb"]
    nb, en = catalogue("nb"), catalogue("en")
    assert set(nb) == set(en), sorted(set(nb) ^ set(en))
    for key in nb:
        assert nb[key].strip() and en[key].strip(), key
        assert sorted(re.findall(r"%\((\w+)\)s", nb[key])) == sorted(re.findall(r"%\((\w+)\)s", en[key])), key
    for lang in LANGS:  # no message is fuzzy or left for a translator
        for path in (LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po"):
            with path.open("rb") as f:
                assert not [m.id for m in read_po(f) if m.id and m.fuzzy], path


def test_a_message_with_parameters_and_a_missing_one():
    assert text("claim", "nb") != text("claim", "en")
    assert text("no-such-message", "nb") == "no-such-message"
    assert text("claim", "xx") == text("claim", "nb")


def test_every_rule_the_engine_names_has_a_title_in_both_languages():
    named = set()
    for path in RULES_IN_CODE.rglob("*.py"):
        named |= set(re.findall(r"R-[A-Z]+-\d+", path.read_text()))
    if RULEBOOK.exists():
        named |= set(re.findall(r"\*\*(R-[A-Z]+-\d+)\*\*", RULEBOOK.read_text()))
    missing = sorted(r for r in named if not has(f"rule.{r}"))
    assert not missing, missing
    for rule in named:
        assert rule_title(rule, "nb") != rule_title(rule, "en"), rule
    assert rule_title("R-REST-1", "nb").startswith("ingen overlappende")
    assert rule_title("R-REST-1", "en").startswith("no overlapping")
    assert rule_title("R-NOPE-9", "nb") == "" and rule_title(None, "en") == ""


def test_every_next_step_the_engine_says_has_norwegian_words():
    from domain.model import Phase
    from domain.period.process import next_step_text
    from web.i18n import next_step

    said = {next_step_text(p, m) for p in Phase for m in (False, True)} - {None}
    assert all(has(f"step.{s}") for s in said), said
    assert next_step("roster is published", "nb") == "vaktlisten publiseres"
    assert next_step("roster is published", "en") == "roster is published" and next_step(None, "nb") == ""


def test_every_identity_provider_refusal_has_its_line():
    from app.identity.oidc_refusals import REASONS

    assert all(has(code) for code in REASONS)


def test_every_event_kind_and_verdict_has_words_for_the_operator():
    from app.reads.events import EVENT_TYPES

    for kind in EVENT_TYPES:
        assert has(f"event.{kind}"), kind
    for code in ("healthy", "waiting", "published", "cancelled", "unreachable", "unknown", "simulation",
                 "stuck_no_workflow", "stuck_closed", "stuck_failing", "stuck_no_worker", "stuck_activity",
                 "stuck_overdue", "stuck_replay"):
        assert has(f"verdict.{code}"), code
