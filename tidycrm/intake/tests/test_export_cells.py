"""Spreadsheet-safe cells: nothing a spreadsheet would evaluate, and the exact way back."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from tidycrm.intake.formats.spreadsheet import (
    FORMULA_STARTS,
    csv_lines,
    escape_cell,
    is_dangerous,
    unescape_cell,
)

DANGEROUS_FIRST = "=+-@\t\r＝＋－＠"
# Text biased towards the characters that matter: formula starts, quotes, spaces.
cells = st.text(
    alphabet=st.one_of(st.sampled_from(list("=+-@'\t\r \u3000＝＋－＠﹦")), st.characters()),
    max_size=12,
)


@given(cells)
def test_escaped_cells_never_start_a_formula(value: str) -> None:
    escaped = escape_cell(value)
    assert not is_dangerous(escaped)
    if escaped:
        assert escaped[0] not in DANGEROUS_FIRST
    if escaped.lstrip():
        assert escaped.lstrip()[0] not in FORMULA_STARTS


@given(cells)
def test_unescape_is_the_exact_inverse(value: str) -> None:
    assert unescape_cell(escape_cell(value)) == value


@given(cells)
def test_safe_values_are_left_alone(value: str) -> None:
    if not is_dangerous(value.lstrip("'")):
        assert escape_cell(value) == value


def test_examples_from_the_guidance() -> None:
    assert escape_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert escape_cell("+49 30 1234567") == "'+49 30 1234567"
    assert escape_cell("  @SUM(A1)") == "'  @SUM(A1)"
    assert escape_cell("＝1+1") == "'＝1+1"
    assert escape_cell("\tcmd") == "'\tcmd"
    assert escape_cell("-5") == "'-5"
    assert escape_cell("Ada Lovelace") == "Ada Lovelace"
    assert escape_cell("'quoted'") == "'quoted'"
    assert escape_cell("'=1") == "''=1" and unescape_cell("''=1") == "'=1"
    assert unescape_cell("'+49 30") == "+49 30"
    assert unescape_cell("'plain") == "'plain"


def test_csv_is_utf8_with_bom_and_quotes_embedded_newlines() -> None:
    data = b"".join(csv_lines(["name", "notes"], [["Şükrü", 'a\nb, "c"'], ["=1+1", None]]))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["name", "notes"], ["Şükrü", 'a\nb, "c"'], ["'=1+1", ""]]
