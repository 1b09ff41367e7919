"""Where the time of the door's bulk path goes: wall time per step for a few batches.

    .venv/bin/python bench/profile_door.py --db sqlite [--rows 4000]

Wraps the steps of `save_contacts_bulk` with timers (no profiler overhead) and prints each
step's share. The rows are written (external ids profile-*): point it at a scratch database
(TIDYCRM_DATA_DIR=/tmp/... or DATABASE_URL).
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

STEPS = (
    "standardise",
    "_affiliations",
    "standardise_phones",
    "standardise_emails",
    "standardise_addresses",
    "_bulk_insert",
    "_bulk_tokens",
    "contact_tokens",
)


def main(argv: list[str] | None = None) -> None:
    common.fixed_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=2000)
    args = parser.parse_args(argv)
    common.setup(args.db)
    import importlib

    from django.core.management import call_command
    from django.db.models import QuerySet

    from bench.generate import Generator
    from bench.load import ensure_users
    from tidycrm.audit import services as audit
    from tidycrm.companies.models import Company
    from tidycrm.contacts.services import bulk, tokens

    # The package re-exports the function `standardise`, which hides the module of that name.
    standardise = importlib.import_module("tidycrm.contacts.services.standardise")

    spent: dict[str, float] = defaultdict(float)

    def timed(owners: list[Any], name: str) -> None:
        """Wrap `name` in every module that holds it: modules import functions by name."""
        holders = [owner for owner in owners if hasattr(owner, name)]
        if not holders:
            return
        original = getattr(holders[0], name)

        @functools.wraps(original)
        def inner(*a: Any, **k: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*a, **k)
            finally:
                spent[name] += time.perf_counter() - began

        for owner in holders:
            setattr(owner, name, inner)

    for name in STEPS:
        timed([standardise, bulk, tokens], name)
    timed([audit, bulk], "record_changes_bulk")
    call_command("migrate", verbosity=0)
    bulk_create = QuerySet.bulk_create

    def timed_bulk_create(self: QuerySet[Any], objs: Any, *a: Any, **k: Any) -> Any:
        began = time.perf_counter()
        try:
            return bulk_create(self, objs, *a, **k)
        finally:
            spent[f"bulk_create {self.model.__name__}"] += time.perf_counter() - began

    QuerySet.bulk_create = timed_bulk_create  # type: ignore[method-assign]
    admin, owners = ensure_users()
    ids = list(Company.objects.order_by("id").values_list("id", flat=True))
    generator = Generator(int(time.time()))
    start = int(time.time() * 1000)
    rows = list(
        generator.contacts(
            start,
            args.rows,
            owner_ids=owners,
            company_ids=ids,
            company_domains=["example.org"] * len(ids),
        )
    )
    for row in rows:
        row["external_id"] = "profile-" + row["external_id"]
    began = time.perf_counter()
    for i in range(0, len(rows), args.batch):
        bulk.save_contacts_bulk(rows[i : i + args.batch], actor=admin, channel="import")
    total = time.perf_counter() - began
    print(f"{args.db}: {args.rows} rows in {total:.1f} s = {args.rows / total:,.0f} rows/s")
    for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {name:32s} {seconds:7.2f} s  {100 * seconds / total:5.1f}%")


if __name__ == "__main__":
    main()
