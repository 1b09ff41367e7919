"""Comparison levels for record pairs, computed on whole arrays of pairs at once.

Each comparison turns pairs (i, j) of a `Table` into one level per pair: 0 is "missing" (a value
absent on either side: no evidence either way), then levels from the strongest agreement to
"different". Levels listed in `TF_LEVELS` are exact agreements on one value; their weight is
adjusted by how many records share that value (`Levels.value`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from tidycrm.matching.features import IntArray, Table
from tidycrm.matching.names import nickname_roots, related_names

# rapidfuzz's threads pay off on big batches only: starting them costs more than a door's
# check of a few dozen pairs takes.
_WORKERS = 2
PARALLEL_FROM = 5_000
ROOTS = 6
# Below four letters one slip makes another name (Ian, Ivan; Jon, Jan)
ONE_EDIT_FROM = 4
# and from five letters it is a slip more often than another name: "similar", not "close"
SIMILAR_EDIT_FROM = 5


@dataclass
class Levels:
    level: NDArray[np.int8]
    value: IntArray  # the shared value's code for exact levels (its frequency matters), else -1
    column: str = ""  # the column whose counts `value` refers to


@dataclass(frozen=True)
class Comparison:
    name: str
    levels: tuple[str, ...]  # level names; index 0 is always "missing"
    compute: Callable[[Table, IntArray, IntArray], Levels]
    tf_levels: frozenset[int] = frozenset()  # levels whose weight follows the value's frequency


@dataclass
class _Distinct:
    """The pairs of codes that differ and are both present (`rows`), as distinct pairs of
    strings (`left`, `right`): a measure is computed once per distinct pair and spread back
    over the rows with `inverse`. Measures are symmetric: (x, y) and (y, x) are one pair."""

    rows: IntArray
    left: list[str]
    right: list[str]
    inverse: IntArray


def _distinct(table: Table, column: str, a: IntArray, b: IntArray) -> _Distinct:
    rows = np.flatnonzero((a != b) & (a >= 0) & (b >= 0))
    strings = table.strings(column)
    width = len(strings)
    low, high = np.minimum(a[rows], b[rows]), np.maximum(a[rows], b[rows])
    unique, inverse = np.unique(low * width + high, return_inverse=True)
    return _Distinct(rows, list(strings[unique // width]), list(strings[unique % width]), inverse)


def similarity(table: Table, column: str, a: IntArray, b: IntArray) -> NDArray[np.float64]:
    """Jaro-Winkler similarity of the codes' strings, pair by pair: 1 where the codes are
    equal, 0 where one is missing; each distinct pair of strings is computed once, in C."""
    out = np.zeros(len(a), dtype=np.float64)
    out[(a == b) & (a >= 0)] = 1.0
    pairs = _distinct(table, column, a, b)
    if len(pairs.rows) == 0:
        return out
    scores = process.cpdist(
        pairs.left,
        pairs.right,
        scorer=JaroWinkler.normalized_similarity,
        workers=_workers(len(pairs.left)),
    )
    out[pairs.rows] = np.asarray(scores, dtype=np.float64)[pairs.inverse]
    return out


def one_edit(table: Table, column: str, a: IntArray, b: IntArray) -> NDArray[np.bool_]:
    """Codes whose strings are one typing slip apart (a letter left out, added, changed or two
    swapped: Damerau-Levenshtein distance 1), both at least `ONE_EDIT_FROM` letters long."""
    out = np.zeros(len(a), dtype=bool)
    pairs = _distinct(table, column, a, b)
    if len(pairs.rows) == 0:
        return out
    distance = np.asarray(
        process.cpdist(
            pairs.left,
            pairs.right,
            scorer=DamerauLevenshtein.distance,
            workers=_workers(len(pairs.left)),
        )
    )
    long_enough = np.fromiter(
        (
            min(len(x), len(y)) >= ONE_EDIT_FROM
            for x, y in zip(pairs.left, pairs.right, strict=True)
        ),
        dtype=bool,
        count=len(pairs.left),
    )
    out[pairs.rows] = ((distance <= 1) & long_enough)[pairs.inverse]
    return out


def _nickname_relation(
    table: Table, a: IntArray, b: IntArray
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Given-name codes that the nickname table relates one way only ("Kristin", "Chris"), and
    those one typing slip away from a related name ("Hode" for Hodge, Roger's nickname; "Jdy"
    for Judy)."""
    nick = np.zeros(len(a), dtype=bool)
    slip = np.zeros(len(a), dtype=bool)
    pairs = _distinct(table, "given", a, b)
    found_nick = np.zeros(len(pairs.left), dtype=bool)
    found_slip = np.zeros(len(pairs.left), dtype=bool)
    for k, (x, y) in enumerate(zip(pairs.left, pairs.right, strict=True)):
        x, y = str(x).split(" ", 1)[0], str(y).split(" ", 1)[0]
        near_x, near_y = related_names(x), related_names(y)
        if x in near_y or y in near_x:
            found_nick[k] = True
        elif min(len(x), len(y)) >= ONE_EDIT_FROM:
            found_slip[k] = _one_slip_from(x, near_y - {y}) or _one_slip_from(y, near_x - {x})
    nick[pairs.rows], slip[pairs.rows] = found_nick[pairs.inverse], found_slip[pairs.inverse]
    return nick, slip


