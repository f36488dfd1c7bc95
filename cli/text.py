"""Free text on a terminal, shown literally: never as rich markup, never as escape codes.

A reason typed as "room [bold]taken[/]" prints exactly so, and a stored "\\x1b[2J" prints as
those characters instead of clearing the operator's screen. Every string that came from a
person or the database reaches the console through `safe` (inside markup) or `plain`.
"""

from __future__ import annotations

import unicodedata

from rich.markup import escape
from rich.text import Text


def visible(text: str) -> str:
    """Control and format characters as \\xNN / \\uNNNN escapes; everything else unchanged."""
    out = []
    for c in text:
        if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t":
            out.append(f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return "".join(out)


def safe(text: object) -> str:
    """For use inside a markup string or a table cell: escaped and visible."""
    return escape(visible(str(text)))


def plain(text: object) -> Text:
    """A renderable that rich never parses for markup."""
    return Text(visible(str(text)))
