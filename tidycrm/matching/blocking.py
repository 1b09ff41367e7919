"""Blocking: which pairs of records are worth comparing.

`person_blocking_keys` gives the short keys a database stores per record (two records are
candidates when they share one). `candidate_pairs` does the same for a whole table with arrays:
records sorted by key, each paired with its next `window` neighbours inside the same key, so a
small block gives all its pairs and a huge one (a switchboard number) only pairs of neighbours
in name order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from tidycrm.hygiene.companies import company_name_key
from tidycrm.matching.features import (
    IntArray,
    Table,
    _email_parts,
    phone_key,
    place_key,
)
from tidycrm.matching.names import nickname_roots, person_name_keys, phonetic
from tidycrm.matching.records import CompanyRecord, PersonRecord

MAX_KEY = 64
ROOTS = 6  # formal names a given name may stand for, at most
# Letters of the given name that go with the family name's sound in the typo key: one letter
# made blocks of thousands at a million contacts (every "Smith, J..."); three keep typos after
# the third letter and cut the pairs about tenfold.
PREFIX = 3


def _short(key: str) -> str:
    return key[:MAX_KEY]


def person_blocking_keys(record: PersonRecord) -> frozenset[str]:
    given, family = person_name_keys(
        record.given_name, record.family_name, record.full_name, record.country
    )
    keys: set[str] = set()
    for address in record.emails:
        email = _email_parts(address)[0]
        if email:
            keys.add("e:" + email)
    for raw in record.phones:
        phone = phone_key(raw)
        if phone:
            keys.add("p:" + phone[-9:])
    roots = nickname_roots(given)
    if family:
        for root in roots:
            keys.add(f"n:{family}|{root}")
        if given:
            keys.add("s:" + "|".join(sorted((given, family))))
        keys.add(f"f:{phonetic(family)}|{given[:PREFIX]}")
    postcode = place_key(record.postal_code)
    for root in roots:
        if postcode:
            keys.add(f"g:{root}|{postcode}")
    birth = record.birth_date.strip()
    if birth:
        keys.add(f"b:{birth}")
        if len(birth) >= 7:
            keys.update(f"m:{root}|{birth[:7]}" for root in roots)
    for name, value in sorted(record.extra.items()):
        if value.strip():
            keys.add(f"x:{name}:{value.strip().casefold()}")
    return frozenset(_short(k) for k in keys)


def company_blocking_keys(record: CompanyRecord) -> frozenset[str]:
    keys: set[str] = set()
    name = company_name_key(record.name)
    if name:
        first = name.split(" ", 1)[0]
        keys.add("c:" + name)
        keys.add("w:" + first)
        # a misspelt name in the same town: the first word alone is a huge block at scale
        city = place_key(record.city)
        if city:
            keys.add(f"a:{first}|{city}")
    for domain in record.domains:
        if domain.strip():
            keys.add("d:" + domain.strip().casefold())
    for raw in record.phones:
        phone = phone_key(raw)
        if phone:
            keys.add("p:" + phone[-9:])
    return frozenset(_short(k) for k in keys)


# ---- whole-table candidate pairs -------------------------------------------------------------


def _combine(*parts: IntArray) -> IntArray:
    """One int64 key from several code columns (-1 anywhere gives -1). A part may hold several
    values per record (n, k): the key then has k values per record, one per value."""
    shape = np.broadcast_shapes(*(p.shape for p in parts))
    key = np.zeros(shape, dtype=np.int64)
    bad = np.zeros(shape, dtype=bool)
    for part in parts:
        width = int(part.max()) + 2 if part.size else 1
        key = key * width + (part + 1)
        bad |= part < 0
    key[bad] = -1
    return key


def person_key_columns(table: Table) -> Iterator[tuple[str, IntArray]]:
    """The blocking keys of `person_blocking_keys` as code columns, each with the comparisons
    it forces to agree (training leaves those out when it learns from the key's pairs), and
    the scan's own keys, which the door does not store: the name with the employer, and an
    East Asian name as one string (decision 0056)."""
    c = table.columns
    # every value of a multi-valued field is a key: a number listed second on one record and
    # first on another still meets
    yield "email", c["email"]
    yield "phone", c["tail"]
    roots = _root_codes(table)
    yield "given_name family_name", _combine(c["family"][:, None], roots)
    given_family = np.sort(np.stack([c["given"], c["family"]]), axis=0)
    yield "given_name family_name", _combine(given_family[0], given_family[1])
    # a key forcing part of a field (an initial) names that field too: its pairs agree on it
    # more often than random pairs do, and must not teach the model about it
    yield "given_name family_name", _combine(c["phon"], _initial_codes(table, "given", PREFIX))
    if "whole" in c and (c["whole"] >= 0).any():
        yield "given_name family_name", c["whole"]
    yield "given_name address", _combine(roots, c["postcode"][:, None])
    # one employer: a slip in the family name (or a married name) with the given name, a slip
    # in the given name with the family name's sound
    yield "given_name company", _combine(roots, c["company"][:, None])
    yield "family_name company", _combine(c["phon"], c["company"])
    if (c["birth"] >= 0).any():
        yield "birth_date", c["birth"]
        # a mistyped family name and a mistyped day: the given name and the birth month
        yield "given_name birth_date", _combine(roots, _birth_month_codes(table)[:, None])
        # the scan's own: a mistyped family name and a mistyped month ("Ralf Poho" 1983-08-16,
        # "Ralf Pohl" 1983-06-16). Not the month and day without the year: namesakes sharing
        # a birthday are too many.
        yield "given_name birth_date", _combine(roots, _birth_part_codes(table, (0, 2))[:, None])
    for name, column in c.items():
        if name.startswith("x:"):
            yield name, column


def company_key_columns(table: Table) -> Iterator[tuple[str, IntArray]]:
    c = table.columns
    yield "name", c["company"]
    yield "domain", c["domain"]
    yield "phone", c["tail"]
    yield "name address", _combine(_first_word_codes(table), c["city"])


def _root_codes(table: Table) -> IntArray:
    """Per record, the codes of every formal name its given name may stand for (n, ROOTS),
    -1 padded: "Chelle" meets "Michelle" under the root they share, as `person_blocking_keys`
    does with every root."""
    if "root_codes" not in table.derived:
        strings = table.strings("given")
        index: dict[str, int] = {}
        out = np.full((len(strings), ROOTS), -1, dtype=np.int64)
        for code, text in enumerate(strings[:-1]):
            for slot, root in enumerate(sorted(nickname_roots(text))[:ROOTS]):
                out[code, slot] = index.setdefault(root, len(index))
        table.derived["root_codes"] = out
    return table.derived["root_codes"][table.columns["given"]]


def _birth_month_codes(table: Table) -> IntArray:
    """Per record, a code of its birth date's year and month (-1 when unknown)."""
    if "birth_month" not in table.derived:
        strings = table.strings("birth")
        index: dict[str, int] = {}
        table.derived["birth_month"] = np.fromiter(
            (index.setdefault(s[:7], len(index)) if len(s) >= 7 else -1 for s in strings),
            dtype=np.int64,
            count=len(strings),
        )
    return table.derived["birth_month"][table.columns["birth"]]


def _birth_part_codes(table: Table, parts: tuple[int, int]) -> IntArray:
    """Per record, a code of two of its birth date's year, month and day (-1 when unknown)."""
    key = f"birth_parts:{parts}"
    if key not in table.derived:
        strings = table.strings("birth")
        index: dict[tuple[str, ...], int] = {}
        codes = []
        for text in strings:
            pieces = str(text).split("-")
            codes.append(
                index.setdefault(tuple(pieces[k] for k in parts), len(index))
                if len(pieces) == 3
                else -1
            )
        table.derived[key] = np.asarray(codes, dtype=np.int64)
    return table.derived[key][table.columns["birth"]]


def _initial_codes(table: Table, column: str = "given", letters: int = 1) -> IntArray:
    """Per record, a code of the first `letters` letters of the column's value."""
    key = f"prefix:{column}:{letters}"
    if key not in table.derived:
        strings = table.strings(column)
        index: dict[str, int] = {}
        table.derived[key] = np.fromiter(
            (index.setdefault(s[:letters], len(index)) if s else -1 for s in strings),
            dtype=np.int64,
            count=len(strings),
        )
    return table.derived[key][table.columns[column]]


def _first_word_codes(table: Table) -> IntArray:
    if "first_word" not in table.derived:
        strings = table.strings("company")
        index: dict[str, int] = {}
        codes = [index.setdefault(s.split(" ", 1)[0], len(index)) if s else -1 for s in strings]
        table.derived["first_word"] = np.asarray(codes, dtype=np.int64)
    return table.derived["first_word"][table.columns["company"]]


def _order_key(table: Table) -> IntArray:
    """Records in name order (family, then given), so neighbours inside a huge block are
    similar people."""
    column = "family" if "family" in table.columns else "company"
    if column not in table.columns or len(table) == 0:
        return np.zeros(len(table), dtype=np.int64)
    rank = _ranks(table, column)
    if column == "family":
        given = _ranks(table, "given")
        return rank * (int(given.max()) + 2) + given
    return rank


def _ranks(table: Table, column: str) -> IntArray:
    """Per record, the rank of its value in the column's sorted vocabulary (missing: -1)."""
    strings = table.strings(column)
    ranks = np.full(len(strings), -1, dtype=np.int64)
    ranks[:-1] = np.argsort(np.argsort(strings[:-1].astype(str)))
    return ranks[table.columns[column]]


def candidate_pairs(
    table: Table, columns: Iterable[tuple[str, IntArray]], *, window: int = 40
) -> IntArray:
    """Unique pairs (i < j) as an (n, 2) array of rows sharing a key of any column."""
    n = len(table)
    codes = candidate_codes(table, columns, window=window)
    pairs: IntArray = np.stack([codes // n, codes % n], axis=1)
    return pairs


def candidate_codes(
    table: Table, columns: Iterable[tuple[str, IntArray]], *, window: int = 40
) -> IntArray:
    """The pairs of `candidate_pairs` as sorted codes i * n + j (half the memory of the pairs,
    which a scan takes a batch at a time). The codes found are merged column by column, so
    the pairs a column repeats from earlier ones are not held twice (at a million records the
    name keys find most pairs several times)."""
    n = len(table)
    order_key = _order_key(table)
    union = np.zeros(0, dtype=np.int64)
    for _, column in columns:
        # a multi-valued key (n, k): each record once per value
        width = column.shape[1] if column.ndim == 2 else 1
        values = column.ravel()
        present = np.flatnonzero(values >= 0)
        if len(present) < 2:
            continue
        rows, key = present // width, values[present]
        del present
        order = np.lexsort((order_key[rows], key))
        rows, keys = rows[order], key[order]
        del order, key
        found: list[IntArray] = []
        for step in range(1, min(window, len(rows) - 1) + 1):
            same = np.flatnonzero(keys[step:] == keys[:-step])
            if len(same) == 0:
                break
            a, b = rows[same], rows[same + step]
            distinct = a != b
            a, b = a[distinct], b[distinct]
            found.append(np.minimum(a, b) * n + np.maximum(a, b))
        if found:
            union = _sorted_unique(np.concatenate([union, *found]))
    return union


def _sorted_unique(values: IntArray) -> IntArray:
    """np.unique of int64 codes by sorting (several times quicker at millions of values)."""
    values.sort()
    if len(values) < 2:
        return values
    kept: IntArray = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return kept
