"""A file of records, read into a table of text cells — or refused with a sentence that says
what is wrong with the file and what to do about it. Nothing here touches the database.

A CSV must be UTF-8 (what Excel calls "CSV UTF-8") with commas between columns; an Excel file
must be an .xlsx workbook (read with openpyxl through pandas: its first sheet, cell values as
typed, a formula read as its text and never worked out). Every cell comes back as trimmed
text, so the checks see exactly what the person typed; the table's index is the row's number
in the spreadsheet (the column names are row 1).
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time

import pandas as pd
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from db.i18n import N_
from db.rules.validation import Invalid
from db.settings import settings

# The layout: one row per record; which columns a record uses is in the README and template.
COLUMNS = [
    "record",
    "council_reference",
    "family_name",
    "date",
    "name",
    "relationship",
    "birth_year",
    "worker",
    "role",
    "ended_on",
    "goal",
    "score",
]
KINDS = ("family", "person", "worker", "goal", "score")

_ZIP = b"PK\x03\x04"
_OLD_EXCEL = b"\xd0\xcf\x11\xe0"


class BadFile(Invalid):
    """The file as a whole can't be read: one sentence saying why, and what to do."""


def max_bytes() -> int:
    return int(settings.IMPORT_MAX_MB * 1024 * 1024)


def read_table(data: bytes, file_name: str) -> pd.DataFrame:
    """The file's rows as text cells under the layout's columns, or BadFile."""
    if not isinstance(data, (bytes, bytearray)):
        raise BadFile(N_("Please choose a file to bring in."))
    if len(data) > max_bytes():
        raise BadFile(
            N_(
                "This file is {size} MB: the most Golden Thread reads at once is {most} MB. "
                "Please split it into smaller files.",
                size=f"{len(data) / 1024 / 1024:.0f}",
                most=f"{settings.IMPORT_MAX_MB:g}",
            )
        )
    if not data.strip():
        raise BadFile(N_("This file is empty: there is nothing in it to bring in."))
    name = file_name.lower() if isinstance(file_name, str) else ""
    if data.startswith(_OLD_EXCEL) or name.endswith(".xls"):
        raise BadFile(
            N_(
                "This is an old Excel file (.xls). Please open it in Excel and save it as an "
                "Excel workbook (.xlsx) or as CSV UTF-8, then bring that in."
            )
        )
    if data.startswith(_ZIP):
        frame = _read_xlsx(bytes(data))
    elif name.endswith(".xlsx"):
        raise BadFile(N_("This file is called .xlsx but isn't an Excel workbook inside."))
    else:
        frame = _read_csv(bytes(data))
    return _tidy(frame)


def _not_a_spreadsheet() -> BadFile:
    return BadFile(
        N_(
            "This doesn't look like a spreadsheet. Please bring in a CSV (saved as CSV UTF-8) or "
            "an Excel workbook (.xlsx) in the layout of the template."
        )
    )


def _read_csv(data: bytes) -> pd.DataFrame:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text" is UTF-16
        raise BadFile(
            N_(
                "This file is saved as Unicode text (UTF-16), which Golden Thread can't read. "
                "In Excel choose File → Save As → “CSV UTF-8 (comma delimited)”, then bring "
                "that file in."
            )
        )
    if b"\x00" in data[:65536]:
        raise _not_a_spreadsheet()
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BadFile(
            N_(
                "This file isn't saved as UTF-8 (a character on line {line} can't be read), so "
                "names with accents would come out wrong. In Excel choose File → Save As → "
                "“CSV UTF-8 (comma delimited)”, then bring that file in.",
                line=line,
            )
        ) from None
    header = content.lstrip().split("\n", 1)[0]
    if "," not in header:
        if ";" in header:
            raise BadFile(
                N_(
                    "This file has semicolons between its columns. Please save it with commas "
                    "(in Excel: “CSV UTF-8 (comma delimited)”), then bring it in again."
                )
            )
        if "\t" in header:
            raise BadFile(
                N_(
                    "This file has tabs between its columns. Please save it as a CSV with commas "
                    "(in Excel: “CSV UTF-8 (comma delimited)”), then bring it in again."
                )
            )
        raise _not_a_spreadsheet()
    try:
        return pd.read_csv(
            io.StringIO(content),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,  # numbered as in the spreadsheet; _tidy drops blank rows
            quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.ParserError, csv.Error, ValueError):
        raise _broken_row(content) from None


def _broken_row(content: str) -> BadFile:
    """Why pandas couldn't read the CSV, naming the row (as numbered in the spreadsheet): the
    first row with more cells than the column names, or a quote mark that is never closed (the
    row it starts on runs to the end of the file)."""
    width, row = 0, 1
    try:
        for row, cells in enumerate(csv.reader(io.StringIO(content)), start=1):
            if row == 1:
                width = len(cells)
            elif len(cells) > width:
                return BadFile(
                    N_(
                        "Row {row} has more cells than the column names in row 1. Please check "
                        "it for a comma inside a cell without quotes around the cell, or save "
                        "the file again from Excel as CSV UTF-8.",
                        row=row,
                    )
                )
    except csv.Error:
        pass
    return BadFile(
        N_(
            'A quote mark (") in row {row} is never closed, so the rest of the file would be '
            "read as one cell. Please check that row, or save the file again from Excel as "
            "CSV UTF-8.",
            row=row,
        )
    )


def _read_xlsx(data: bytes) -> pd.DataFrame:
    try:
        frame = pd.read_excel(
            io.BytesIO(data),
            sheet_name=0,
            dtype=object,
            header=0,
            engine="openpyxl",
            # Cells as typed: a formula comes back as its text (never worked out) so the checks
            # can refuse it; links to other workbooks are not followed.
            engine_kwargs={"data_only": False, "keep_links": False},
        )
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise BadFile(
            N_(
                "This file can't be opened as an Excel workbook. Please save it again from Excel "
                "as .xlsx, or as CSV UTF-8."
            )
        ) from None
    return frame.map(_cell_text).astype(str)


def _cell_text(value: object) -> str:
    """An Excel cell as the text a person would have typed into a CSV (a formula, an array
    formula's too, as its formula text, which the checks then refuse)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (ArrayFormula, DataTableFormula)):
        return str(getattr(value, "text", None) or "=")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(column).strip().lower().replace(" ", "_") for column in frame.columns]
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing == COLUMNS:
        raise BadFile(
            N_(
                "This file's first row doesn't have the template's column names (record, "
                "council_reference, family_name, …). Please download the template and use its "
                "columns."
            )
        )
    if missing:
        raise BadFile(
            N_("This file has no column for: {columns}. Please add it.", columns=", ".join(missing))
        )
    extra = [c for c in frame.columns if c not in COLUMNS and not c.startswith("unnamed:")]
    if extra:
        raise BadFile(
            N_(
                "This file has columns the template doesn't: {columns}. Please remove them (or "
                "rename them to the template's columns).",
                columns=", ".join(extra[:5]),
            )
        )
    frame = frame[COLUMNS].astype(str)
    frame = frame.apply(lambda column: column.str.strip())
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # the spreadsheet's own row numbers
    frame = frame[(frame != "").any(axis=1)]  # rows left blank between records
    if frame.empty:
        raise BadFile(N_("This file has its column names but no records under them."))
    return frame
