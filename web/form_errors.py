"""A form's errors in the page's language, each naming its field in words.

The use cases answer bad input in English, one `<field>: <problem>` per problem joined by `; `
(the API's contract: JSON clients read them as they are). A page translates at the edge: the
field becomes its label ("Mobil"), the problem a catalogue line ("skriv et norsk mobilnummer,
8 siffer"). A problem not known here says "er ikke gyldig" — never the English text, which may
quote a pattern or a list of internal codes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from web.i18n import has, text

KINDS = ("exemption", "meeting_absence", "leave")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\[\]]{0,60}")

# (field or None for any field, a piece of the English problem) → problem key; first match wins
_PROBLEMS: tuple[tuple[str | None, str, str], ...] = (
    ("mobile", "Norwegian mobile", "mobile"),
    (None, "e-mail address", "email"),
    ("email", "already used", "email_in_use"),
    ("substitute", "", "substitute"),
    (None, "Field required", "required"),
    (None, "missing", "required"),
    (None, "valid date", "date"),
    ("reason", "", "reason"),
    (None, "'to' is before 'from'", "to_before_from"),
    (None, "longer than 400 days", "too_long"),
    ("kind", "", "kind"),
    ("note", "control characters", "note"),
    ("note", "longer than", "note_long"),
)
# Problems that belong to another field than the one the message names (a kind's own checks).
_MOVED = {"to_before_from": "to", "too_long": "to"}


@dataclass(frozen=True)
class FieldError:
    field: str  # the form field's name, for aria-invalid and the message beside it
    message: str  # "Mobil: skriv et norsk mobilnummer, 8 siffer"


def _problem(field: str, problem: str) -> str:
    for only, piece, key in _PROBLEMS:
        if (only is None or only == field) and piece in problem:
            return key
    return "invalid"


def _unlabelled(field: str, lang: str) -> str:
    """A field the catalogue has no label for is named as the form or API names it (`until`);
    anything that is not a plain name is "the form"."""
    return field if _NAME.fullmatch(field) else text("forms.field.form", lang)


def field_errors(message: str, lang: str) -> list[FieldError]:
    """The BadInput message as one error per field, in `lang`."""
    found: list[FieldError] = []
    for part in message.split("; "):
        field, _, problem = part.partition(": ")
        field = field.strip()
        if field in KINDS:
            field = "kind"
        key = _problem(field, problem)
        field = _MOVED.get(key, field)
        label_key = f"forms.field.{field}"
        label = text(label_key, lang) if has(label_key) else _unlabelled(field, lang)
        error = FieldError(field, text("forms.error", lang, field=label, problem=text(f"forms.problem.{key}", lang)))
        if error not in found:
            found.append(error)
    return found


def by_field(errors: list[FieldError]) -> dict[str, str]:
    return {e.field: e.message for e in errors}
