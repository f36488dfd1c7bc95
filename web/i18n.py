"""Every word a person meets, in Norwegian (bokmål) and English: one gettext message catalogue
(`web/locale/<lang>/LC_MESSAGES/<domain>.po`, read with Babel, the form translators' tools read).

Messages have symbolic ids (`claim`, `rule.R-REST-1`, `refusal.rest_overlap`), so both languages
are translations and a test can prove each id has both. Parameters are `%(name)s`
(python-format, which Babel checks). A missing id shows itself, so a gap is visible, not silent.
Domains split the catalogue by room: `pages`, `board`, `rules`, `refusals`, `edge`, `oidc` …
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGS = ("nb", "en")
DEFAULT = "nb"
LOCALE_DIR = Path(__file__).parent / "locale"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """Every message of one language, id → text, over all domains."""
    messages: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as f:
            for message in read_po(f, locale=lang):
                if message.id and isinstance(message.id, str):
                    messages[message.id] = message.string if isinstance(message.string, str) else ""
    return messages


def text(key: str, lang: str, **params: object) -> str:
    """The message `key` in `lang` (Norwegian for an unknown language), with its parameters."""
    said = catalogue(lang if lang in LANGS else DEFAULT).get(key) or key
    return said % params if params else said


def has(key: str) -> bool:
    return key in catalogue(DEFAULT)


def rule_title(rule: str | None, lang: str) -> str:
    """What a rule is about, in a few words in the page's language ('' for an unknown rule), shown
    beside its ID wherever a page names one (../shared/docs/domain-rules.md)."""
    key = f"rule.{rule}"
    return text(key, lang) if rule and has(key) else ""


def next_step(value: str | None, lang: str) -> str:
    """What happens at the next deadline (domain.period.process.next_step_text, English there)."""
    if not value:
        return ""
    key = f"step.{value}"
    return text(key, lang) if has(key) else value
