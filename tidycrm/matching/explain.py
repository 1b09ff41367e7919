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
    levels = found.level[rows].tolist()
    values = found.value[rows]
    shared = [str(x) for x in table.strings(found.column)[values]] if found.column else []
    how_many = (
        counts[np.maximum(values, 0)] if counts is not None and len(counts) else np.zeros(len(rows))
    ).tolist()
    if comparison.name == "address":
        a, b = _address(table, i), _address(table, j)
    else:
        a, b = _values(table, column, i), _values(table, column, j)
    if column == "phone":  # the shared value is counted on its last digits: show the number
        shared = a
    names = comparison.levels
    out: list[str] = []
    for k, level in enumerate(levels):
        if level == 0:
            out.append("")  # missing: left out of the evidence
        elif values[k] >= 0 and level in comparison.tf_levels:
            share = (
                f" ({int(how_many[k]):,} of {int(total):,} records)" if counts is not None else ""
            )
            out.append(f"{label} {names[level]}: '{shared[k]}'{share}")
        elif level == len(names) - 1:
            out.append(f"{label} differs: '{a[k]}' / '{b[k]}'")
        else:
            out.append(f"{label} {names[level]}: '{a[k]}' / '{b[k]}'")
    return out
