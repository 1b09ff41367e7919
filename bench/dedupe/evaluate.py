"""Pairwise precision, recall and F1 of found duplicates against a truth file.

    python bench/dedupe/evaluate.py PAIRS.csv TRUTH.csv

PAIRS.csv: `external_id_a,external_id_b[,score]` (a header row is skipped). TRUTH.csv:
`external_id,entity_id`. Merging is transitive, so the pairs are first closed into groups
(connected components); every pair of records inside a group counts as found.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping


def _components(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    return {x: find(x) for x in parent}


def _pairs_within(sizes: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def evaluate(pairs: Iterable[tuple[str, str]], truth: Mapping[str, str]) -> dict[str, float]:
    group = _components(pairs)
    found = _pairs_within(Counter(group.values()).values())
    real = _pairs_within(Counter(truth.values()).values())
    both = _pairs_within(Counter((g, truth.get(x, "?" + x)) for x, g in group.items()).values())
    precision = both / found if found else 1.0
    recall = both / real if real else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "pairs_found": found,
        "pairs_true": real,
        "pairs_correct": both,
    }


def read_pairs(path: str) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    if rows and rows[0][:2] == ["external_id_a", "external_id_b"]:
        rows = rows[1:]
    return [(r[0], r[1]) for r in rows if len(r) >= 2]


def read_truth(path: str) -> dict[str, str]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader, None)
        return {r[0]: r[1] for r in reader if len(r) >= 2}


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    result = evaluate(read_pairs(sys.argv[1]), read_truth(sys.argv[2]))
    print(json.dumps(result))
