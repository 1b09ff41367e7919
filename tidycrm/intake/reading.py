"""Read CSV, TSV and XLSX files row by row, never whole into memory, with clear messages.

Problems of the file as a whole (binary data, an undecodable sample, a header of thousands of
columns, a zip bomb) raise `FileRejected`. Problems of one row (ragged, a huge cell, a NUL byte,
bytes the encoding cannot read) travel with the row, so the importer can reject just that row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from tidycrm.core.exceptions import ValidationFailed

MAX_COLUMNS = 1_000
MAX_CELL = 64 * 1024
# A cell beyond this is a broken file (usually a quote that never closes), not a long note.
MAX_RAW_FIELD = 16 * 1024 * 1024
SAMPLE_BYTES = 256 * 1024
XLSX_MAX_UNCOMPRESSED = 1024 * 1024 * 1024
XLSX_MAX_RATIO = 200
XLSX_MAX_ENTRIES = 10_000
DELIMITERS = ",;\t|"
BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or Office file; save it as .xlsx or CSV",
    b"\x1f\x8b": "a gzip archive; unpack it first",
    b"7z\xbc\xaf": "a 7-Zip archive; unpack it first",
    b"Rar!": "a RAR archive; unpack it first",
    b"\x7fELF": "a program",
    b"MZ": "a program",
}

RANK = (
    "cp1252", "cp1254", "cp1250", "cp1251", "cp1253", "cp1257", "cp1255", "cp1256", "cp1258",
    "euc_kr", "cp949", "shift_jis", "cp932", "euc_jp", "gb18030", "gbk", "gb2312", "big5",
    "cp874", "koi8_r", "iso8859_15", "latin_1", "iso8859_2", "iso8859_9",
)  # fmt: skip
WESTERN = {"cp1252", "cp1254", "cp1250", "latin_1", "iso8859_15", "iso8859_9", "iso8859_2"}
LATIN_FAMILY = {"cp775", "cp850", "cp857", "cp858", "mac_latin2", "mac_roman", "iso8859_10"}
# Ğ İ Ş ğ ı ş in cp1254 (Ð Ý Þ ð ý þ in cp1252, rare outside Icelandic).
TURKISH_BYTES = (b"\xd0", b"\xdd", b"\xde", b"\xf0", b"\xfd", b"\xfe")
# Ś Ź ś ź Ą ą Ł ł in cp1250, symbols in cp1252.
CENTRAL_BYTES = (b"\x8c", b"\x8f", b"\x9c", b"\x9f", b"\xa5", b"\xb9", b"\xa3", b"\xb3")

csv.field_size_limit(MAX_RAW_FIELD)


class FileRejected(ValidationFailed):
    """The file cannot be imported at all; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__({"file": [message]}, message=f"file: {message}")


@dataclass
class Row:
    number: int  # the row as a spreadsheet shows it: the header is row 1
    values: list[str]
    problem: str = ""
    end: int | None = None  # byte offset just after the row (CSV), where reading can resume


@dataclass(frozen=True)
class Resume:
    """Where to start reading again: the byte offset after the last row read, and its number."""

    offset: int
    number: int


@dataclass
class Table:
    path: Path
    kind: str  # "csv" or "xlsx"
    header: list[str]
    encoding: str = ""
    delimiter: str = ""
    estimated_rows: int | None = None
    notes: list[str] = field(default_factory=list)

    def rows(self, skip: int = 0, resume: Resume | None = None) -> Iterator[Row]:
        """Data rows after the header, skipping blank ones. `resume` (from a row's `end`)
        seeks straight to the bytes after that row; without it `skip` rows are read and
        passed over (XLSX, and encodings whose bytes cannot be entered mid-file)."""
        if self.kind == "csv" and resume is not None and self.seekable:
            yield from _csv_rows_from(self, resume)
            return
        source = _csv_rows(self) if self.kind == "csv" else _xlsx_rows(self)
        for i, row in enumerate(source):
            if i >= skip:
                yield row

    @property
    def seekable(self) -> bool:
        """Whether a row's end offset can be entered directly: "\n" is one byte never part of
        another character (UTF-8 and the single- and double-byte code pages, not UTF-16/32
        or the stateful ISO-2022 family), and lines end with it."""
        name = codecs.lookup(self.encoding).name if self.encoding else ""
        unsafe = name.startswith(("utf-16", "utf-32", "iso2022", "iso-2022", "utf-7", "hz"))
        return bool(name) and not unsafe and not self.cr_only

    cr_only: bool = False  # old Mac files: lines end with "\r" alone