def _one_slip_from(name: str, others: frozenset[str]) -> bool:
    return any(DamerauLevenshtein.distance(name, o, score_cutoff=1) <= 1 for o in others)


def _workers(pairs: int) -> int:
    return _WORKERS if pairs >= PARALLEL_FROM else 1


def _select(conditions: list[NDArray[np.bool_]], missing: NDArray[np.bool_]) -> NDArray[np.int8]:
    """Level = 1 + index of the first true condition; len+1 ("different") if none; 0 if missing."""
    out = np.full(missing.shape, len(conditions) + 1, dtype=np.int8)
    for index in range(len(conditions) - 1, -1, -1):
        out[conditions[index]] = index + 1
    out[missing] = 0
    return out


def _multi_equal(a: IntArray, b: IntArray) -> tuple[NDArray[np.bool_], IntArray]:
    """Rows of slot codes (n, SLOTS): does any value of a equal any value of b, and which."""
    same = (a[:, :, None] == b[:, None, :]) & (a[:, :, None] >= 0)
    found = same.any(axis=(1, 2))
    code = np.where(same.any(axis=2), a, -1).max(axis=1)
    return found, code


def _names(table: Table, i: IntArray, j: IntArray) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Given and family codes of both sides, b's parts swapped where that fits far better
    ("Kim Minjun" typed as given "Kim", family "Minjun")."""
    key = ("names", id(i), id(j))
    if key in table.scratch:
        return table.scratch[key]  # type: ignore[return-value]
    g, f = table.columns["given"], table.columns["family"]
    ga, fa, gb, fb = g[i], f[i], g[j], f[j]
    if "whole" in table.columns:
        # "石井知実" in one field against family "石井", given "知実": the split side's parts
        w = table.columns["whole"]
        one = (w[i] == w[j]) & (w[i] >= 0) & ((ga < 0) != (gb < 0))
        a_whole, b_whole = one & (ga < 0), one & (gb < 0)
        ga, fa = np.where(a_whole, gb, ga), np.where(a_whole, fb, fa)
        gb, fb = np.where(b_whole, ga, gb), np.where(b_whole, fa, fb)
    swap = np.zeros(len(i), dtype=bool)
    # only pairs agreeing on neither part, but sharing a part across, can be swapped
    crosses = (_first_letters(table, ga) == _first_letters(table, fb)) | (
        _first_letters(table, fa) == _first_letters(table, gb)
    )
    maybe = np.flatnonzero(
        (ga != gb) & (fa != fb) & (ga >= 0) & (fa >= 0) & (gb >= 0) & (fb >= 0) & crosses
    )
    if len(maybe):
        a_g, a_f, b_g, b_f = ga[maybe], fa[maybe], gb[maybe], fb[maybe]
        straight = similarity(table, "given", a_g, b_g) + similarity(table, "given", a_f, b_f)
        crossed = similarity(table, "given", a_g, b_f) + similarity(table, "given", a_f, b_g)
        swap[maybe] = crossed > straight + 0.25
    given_a, given_b = ga.copy(), np.where(swap, fb, gb)
    family_a, family_b = fa.copy(), np.where(swap, gb, fb)
    rows = np.flatnonzero(swap)
    if len(rows):
        # Which crossed pair plays "given" must not depend on which record comes first:
        # the pair with the smaller text does.
        strings = table.strings("given")
        x = _sorted_texts(strings[ga[rows]], strings[fb[rows]])
        y = _sorted_texts(strings[fa[rows]], strings[gb[rows]])
        flip = rows[y < x]
        given_a[flip], family_a[flip] = fa[flip], ga[flip]
        given_b[flip], family_b[flip] = gb[flip], fb[flip]
    found = (given_a, family_a, given_b, family_b)
    table.scratch[key] = found
    return found


def _sorted_texts(a: NDArray[np.object_], b: NDArray[np.object_]) -> NDArray[np.object_]:
    """Each pair of texts as one string, smaller first, for an order-free comparison."""
    return np.array(
        [f"{min(x, y)}\x00{max(x, y)}" for x, y in zip(a, b, strict=True)], dtype=object
    )


def _first_letters(table: Table, codes: IntArray) -> IntArray:
    first, _ = _initials(table)
    return first[codes]


def _roots(table: Table) -> IntArray:
    """Per name code, up to `ROOTS` codes of the formal names it may stand for (-1 padded):
    two names are nicknames of each other when their roots meet (the name itself is a root)."""
    if "roots" not in table.derived:
        strings = table.strings("given")
        index: dict[str, int] = {}
        out = np.full((len(strings), ROOTS), -1, dtype=np.int64)
        for code, text in enumerate(strings[:-1]):
            for slot, root in enumerate(sorted(nickname_roots(text))[:ROOTS]):
                out[code, slot] = index.setdefault(root, len(index))
        table.derived["roots"] = out
    return table.derived["roots"]


def _initials(table: Table) -> tuple[IntArray, IntArray]:
    """Per name code: a code of its first letter, and its length."""
    if "initial" not in table.derived:
        strings = table.strings("given")
        table.derived["initial"] = np.fromiter(
            (ord(s[0]) if s else -1 for s in strings), dtype=np.int64, count=len(strings)
        )
        table.derived["length"] = np.fromiter(
            (len(s) for s in strings), dtype=np.int64, count=len(strings)
        )
    return table.derived["initial"], table.derived["length"]


def _given(table: Table, i: IntArray, j: IntArray) -> Levels:
    ga, _, gb, _ = _names(table, i, j)
    exact = ga == gb
    sim = similarity(table, "given", ga, gb)
    roots = _roots(table)
    nick, _ = _multi_equal(roots[ga], roots[gb])
    first, length = _initials(table)
    initial = (first[ga] == first[gb]) & ((length[ga] == 1) | (length[gb] == 1))
    # one slip in a short name ("Aoron", "Erok") leaves Jaro-Winkler under the "close" cut
    edit = one_edit(table, "given", ga, gb)
    close = (sim >= 0.88) | edit
    unsure = np.flatnonzero(~exact & (sim < 0.95) & ~nick & ~close)
    if len(unsure):
        one_way, slipped = _nickname_relation(table, ga[unsure], gb[unsure])
        nick[unsure[one_way]] = True
        close[unsure[slipped]] = True
    # one slip in a longer name ("Renata", "Renate") is as likely a typo as a Jaro-Winkler
    # of 0.95, which long names reach with a slip and shorter ones do not
    slip = edit & (np.minimum(length[ga], length[gb]) >= SIMILAR_EDIT_FROM)
    level = _select([exact, (sim >= 0.95) | slip, nick, close, initial], (ga < 0) | (gb < 0))
    return Levels(level, np.where(level == 1, ga, -1), "given")


def _family(table: Table, i: IntArray, j: IntArray) -> Levels:
    _, fa, _, fb = _names(table, i, j)
    # phonetic codes are of the family names as entered: used only where no swap happened
    phon = table.columns["phon"]
    sim = similarity(table, "family", fa, fb)
    family = table.columns["family"]
    same_sound = (phon[i] == phon[j]) & (phon[i] >= 0) & (fa == family[i]) & (fb == family[j])
    # one slip in a short name ("Bzuer" for Bauer, "Brck" for Beck) leaves Jaro-Winkler under
    # the "sounds alike" cut, as with given names
    slip = one_edit(table, "family", fa, fb)
    level = _select(
        [fa == fb, sim >= 0.94, same_sound | (sim >= 0.88) | slip, sim >= 0.8],
        (fa < 0) | (fb < 0),
    )
    return Levels(level, np.where(level == 1, fa, -1), "family")


def _email(table: Table, i: IntArray, j: IntArray) -> Levels:
    e = table.columns["email"]
    ea, eb = e[i], e[j]
    same, code = _multi_equal(ea, eb)
    role = table.flags.get("email_role", np.zeros(0, dtype=bool))
    is_role = same & (role[np.maximum(code, 0)] if len(role) else False)
    local = table.columns["email_local"]
    same_local, _ = _multi_equal(local[i], local[j])
    level = _select([same & ~is_role, is_role, same_local], (ea[:, 0] < 0) | (eb[:, 0] < 0))
    return Levels(level, np.where((level == 1) | (level == 2), code, -1), "email")


def _phone(table: Table, i: IntArray, j: IntArray) -> Levels:
    p, t = table.columns["phone"], table.columns["tail"]
    same, _ = _multi_equal(p[i], p[j])
    tail, code = _multi_equal(t[i], t[j])
    level = _select([same, tail], (p[i, 0] < 0) | (p[j, 0] < 0))
    # a number's frequency is counted on its last digits, however it was written
    return Levels(level, np.where(level > 0, code, -1), "tail")


def _company(table: Table, i: IntArray, j: IntArray) -> Levels:
    c = table.columns["company"]
    ca, cb = c[i], c[j]
    sim = similarity(table, "company", ca, cb)
    domain_same, _ = _multi_equal(table.columns["domain"][i], table.columns["domain"][j])
    level = _select([ca == cb, (sim >= 0.9) | domain_same], (ca < 0) | (cb < 0))
    return Levels(level, np.where(level == 1, ca, -1), "company")


def _address(table: Table, i: IntArray, j: IntArray) -> Levels:
    st, pc, ci = table.columns["street"], table.columns["postcode"], table.columns["city"]
    same_pc = (pc[i] == pc[j]) & (pc[i] >= 0)
    same_city = (ci[i] == ci[j]) & (ci[i] >= 0)
    street_sim = similarity(table, "street", st[i], st[j])
    street_ok = (st[i] >= 0) & (st[j] >= 0) & (street_sim >= 0.9)
    place_known = ((pc[i] >= 0) & (pc[j] >= 0)) | ((ci[i] >= 0) & (ci[j] >= 0))
    level = _select(
        [street_ok & (same_pc | same_city), same_pc, same_city & ~((pc[i] >= 0) & (pc[j] >= 0))],
        ~place_known,
    )
    return Levels(level, np.where(level == 2, pc[i], -1), "postcode")


def _birth(table: Table, i: IntArray, j: IntArray) -> Levels:
    b = table.columns["birth"]
    ba, bb = b[i], b[j]
    strings = table.strings("birth")
    near = np.zeros(len(i), dtype=bool)
    differ = np.flatnonzero((ba != bb) & (ba >= 0) & (bb >= 0))
    if len(differ):
        near[differ] = (
            np.asarray(
                process.cpdist(
                    list(strings[ba[differ]]),
                    list(strings[bb[differ]]),
                    scorer=DamerauLevenshtein.distance,
                    workers=_workers(len(differ)),
                )
            )
            <= 1
        )
    level = _select([ba == bb, near, _two_parts_of_three(table, ba, bb)], (ba < 0) | (bb < 0))
    return Levels(level, np.where(level == 1, ba, -1), "birth")


def _two_parts_of_three(table: Table, a: IntArray, b: IntArray) -> NDArray[np.bool_]:
    """Dates agreeing on two of year, month and day: one part mistyped or taken from another
    field (1939-06-16 against 1943-06-16)."""
    if "birth_parts" not in table.derived:
        strings = table.strings("birth")
        parts = np.full((len(strings), 3), -1, dtype=np.int64)
        for code, text in enumerate(strings[:-1]):
            pieces = str(text).split("-")
            if len(pieces) == 3 and all(p.isdigit() for p in pieces):
                parts[code] = [int(p) for p in pieces]
        table.derived["birth_parts"] = parts
    parts = table.derived["birth_parts"]
    pa, pb = parts[a], parts[b]
    agree: NDArray[np.bool_] = ((pa == pb) & (pa >= 0)).sum(axis=1) >= 2
    return agree


def _identifier(column: str) -> Callable[[Table, IntArray, IntArray], Levels]:
    def compute(table: Table, i: IntArray, j: IntArray) -> Levels:
        x = table.columns[column]
        xa, xb = x[i], x[j]
        sim = similarity(table, column, xa, xb)
        level = _select([xa == xb, sim >= 0.9], (xa < 0) | (xb < 0))
        return Levels(level, np.where(level == 1, xa, -1), column)

    return compute


PERSON_COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "given_name",
        ("missing", "exact", "similar", "nickname", "close", "initial", "different"),
        _given,
        frozenset({1}),
    ),
    Comparison(
        "family_name",
        ("missing", "exact", "similar", "sounds alike", "close", "different"),
        _family,
        frozenset({1}),
    ),
    Comparison(
        "email",
        ("missing", "exact", "shared inbox", "same local part", "different"),
        _email,
        frozenset({1, 2}),
    ),
    Comparison(
        "phone", ("missing", "exact", "same last digits", "different"), _phone, frozenset({1, 2})
    ),
    Comparison("company", ("missing", "exact", "similar", "different"), _company, frozenset({1})),
    Comparison(
        "address",
        ("missing", "same street", "same postal code", "same city", "different"),
        _address,
        frozenset({2}),
    ),
    Comparison(
        "birth_date",
        ("missing", "exact", "one digit off", "two of year, month, day", "different"),
        _birth,
        frozenset({1}),
    ),
)


def identifier_comparison(key: str) -> Comparison:
    return Comparison(
        f"x:{key}",
        ("missing", "exact", "similar", "different"),
        _identifier(f"x:{key}"),
        frozenset({1}),
    )


def _company_name(table: Table, i: IntArray, j: IntArray) -> Levels:
    c = table.columns["company"]
    sim = similarity(table, "company", c[i], c[j])
    level = _select([c[i] == c[j], sim >= 0.94, sim >= 0.85], (c[i] < 0) | (c[j] < 0))
    return Levels(level, np.where(level == 1, c[i], -1), "company")


def _company_domain(table: Table, i: IntArray, j: IntArray) -> Levels:
    d = table.columns["domain"]
    same, code = _multi_equal(d[i], d[j])
    level = _select([same], (d[i, 0] < 0) | (d[j, 0] < 0))
    return Levels(level, np.where(level == 1, code, -1), "domain")


COMPANY_COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "name", ("missing", "exact", "similar", "close", "different"), _company_name, frozenset({1})
    ),
    Comparison("domain", ("missing", "exact", "different"), _company_domain, frozenset({1})),
    Comparison(
        "phone", ("missing", "exact", "same last digits", "different"), _phone, frozenset({1, 2})
    ),
    Comparison(
        "address",
        ("missing", "same street", "same postal code", "same city", "different"),
        _address,
        frozenset({2}),
    ),
)
