"""Multi-word contact search on a large database: the search as it is against each word as its
own set of contacts (the search before decision 0070's follow-up), first page of 50 and the
count, median of --runs.

    TIDYCRM_DATA_DIR=/tmp/m1 .venv/bin/python bench/search_words.py --db sqlite
    DATABASE_URL=postgres://.../db .venv/bin/python bench/search_words.py --db postgres

Point it at a database a large import filled (bench/import_bench.py --rows 1000000). Prints a
table and writes results/search-words-<db>-<date>[-label].md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

QUERIES = (
    "van de plas",
    "van de velden",
    "de roos",
    "joão da",
    "maria garcia",
    "van der",
    "anna",
)


def each_word_a_set(queryset: Any, query: str) -> Any:
    from tidycrm.contacts.models import ContactSearchToken
    from tidycrm.hygiene.text import tokens

    for word in tokens(query)[:6]:
        matching = ContactSearchToken.objects.filter(token__gte=word, token__lt=word + "\uffff")
        queryset = queryset.filter(pk__in=matching.values("contact_id"))
    return queryset


def timed(search: Any, query: str, runs: int) -> tuple[float, int]:
    from tidycrm.contacts import selectors
    from tidycrm.contacts.models import Contact

    times, count = [], 0
    for _ in range(runs):
        began = time.perf_counter()
        found = search(Contact.objects.all(), query)
        list(selectors.for_list(found).order_by("sort_key", "id")[:50])
        count = found.count()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    common.setup(args.db)
    from tidycrm.contacts import selectors
    from tidycrm.contacts.models import Contact

    contacts = Contact.objects.count()
    lines = [
        f"# Multi-word search, {args.db}, {contacts:,} contacts",
        "",
        f"Median of {args.runs} runs: first page of 50 by name, and the count.",
        "",
        "| query | found | each word a set (ms) | search (ms) |",
        "|---|---:|---:|---:|",
    ]
    for query in QUERIES:
        before, found = timed(each_word_a_set, query, args.runs)
        after, _ = timed(selectors.search_contacts, query, args.runs)
        lines.append(f"| {query} | {found:,} | {before:.1f} | {after:.1f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    suffix = f"-{args.label}" if args.label else ""
    out = common.RESULTS_DIR / f"search-words-{args.db}-{date.today()}{suffix}.md"
    out.write_text(text)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
