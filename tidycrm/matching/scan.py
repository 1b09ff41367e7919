"""Whole-set scans and clustering."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from tidycrm.core.collector import paused_collection
from tidycrm.matching.blocking import candidate_codes, company_key_columns, person_key_columns
from tidycrm.matching.features import (
    IntArray,
    Table,
    companies_table,
    people_table,
)
from tidycrm.matching.model import DEFAULT_THRESHOLD, CompanyModel, Match, PersonModel
from tidycrm.matching.records import CompanyRecord, PersonRecord

BATCH = 200_000


def scan_people(
    records: Iterable[PersonRecord] | Table,
    model: PersonModel,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Callable[[int, int], None] | None = None,
) -> list[Match]:
    """Every pair of records whose probability reaches the threshold, strongest first.

    Blocking gives the candidate pairs; they are scored in batches of arrays; only the pairs
    kept get their evidence written out. Value frequencies come from the scanned set itself.
    `records` may be their table already built (`PersonModel.train_for_scan` gives it).
    """
    table = records if isinstance(records, Table) else people_table(records, model.identifiers)
    return _scan(table, person_key_columns(table), model, threshold, progress)


def scan_companies(
    records: Iterable[CompanyRecord],
    model: CompanyModel,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Callable[[int, int], None] | None = None,
) -> list[Match]:
    """`scan_people` for companies: blocking on name, domain, phone and name word with town."""
    companies = records if isinstance(records, Sequence) else list(records)
    table = companies_table(companies)
    return _scan(table, company_key_columns(table), model, threshold, progress)


def _scan(
    table: Table,
    keys: Iterable[tuple[str, IntArray]],
    model: PersonModel | CompanyModel,
    threshold: float,
    progress: Callable[[int, int], None] | None,
) -> list[Match]:
    codes = candidate_codes(table, keys)
    total, n = len(codes), len(table)
    matches: list[Match] = []
    if progress:
        progress(0, total)
    # the kept pairs' evidence is written when first read (see `DeferredEvidence`)
    with paused_collection():
        for start in range(0, total, BATCH):
            i, j = np.divmod(codes[start : start + BATCH], n)
            scored = model.score_pairs(table, i, j, own_frequencies=True)
            keep = np.flatnonzero(scored.probability >= threshold)
            matches.extend(model.explain_later(table, scored, keep, i[keep], j[keep], own=True))
            del scored, i, j
            if progress:
                progress(min(start + BATCH, total), total)
        del codes
        matches.sort(key=lambda m: (-m.weight, m.a, m.b))
    return matches


def cluster(
    matches: Iterable[Match],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_density: float = 0.5,
    max_size: int = 50,
) -> list[list[str]]:
    """Groups of ids (two or more) that are one entity.

    Pairs are taken strongest first. Two groups join only when direct links between them
    cover at least `min_density` of their cross pairs, so A-B, B-C still makes {A, B, C}
    (one of two cross pairs is linked) but a long chain of weak links does not pull unrelated
    people into one group; no group grows past `max_size`.
    """
    with paused_collection():  # a million small tuples and lists, no cycles among them
        return _cluster(matches, threshold, min_density, max_size)


def _cluster(
    matches: Iterable[Match], threshold: float, min_density: float, max_size: int
) -> list[list[str]]:
    edges = sorted(
        (m for m in matches if m.probability >= threshold and m.a != m.b),
        key=lambda m: (-m.weight, m.a, m.b),
    )
    linked: set[tuple[str, str]] = set()
    for m in edges:
        linked.add((m.a, m.b))
        linked.add((m.b, m.a))
    group_of: dict[str, int] = {}
    members: dict[int, list[str]] = {}
    for m in edges:
        for node in (m.a, m.b):
            if node not in group_of:
                group_of[node] = len(group_of)
                members[group_of[node]] = [node]
        ga, gb = group_of[m.a], group_of[m.b]
        if ga == gb:
            continue
        left, right = members[ga], members[gb]
        if len(left) + len(right) > max_size:
            continue
        links = sum(1 for x in left for y in right if (x, y) in linked)
        if links < min_density * len(left) * len(right):
            continue
        if len(left) < len(right):
            ga, gb, left, right = gb, ga, right, left
        left.extend(right)
        for node in right:
            group_of[node] = ga
        del members[gb]
    groups = [sorted(g) for g in members.values() if len(g) >= 2]
    return sorted(groups, key=lambda g: (-len(g), g))
