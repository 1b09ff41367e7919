"""Spreadsheet-safe cells and streamed CSV/XLSX writers.

A cell that a spreadsheet would read as a formula (OWASP "CSV injection") gets a leading single
quote. `unescape_cell` is its exact inverse, so an importer that calls it gets back the value
that was exported: export then import changes nothing.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

# ASCII and full-width / small forms of the characters that start a formula.
FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")
# Control characters some spreadsheets treat as the start of a cell's content.
CONTROL_STARTS = frozenset("\t\r")
QUOTE = "'"


def is_dangerous(value: str) -> bool:
    """Would a spreadsheet read this cell as a formula (also after leading whitespace)?"""
    if not value:
        return False
    if value[0] in CONTROL_STARTS:
        return True
    stripped = value.lstrip()
    return bool(stripped) and stripped[0] in FORMULA_STARTS


def _needs_quote(value: str) -> bool:
    # A value that already starts with quotes before a dangerous value gets one more quote,
    # so unescaping is exact: "'=1" is written "''=1" and read back as "'=1".
    while value.startswith(QUOTE):
        value = value[1:]
    return is_dangerous(value)


_MAYBE = FORMULA_STARTS | CONTROL_STARTS | {QUOTE}


def escape_cell(value: str) -> str:
    """The cell as written: a formula-like value is prefixed with a single quote."""
    if not value or (value[0] not in _MAYBE and not value[0].isspace()):
        return value  # the common case, decided by the first character
    return QUOTE + value if _needs_quote(value) else value


def unescape_cell(value: str) -> str:
    """The inverse of `escape_cell`: importers call it on every cell they read."""
    if value.startswith(QUOTE) and _needs_quote(value[1:]):
        return value[1:]
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    return escape_cell(value if isinstance(value, str) else str(value))


class _Line:
    """A file-like sink that hands back what csv.writer wrote for one row."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def write(self, text: str) -> int:
        return self.buffer.write(text)

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """UTF-8 CSV (with a BOM, so spreadsheets pick the right encoding), one chunk per ~64 KB."""
    sink = _Line()
    writer = csv.writer(sink, lineterminator="\r\n")
    writer.writerow([_text(h) for h in header])
    chunk = ["\ufeff" + sink.take()]
    size = 0
    for row in rows:
        writer.writerow([_text(v) for v in row])
        line = sink.take()
        chunk.append(line)
        size += len(line)
        if size >= 65536:
            yield "".join(chunk).encode("utf-8")
            chunk, size = [], 0
    if chunk:
        yield "".join(chunk).encode("utf-8")


# Excel's own limits: longer cells are cut by Excel itself, so we cut them visibly instead.
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CELL = 32_767


class TooManyRows(ValueError):
    pass


def write_xlsx(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "Export",
    directory: str | None = None,
) -> Path:
    """Write an XLSX file in constant memory (rows are flushed as they are written).

    Every cell is written as text: phone numbers, postal codes and ids keep their leading zeros
    and plus signs, and nothing is evaluated. Returns the temporary file's path; the caller
    removes it.
    """
    import xlsxwriter

    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - the caller owns the file
        prefix="tidycrm-export-", suffix=".xlsx", dir=directory, delete=False
    )
    handle.close()
    path = Path(handle.name)
    book = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    try:
        ws = book.add_worksheet(sheet[:31])
        bold = book.add_format({"bold": True})
        for col, name in enumerate(header):
            ws.write_string(0, col, _text(name), bold)
        ws.freeze_panes(1, 0)
        for index, row in enumerate(rows, start=1):
            if index >= XLSX_MAX_ROWS:
                raise TooManyRows(
                    f"an Excel sheet holds at most {XLSX_MAX_ROWS - 1:,} rows; export CSV instead."
                )
            for col, value in enumerate(row):
                text = _text(value)
                if text:
                    ws.write_string(index, col, text[:XLSX_MAX_CELL])
    except BaseException:
        book.close()
        path.unlink(missing_ok=True)
        raise
    book.close()
    return path
