"""The operator's page in words: a round's verdict, an event's kind and who acted, in the page's
language. The engine's English (a verdict's detail, an event's summary) stays available beside
it, marked `lang="en"`, for the IT department."""

from __future__ import annotations

from collections.abc import Mapping

from app.reads.status_models import PeriodDiagnosis
from domain.actors import FOR
from web.i18n import has, text


def verdict_words(d: PeriodDiagnosis, lang: str) -> str:
    key = f"verdict.{d.verdict_code}"
    return text(key, lang) if d.verdict_code and has(key) else d.verdict


def event_word(kind: str, lang: str) -> str:
    return text(f"event.{kind}", lang) if has(f"event.{kind}") else kind


def actor_name(event: Mapping, doctors: Mapping[str, str], lang: str) -> str:
    """`doctor:gp05` → the doctor's name; an operator acting for a doctor → both names;
    the engine (`system:deadline`) → a word."""
    actor = str(event.get("actor") or "")
    shown = str(event.get("actor_shown") or actor)
    if has(f"actor.{actor}"):
        return text(f"actor.{actor}", lang)
    if actor.startswith("doctor:"):
        return doctors.get(actor.removeprefix("doctor:"), actor)
    who, sep, whom = shown.partition(FOR)
    if sep and whom.startswith("doctor:"):
        # R-SWAP-2: an operator's swap is recorded for both doctors ("doctor:a and doctor:b").
        named = [doctors.get(part.removeprefix("doctor:"), part) for part in whom.split(" and ")]
        return f"{who}{FOR}{(' ' + text('actor.and_word', lang) + ' ').join(named)}"
    return shown
