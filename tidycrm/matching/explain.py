"""Human sentences for the evidence of one compared pair."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tidycrm.matching.comparisons import Comparison, Levels
from tidycrm.matching.features import Table

if TYPE_CHECKING:
    from tidycrm.matching.model import _Model

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


def _value(table: Table, column: str, row: int) -> str:
    codes = table.columns[column]
    code = int(codes[row, 0] if codes.ndim == 2 else codes[row])
    return str(table.strings(column)[code])


def describe(
    model: _Model, table: Table, comparison: Comparison, found: Levels, row: int, i: int, j: int
) -> str:
    label, column = _LABELS.get(
        comparison.name, (comparison.name.removeprefix("x:"), comparison.name)
    )
    level = int(found.level[row])
    name = comparison.levels[level]
    if level == 0:
        return f"{label}: not known on both records"
    code = int(found.value[row])
    if code >= 0 and found.column:
        value = str(table.strings(found.column)[code])
        stored = model.frequencies.get(found.column, {}).get(value, 1)
        share = f"{stored:,} of {model.total:,} records" if model.total else "frequency unknown"
        prefix = "same shared inbox" if name == "shared inbox" else f"same {label}"
        return f"{prefix} '{value}' ({share})"
    a, b = _value(table, column, i), _value(table, column, j)
    if comparison.name == "address":
        a = " ".join(x for x in (_value(table, "street", i), _value(table, "city", i), a) if x)
        b = " ".join(x for x in (_value(table, "street", j), _value(table, "city", j), b) if x)
    if name == "different":
        return f"{label} differs: '{a}' / '{b}'"
    return f"{label} {name}: '{a}' / '{b}'"
