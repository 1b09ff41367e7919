"""Reading files: encodings, delimiters, quoting, and every kind of bad input with its message."""

from __future__ import annotations

import codecs
import zipfile

import pytest

from tidycrm.intake.reading import FileRejected, Resume, open_table

TURKISH = "Ad;Soyad;Şehir\nAyşe;Yılmaz;İstanbul\nŞule;Ağaoğlu;Muğla\n"
FRENCH = "Prénom;Nom;Ville\nZoé;Müller;Orléans à côté\nAnaïs;Lefèvre;Besançon\n"
KOREAN = (
    "이름,이메일,전화\n김민수,kim@example.com,010-1234-5678\n이지은,lee@example.com,02-123-4567\n"
)


def rows(table):
    return [r.values for r in table.rows()]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (FRENCH, "utf-8"),
        (FRENCH, "utf-8-sig"),
        (FRENCH, "utf-16"),
        (FRENCH, "cp1252"),
        (TURKISH, "cp1254"),
        (TURKISH, "utf-16-le"),
        (KOREAN, "euc-kr"),
    ],
)
def test_encodings_detected(write_file, text, encoding):
    path = write_file("people.csv", text.encode(encoding))
    table = open_table(path)
    lines = [line.split(";" if ";" in text else ",") for line in text.strip().split("\n")]
    assert table.header == lines[0]
    assert rows(table) == lines[1:]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_sniffed(write_file, delimiter):
    text = delimiter.join(["email", "first_name", "city"]) + "\n"
    text += delimiter.join(["a@example.com", "Ann", "Oslo"]) + "\n"
    table = open_table(write_file("x.txt", text))
    assert table.delimiter == delimiter
    assert rows(table) == [["a@example.com", "Ann", "Oslo"]]


def test_quoted_newlines_and_blank_lines(write_file):
    text = 'email,notes\n\na@example.com,"line one\nline two, with comma"\n\n,\n'
    table = open_table(write_file("x.csv", text))
    found = list(table.rows())
    assert [r.values for r in found] == [["a@example.com", "line one\nline two, with comma"]]
    assert found[0].number == 3


def test_ragged_rows_reported_per_row(write_file):
    table = open_table(write_file("x.csv", "a,b,c\n1,2,3\n1,2\n1,2,3,4\n"))
    problems = [r.problem for r in table.rows()]
    assert problems == [
        "",
        "has 2 cells; the header has 3 columns.",
        "has 4 cells; the header has 3 columns.",
    ]


def test_resume_skips_rows(write_file):
    table = open_table(write_file("x.csv", "a\n1\n2\n3\n"))
    assert [r.values for r in table.rows(skip=2)] == [["3"]]


def test_ten_thousand_columns_rejected(write_file):
    header = ",".join(f"c{i}" for i in range(10_000))
    with pytest.raises(FileRejected, match="10,000 columns; an import takes at most 1,000"):
        open_table(write_file("wide.csv", header + "\n"))


def test_huge_cell_rejects_the_row(write_file):
    table = open_table(write_file("x.csv", "a,b\n" + "x" * 70_000 + ",1\nok,2\n"))
    problems = [r.problem for r in table.rows()]
    assert "at most 64 KB" in problems[0]
    assert problems[1] == ""


def test_unclosed_quote_is_a_clear_file_error(write_file, settings):
    import csv

    old = csv.field_size_limit(200_000)
    try:
        table = open_table(write_file("x.csv", 'a,b\n"1,2\n' + "x,y\n" * 60_000))
        with pytest.raises(FileRejected, match="quote"):
            list(table.rows())
    finally:
        csv.field_size_limit(old)


def test_nul_bytes_rejected(write_file):
    with pytest.raises(FileRejected, match="NUL"):
        open_table(write_file("x.csv", b"email,name\na@example.com,A\x00nn\n"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10, "PNG image"),
        (b"%PDF-1.7\n", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel"),
        (bytes(range(1, 32)) * 100, "binary"),
        (b"", "empty"),
    ],
)
def test_binary_files_rejected(write_file, content, message):
    with pytest.raises(FileRejected, match=message):
        open_table(write_file("x.csv", content))


