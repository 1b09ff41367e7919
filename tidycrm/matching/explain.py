"""Human sentences for the evidence of compared pairs, built for many pairs at once."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from tidycrm.matching.comparisons import Comparison, Levels
from tidycrm.matching.features import IntArray, Table

_LABELS = {
    "given_name": ("given name", "given"),
    "family_name": ("family name", "family"),
    "email": ("e-mail", "email"),
    "phone": ("phone", "phone"),
    "company": ("company", "company"),
    "address": ("address", "postcode"),
    "birth_date": ("birth date", "birth"),
    "name": ("company name", "company"),
    "domain": ("domain", "domain"),
}


def _values(table: Table, column: str, records: IntArray) -> list[str]:
    codes = table.columns[column]
    picked = codes[records, 0] if codes.ndim == 2 else codes[records]
    return [str(x) for x in table.strings(column)[picked]]


def _address(table: Table, records: IntArray) -> list[str]:
    parts = zip(
        _values(table, "street", records),
        _values(table, "city", records),
        _values(table, "postcode", records),
        strict=True,
    )
    return [" ".join(x for x in p if x) for p in parts]


def details(
    table: Table,
    comparison: Comparison,
    found: Levels,
    rows: IntArray,
    i: IntArray,
    j: IntArray,
    counts: NDArray[np.float64] | None,
    total: float,
) -> list[str]:
    """One sentence per pair `rows` (records i and j): what the comparison found, and for an
    exact agreement on one value, how many records share it."""
    label, column = _LABELS.get(
        comparison.name, (comparison.name.removeprefix("x:"), comparison.name)
    )
    level_array = found.level[rows]
    values = found.value[rows]
    levels = level_array.tolist()
    out = [""] * len(rows)  # missing: left out of the evidence
    # Only the rows that show a value are put into words: in CRM data many fields are missing.
    tf = np.isin(level_array, list(comparison.tf_levels)) & (values >= 0)
    shown = np.flatnonzero(tf)
    if len(shown):
        names = comparison.levels
        if column == "phone":  # the shared value is counted on its last digits: show the number
            shared = _values(table, column, i[shown])
        else:
            shared = [str(x) for x in table.strings(found.column)[values[shown]]]
        how_many = counts[values[shown]].tolist() if counts is not None and len(counts) else []
        for n, k in enumerate(shown.tolist()):
            share = f" ({int(how_many[n]):,} of {int(total):,} records)" if how_many else ""
            out[k] = f"{label} {names[levels[k]]}: '{shared[n]}'{share}"
    compared = np.flatnonzero((level_array > 0) & ~tf)
    if len(compared):
        left, right = i[compared], j[compared]
        if comparison.name == "address":
            a, b = _address(table, left), _address(table, right)
        else:
            a, b = _values(table, column, left), _values(table, column, right)
        last = len(comparison.levels) - 1
        names = comparison.levels
        for n, k in enumerate(compared.tolist()):
            level = levels[k]
            if level == last:
                out[k] = f"{label} differs: '{a[n]}' / '{b[n]}'"
            else:
                out[k] = f"{label} {names[level]}: '{a[n]}' / '{b[n]}'"
    return out
