"""Excel workbooks (Office Open XML, ECMA-376) written in one pass: the package's few parts and
a worksheet per table, text as inline strings, numbers as numbers, the header row bold and
frozen.

Why not openpyxl's writer: a roster workbook of a 1,000-doctor, 8-station year has a sheet per
doctor, and openpyxl spends ~3 ms per sheet and ~0.15 ms per row (write-only mode): 5 s for that
workbook, against a second for the whole answer. Written here, it takes a tenth of that. The
tests read every workbook back with openpyxl.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from web.exports.tables import Cell, safe

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ATTR = {'"': "&quot;"}
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _cell(value: Cell, style: str) -> str:
    value = safe(value)
    if value is None or value == "":
        return f"<c{style}/>"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, (int, float)):
        return f"<c{style}><v>{value!r}</v></c>"
    said = str(value)
    if _NOT_XML.search(said):
        said = _NOT_XML.sub("", said)
    said = escape(said)
    space = ' xml:space="preserve"' if said[:1].isspace() or said[-1:].isspace() else ""
    return f'<c{style} t="inlineStr"><is><t{space}>{said}</t></is></c>'


def row_xml(row: Sequence[Cell], header: bool = False) -> str:
    """One row, its cells in order without references (CT_Row and CT_Cell make `r` optional:
    cells follow one another), so a row written once can go into several sheets."""
    style = ' s="1"' if header else ""
    return "<row>" + "".join(_cell(v, style) for v in row) + "</row>"


class Rows:
    """A sheet's rows already written as XML (`row_xml`): the header first."""

    def __init__(self, xml: list[str]) -> None:
        self.xml = xml


def sheet_xml(rows: Sequence[Sequence[Cell]] | Rows) -> str:
    body = rows.xml if isinstance(rows, Rows) else [row_xml(r, i == 0) for i, r in enumerate(rows)]
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}" xmlns:r="{REL}">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
            ' state="frozen"/></sheetView></sheetViews><sheetData>' + "".join(body) + "</sheetData></worksheet>")


_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{NS}">'
           '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def workbook(sheets: Iterable[tuple[str, Sequence[Sequence[Cell]] | Rows]]) -> bytes:
    """The .xlsx bytes of (sheet title, rows) pairs; titles must be valid and unique already."""
    sheets = list(sheets)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1))
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f'{overrides}</Types>'))
        z.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        entries = "".join(f'<sheet name="{escape(title, _ATTR)}" sheetId="{i}" r:id="rId{i}"/>'
                          for i, (title, _) in enumerate(sheets, start=1))
        z.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{NS}" xmlns:r="{REL}">'
            f'<sheets>{entries}</sheets></workbook>'))
        rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, len(sheets) + 1))
        styles = len(sheets) + 1
        z.writestr("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">{rels}'
            f'<Relationship Id="rId{styles}" Type="{REL}/styles" Target="styles.xml"/></Relationships>'))
        z.writestr("xl/styles.xml", _STYLES)
        for i, (_, rows) in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", sheet_xml(rows))
    return out.getvalue()
