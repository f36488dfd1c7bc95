"""A roll as a file a clinic keeps: the registry's CSV (docs/registry-csv.md) or the same columns
in an Excel workbook (.xlsx, the first sheet). Read into records, validated as a whole
(R-DATA-1), or `RollFileError` naming each bad row and column, never a value; and written back in
the same columns, every cell that would start a formula guarded (CSV injection).

A workbook is read through the CSV parser: its first sheet becomes CSV text row for row, so the
row numbers named are the sheet's and the rules are the CSV's.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from datetime import date, datetime

from app.errors import BadInput
from domain.limits import MAX_DOCTORS
from domain.registry.csv_format import COLUMNS, doctor_row, guarded, parse_registry_csv, write_registry_csv
from domain.registry.records import RegistryDoctor, RegistryError, RegistryImport

MAX_FILE_BYTES = 2 * 1024 * 1024  # a 1,000-doctor roll is about 200 KB as CSV
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # a workbook is a zip: what it may unpack to (a zip bomb)
MAX_SHEET_COLUMNS = 40
XLSX_MAGIC = b"PK\x03\x04"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RollFileError(BadInput):
    """A file that is not a roll. `problems`: each in the parser's words (`row 3 column email: …`,
    `header: …`, or about the file as a whole); `kind` says which: "rows", "header" or "file"."""

    def __init__(self, problems: list[str], kind: str):
        self.problems = problems
        self.kind = kind
        super().__init__("file: " + "; ".join(problems[:20]))


def _file_error(reason: str) -> RollFileError:
    return RollFileError([reason], "file")


def kind_of(filename: str, content: bytes) -> str:
    """"xlsx" or "csv" by the content (a workbook is a zip), never by the name alone."""
    if content.startswith(XLSX_MAGIC):
        return "xlsx"
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise _file_error("not an Excel workbook (.xlsx)")
    return "csv"


def _csv_text(content: bytes) -> str:
    if b"\x00" in content[:4096]:
        raise _file_error("not a CSV file (save the roll as CSV UTF-8 or as an Excel workbook)")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise _file_error("not UTF-8 text (save the roll as CSV UTF-8)") from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xlsx_text(content: bytes) -> str:
    """The workbook's first sheet as CSV text, one line per sheet row (blank rows kept, so the
    row numbers stay the sheet's)."""
    from openpyxl import load_workbook  # only when a workbook comes (the CLI starts without it)

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_UNPACKED_BYTES:
                raise _file_error("the workbook unpacks to more than a roll can hold")
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except RollFileError:
        raise
    except Exception:  # noqa: BLE001 - any damage to the zip or its XML: not a workbook we can read
        raise _file_error("not an Excel workbook that can be read (.xlsx)") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise _file_error("the workbook has no sheet")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if n > MAX_DOCTORS + 50:
                raise _file_error(f"more than {MAX_DOCTORS:,} doctors; a district may have at most {MAX_DOCTORS:,}")
            cells = [_cell_text(v) for v in row[:MAX_SHEET_COLUMNS]]
            while cells and not cells[-1]:
                cells.pop()
            writer.writerow(cells)
        return out.getvalue()
    finally:
        book.close()


def read_roll(filename: str, content: bytes) -> RegistryImport:
    """The roll in a CSV or workbook upload, every row valid; RollFileError otherwise."""
    if not content:
        raise _file_error("the file is empty")
    if len(content) > MAX_FILE_BYTES:
        raise _file_error(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    text = _xlsx_text(content) if kind_of(filename, content) == "xlsx" else _csv_text(content)
    try:
        return RegistryImport(doctors=parse_registry_csv(text))
    except RegistryError as e:
        kind = "rows" if e.bad_records else ("header" if any(p.startswith("header") for p in e.problems) else "file")
        raise RollFileError(e.problems, kind) from None


# ------------------------------------------------------------------------------ writing


def roll_csv(doctors: Iterable[RegistryDoctor]) -> bytes:
    """The roll as the import reads it, with a byte-order mark so a spreadsheet opens it as UTF-8."""
    return ("\ufeff" + write_registry_csv(doctors, guard=True)).encode("utf-8")


def roll_xlsx(doctors: Iterable[RegistryDoctor]) -> bytes:
    """The roll as a workbook in the import's columns; every cell a text cell (never a formula)
    and guarded as in the CSV, so the file stays safe when saved as CSV again."""
    from openpyxl import Workbook  # only when a workbook is asked for (the CLI starts without it)
    from openpyxl.cell.cell import TYPE_STRING  # likewise

    book = Workbook()
    sheet = book.active
    sheet.title = "roll"
    sheet.append(list(COLUMNS))
    for d in doctors:
        row = doctor_row(d)
        sheet.append([guarded(row[c]) for c in COLUMNS])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.value is not None:
                cell.data_type = TYPE_STRING
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