def test_bad_bytes_in_a_later_row_reject_that_row(write_file):
    good = "email,name\n" + "a@example.com,Ann\n" * 20_000
    path = write_file("x.csv", good.encode("utf-8") + b"b@example.com,B\xff\xfeb\n")
    table = open_table(path)
    assert table.encoding == "utf-8"
    last = list(table.rows())[-1]
    assert "not valid utf-8" in last.problem


def _xlsx(path, rows):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("People")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return path


def test_xlsx_read(tmp_path):
    path = _xlsx(
        tmp_path / "p.xlsx",
        [["First Name", "Phone", "Zip"], ["Ann", 4930123456, 1010], ["Bo", None, "02134"]],
    )
    table = open_table(path)
    assert table.kind == "xlsx"
    assert table.header == ["First Name", "Phone", "Zip"]
    assert rows(table) == [["Ann", "4930123456", "1010"], ["Bo", "", "02134"]]


def test_xlsx_zip_bomb_refused(tmp_path, settings):
    settings.TIDYCRM_IMPORT_XLSX_MAX_BYTES = 50_000_000
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            block = b"\x00" * 1_000_000
            for _ in range(60):
                part.write(block)
    with pytest.raises(FileRejected, match="zip bomb"):
        open_table(path)


def test_fake_xlsx_rejected(write_file):
    with pytest.raises(FileRejected, match="not a valid Excel workbook"):
        open_table(write_file("x.xlsx", "email\na@example.com\n"))


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(FileRejected, match="not an Excel workbook"):
        open_table(path)


def test_bom_not_part_of_header(write_file):
    table = open_table(write_file("x.csv", codecs.BOM_UTF8 + b"email\na@example.com\n"))
    assert table.header == ["email"]


MESSY = (
    "\ufeffname,note\r\n"
    'Ada,"two\r\nlines"\r\n'
    "\r\n"
    "Grace,plain\r\n"
    'Kurt,"a, b"\r\n'
    ",\r\n"
    "Émilie,çà et là\r\n"
    'İpek,"quote ""inside"""\r\n'
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1254"])
def test_resume_from_any_row_end_reads_the_same_rows_as_reading_on(write_file, encoding):
    text = MESSY if encoding != "cp1254" else MESSY.lstrip("\ufeff")  # a BOM is Unicode only
    path = write_file("messy.csv", text.encode(encoding))
    table = open_table(path)
    assert table.seekable
    rows = list(table.rows())
    assert [r.values[0] for r in rows] == ["Ada", "Grace", "Kurt", "Émilie", "İpek"]
    assert rows[0].values[1] == "two\r\nlines"
    for i, row in enumerate(rows):
        rest = list(table.rows(resume=Resume(row.end, row.number)))
        assert [(r.number, r.values, r.end) for r in rest] == [
            (r.number, r.values, r.end) for r in rows[i + 1 :]
        ]


def test_resume_does_not_read_the_rows_before_the_offset(write_file):
    """Bytes before the offset are never decoded: a file whose first rows were since damaged
    still resumes (proof that it seeks rather than re-reads)."""
    path = write_file("people.csv", "name,city\nAda,London\nGrace,Arlington\nKurt,Vienna\n")
    table = open_table(path)
    first = next(iter(table.rows()))
    data = bytearray(path.read_bytes())
    start = data.index(b"Ada")
    data[start : first.end] = b'"' * (first.end - start)  # an unclosed quote, same length
    path.write_bytes(bytes(data))
    rest = list(table.rows(resume=Resume(first.end, first.number)))
    assert [r.values for r in rest] == [["Grace", "Arlington"], ["Kurt", "Vienna"]]
    assert rest[0].number == 3


def test_utf16_files_are_not_entered_mid_file(write_file):
    path = write_file("wide.csv", "name\nAda\nGrace\n".encode("utf-16"))
    table = open_table(path)
    assert not table.seekable
    assert [r.values for r in table.rows(skip=1)] == [["Grace"]]