def open_table(path: Path, name: str = "") -> Table:
    """Inspect the file: its kind, encoding, delimiter and header."""
    path = Path(path)
    with path.open("rb") as f:
        head = f.read(SAMPLE_BYTES)
    if not head.strip():
        raise FileRejected("the file is empty.")
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(path)
    if (name or path.name).lower().endswith((".xlsx", ".xlsm")):
        raise FileRejected("this .xlsx file is not a valid Excel workbook (it is not a zip file).")
    for magic, what in BINARY_MAGIC.items():
        if head.startswith(magic):
            raise FileRejected(f"this is {what}, not a CSV, TSV or XLSX file.")
    encoding = detect_encoding(head)
    text = _decode_sample(head, encoding)
    if sum(1 for ch in text[:20_000] if _is_binary_char(ch)) > 10:
        raise FileRejected("this looks like a binary file, not CSV text.")
    if "\x00" in text:
        raise FileRejected(
            "the file contains NUL bytes (a binary file or a broken export); CSV text has none."
        )
    tsv = (name or path.name).lower().endswith((".tsv", ".tab"))
    delimiter = "\t" if tsv else sniff_delimiter(text)
    table = Table(path=path, kind="csv", header=[], encoding=encoding, delimiter=delimiter)
    table.cr_only = "\r" in text and "\n" not in text
    with _text(table) as stream:
        reader = csv.reader(stream, delimiter=delimiter)
        try:
            header = next((r for r in reader if any(c.strip() for c in r)), None)
        except csv.Error as exc:
            raise FileRejected(f"the header row cannot be read: {exc}.") from exc
    if header is None:
        raise FileRejected("the file has no header row.")
    table.header = _header(header)
    lines = max(1, text.count("\n"))
    table.estimated_rows = max(1, int(path.stat().st_size / (len(head) / lines))) - 1
    return table


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = len(sample) / 2
        long_enough = len(sample) >= 32  # shorter, a stray NUL could pass for UTF-16
        if long_enough and odd > half * 0.3 and even < half * 0.02:
            return "utf-16-le"
        if long_enough and even > half * 0.3 and odd < half * 0.02:
            return "utf-16-be"
        raise FileRejected(
            "the file contains NUL bytes (a binary file or a broken export); CSV text has none."
        )
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4 and len(sample) >= SAMPLE_BYTES:
            return "utf-8"  # the sample cut a character in two
    from charset_normalizer import from_bytes

    matches = list(from_bytes(sample))
    if not matches:
        raise FileRejected(
            "the text encoding cannot be recognised; save the file as UTF-8 CSV and try again."
        )
    # On short Latin text the detector often names a rare DOS or Mac code page; exports come
    # from Windows or ISO code pages, so the closest of those wins.
    close = [m for m in matches if m.chaos <= matches[0].chaos + 0.2 and m.encoding in RANK]
    chosen = min(close, key=lambda m: RANK.index(m.encoding)).encoding if close else None
    if chosen in WESTERN or (chosen is None and matches[0].encoding in LATIN_FAMILY):
        return _western(sample)
    return str(chosen or matches[0].encoding)


def _western(sample: bytes) -> str:
    """cp1252, cp1254 (Turkish) and cp1250 (Central Europe) differ only in a few bytes."""
    if any(b in sample for b in TURKISH_BYTES):
        return "cp1254"
    if any(b in sample for b in CENTRAL_BYTES):
        return "cp1250"
    return "cp1252"


def sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = lines[0] if lines else ""
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _decode_sample(head: bytes, encoding: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return str(decoder.decode(head, final=False))


def _is_binary_char(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\x00"


def _header(cells: list[str]) -> list[str]:
    if len(cells) > MAX_COLUMNS:
        raise FileRejected(
            f"the header has {len(cells):,} columns; an import takes at most {MAX_COLUMNS:,}."
        )
    header = []
    for i, cell in enumerate(cells):
        name = unicodedata.normalize("NFC", str(cell)).strip().lstrip("\ufeff")
        if len(name) > 255 or "\x00" in name:
            raise FileRejected(f"column {i + 1} of the header is not a column name.")
        header.append(name or f"column {i + 1}")
    return header


def _text(table: Table) -> Any:
    return table.path.open("r", encoding=table.encoding, errors="replace", newline="")


class _Lines:
    """Lines of the file decoded one by one from a byte offset, counting the bytes read: the
    csv reader asks for one line at a time and never reads past the row it returns, so after
    each row `position` is that row's end."""

    def __init__(self, stream: Any, encoding: str, offset: int) -> None:
        stream.seek(offset)
        self.stream = stream
        self.position = offset
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.stream.readline(MAX_RAW_FIELD)
        if not line:
            raise StopIteration
        if len(line) == MAX_RAW_FIELD and not line.endswith(b"\n"):
            raise FileRejected(
                f"a line is longer than {MAX_RAW_FIELD // 1024 // 1024} MB; this is not a CSV "
                "file of rows (or its line ends are missing)."
            )
        self.position += len(line)
        return str(self.decoder.decode(line))


def _csv_rows(table: Table) -> Iterator[Row]:
    if table.seekable:
        yield from _csv_rows_from(table, None)
        return
    yield from _read_csv(table, _text(table), None, 0, seen_header=False)


def _csv_rows_from(table: Table, resume: Resume | None) -> Iterator[Row]:
    stream = table.path.open("rb")
    lines = _Lines(stream, table.encoding, resume.offset if resume else 0)
    number = resume.number if resume else 0
    yield from _read_csv(table, stream, lines, number, seen_header=resume is not None)


def _read_csv(
    table: Table, stream: Any, lines: _Lines | None, number: int, *, seen_header: bool
) -> Iterator[Row]:
    width = len(table.header)
    with stream:
        reader = csv.reader(lines or stream, delimiter=table.delimiter)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise FileRejected(
                    f'row {number + 1} cannot be read ({exc}); a quote (") that never closes '
                    "usually causes this."
                ) from exc
            number += 1
            if not any(c.strip() for c in cells):
                continue
            if not seen_header:
                seen_header = True
                continue
            end = lines.position if lines else None
            yield Row(number, cells, _row_problem(cells, width, table), end)


def _row_problem(cells: list[str], width: int, table: Table) -> str:
    if len(cells) != width:
        return f"has {len(cells)} cells; the header has {width} columns."
    for name, cell in zip(table.header, cells, strict=True):
        if len(cell) > MAX_CELL:
            return f"the cell in column '{name}' holds {len(cell) // 1024:,} KB; at most 64 KB."
        if "\x00" in cell:
            return f"the cell in column '{name}' contains a NUL byte."
        if "\ufffd" in cell:
            return (
                f"the cell in column '{name}' holds bytes that are not valid {table.encoding} text."
            )
    return ""


def _open_xlsx(path: Path) -> Table:
    check_zip(path)
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        if not book.sheet_names:
            raise FileRejected("the workbook has no sheets.")
        sheet = book.get_sheet_by_index(0)
        rows = sheet.iter_rows()
        header = next((r for r in rows if any(_cell(c) for c in r)), None)
    except FileRejected:
        raise
    except Exception as exc:  # calamine raises its own errors for any malformed workbook
        raise FileRejected(f"the workbook cannot be read: {str(exc)[:200]}") from exc
    if header is None:
        raise FileRejected("the first sheet has no header row.")
    table = Table(path=path, kind="xlsx", header=_header([_cell(c) for c in header]))
    table.estimated_rows = max(0, int(sheet.height) - 1)
    if len(book.sheet_names) > 1:
        table.notes.append(f"only the first sheet ('{book.sheet_names[0]}') is imported.")
    return table


def check_zip(path: Path) -> None:
    """Refuse zip bombs: count the real decompressed bytes (headers can lie) against limits."""
    limit = int(getattr(settings, "TIDYCRM_IMPORT_XLSX_MAX_BYTES", XLSX_MAX_UNCOMPRESSED))
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > XLSX_MAX_ENTRIES:
                raise FileRejected(f"the workbook holds {len(infos):,} parts; too many.")
            if "xl/workbook.xml" not in archive.namelist():
                raise FileRejected("this zip file is not an Excel workbook (.xlsx).")
            declared = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if declared > limit or (declared / packed > XLSX_MAX_RATIO and declared > 10_000_000):
                raise _bomb(declared)
            total = 0
            for info in infos:
                with archive.open(info) as part:
                    while chunk := part.read(1024 * 1024):
                        total += len(chunk)
                        ratio = total / packed
                        if total > limit or (total > 10_000_000 and ratio > XLSX_MAX_RATIO):
                            raise _bomb(total)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as e:
        raise FileRejected(f"the workbook is damaged ({str(e)[:120]}).") from e


def _bomb(size: int) -> FileRejected:
    return FileRejected(
        f"the workbook unpacks to more than {size // 1_000_000:,} MB: refused as a possible zip "
        "bomb. Save large sheets as CSV instead."
    )


def _xlsx_rows(table: Table) -> Iterator[Row]:
    from python_calamine import CalamineWorkbook

    width = len(table.header)
    book = CalamineWorkbook.from_path(str(table.path))
    rows = book.get_sheet_by_index(0).iter_rows()
    number = 0
    seen_header = False
    for raw in rows:
        number += 1
        cells = [_cell(c) for c in raw]
        while len(cells) > width and not cells[-1]:
            cells.pop()  # calamine pads every row to the sheet's widest row
        if not any(c.strip() for c in cells):
            continue
        if not seen_header:
            seen_header = True
            continue
        cells += [""] * (width - len(cells))
        yield Row(number, cells, _row_problem(cells, width, table))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers and postal codes stored as numbers
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
