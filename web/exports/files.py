"""Tables as files: CSV (UTF-8 with a byte-order mark, so a spreadsheet reads æøå; in Norwegian
`;` between cells and a decimal comma, as Norwegian Excel expects; in English `,` and a point)
and Excel workbooks (web/exports/xlsx.py: one pass, a sheet per table). Every cell goes through
`tables.safe`."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from web.exports import xlsx
from web.exports.tables import Cell, safe

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _csv_cell(value: Cell, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        said = f"{value:g}"
        return said.replace(".", ",") if lang == "nb" else said
    return str(safe(value))


def csv_bytes(rows: Iterable[Sequence[Cell]], lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if lang == "nb" else ",", lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_cell(v, lang) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name (at most 31 characters, none of []:*?/\\)."""
    base = _SHEET_BAD.sub(" ", name).strip().strip("'")[:31] or "-"
    title, n = base, 1
    while title.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title.casefold())
    return title


def workbook_bytes(sheets: Iterable[tuple[str, Sequence[Sequence[Cell]] | xlsx.Rows]]) -> bytes:
    """A workbook with one sheet per (name, rows); the first row of each is its header (bold,
    frozen). Names are made valid and unique."""
    taken: set[str] = set()
    titled = [(sheet_title(name, taken), rows) for name, rows in sheets]
    return xlsx.workbook(titled or [("-", [])])
