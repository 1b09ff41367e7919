"""How far any matcher can go on a labelled set, from what its records share.

A duplicate pair can be told from two different people only by what the records hold. This
counts, on a prepared set (`run.py` writes `<set>.prepared.csv` with the true entity of each
record):

- the true pairs that a shared value other than the name links, directly or through other
  records of the same person (an e-mail, a phone's last seven digits, the company, the street,
  the postal code, and with --city also the town): an upper bound of recall for a matcher that
  needs more than a name;
- the pairs with the same cleaned name and no shared value at all: how many are one person
  and how many are two, the best precision a rule on the name alone can have on them.

    .venv/bin/python bench/dedupe/bound.py bench/data/dedupe/crm-20k.prepared.csv
"""

from __future__ import annotations

import argparse
import csv
import itertools
from collections import Counter, defaultdict
from pathlib import Path

PLACES = (("company_clean", "c"), ("street_clean", "s"), ("postcode_clean", "z"))


def shared_values(row: dict[str, str], *, city: bool) -> set[str]:
    """The values of a record other than its name, each tagged with its kind."""
    values = {"e:" + e.lower() for e in (row["email_clean"], row["email2"]) if e}
    for phone in (row["phone_clean"], row["phone2"]):
        digits = "".join(c for c in phone if c.isdigit())
        if len(digits) >= 7:
            values.add("p:" + digits[-7:])
    fields = (*PLACES, ("city_clean", "t")) if city else PLACES
    values |= {f"{tag}:{row[name]}" for name, tag in fields if row[name]}
    return values


def linked_pairs(records: list[dict[str, str]], *, city: bool) -> int:
    """Pairs of one person's records joined by shared values, directly or through others."""
    parent = list(range(len(records)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    values = [shared_values(r, city=city) for r in records]
    for a, b in itertools.combinations(range(len(records)), 2):
        if values[a] & values[b]:
            parent[root(a)] = root(b)
    sizes = Counter(root(x) for x in range(len(records)))
    return sum(s * (s - 1) // 2 for s in sizes.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prepared", type=Path)
    args = parser.parse_args()
    with args.prepared.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    people: dict[str, list[dict[str, str]]] = defaultdict(list)
    namesakes: dict[tuple[str, ...], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        people[row["entity"]].append(row)
        if row["given_clean"] and row["family_clean"]:
            namesakes[tuple(sorted((row["given_clean"], row["family_clean"])))].append(row)
    true_pairs = sum(len(r) * (len(r) - 1) // 2 for r in people.values())
    print(f"{len(rows):,} records, {true_pairs:,} true pairs")
    for city in (False, True):
        linked = sum(linked_pairs(r, city=city) for r in people.values())
        recall = linked / true_pairs
        print(
            f"linked by a shared value{' (town included)' if city else ''}: {linked:,}; "
            f"recall at most {recall:.4f}, F1 at most {2 * recall / (1 + recall):.4f} "
            "at precision 1"
        )
    same, different = 0, 0
    for group in namesakes.values():
        values = [shared_values(r, city=True) for r in group]
        for a, b in itertools.combinations(range(len(group)), 2):
            if not values[a] & values[b]:
                if group[a]["entity"] == group[b]["entity"]:
                    same += 1
                else:
                    different += 1
    print(
        f"same name, nothing else shared: {same:,} one person, {different:,} two people "
        f"(precision {same / max(same + different, 1):.3f} if all were taken)"
    )


if __name__ == "__main__":
    main()
