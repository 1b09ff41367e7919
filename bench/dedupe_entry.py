"""The door's duplicate check against a large database: latency per record, p50/p95/p99.

Runs on a copy of a 1M bench database (never the base one): it migrates the copy, builds the
match keys once if they are missing (timed), then saves N records through the door on the API
channel: half are near-duplicates of stored contacts (another spelling, the same e-mail or
phone), half are new people. For each it times the duplicate step alone (candidates from the
match-key table, scoring) and the whole save.

    flock /tmp/tidycrm-bench.lock cp bench/data/tidycrm.sqlite3 /tmp/deduper-bench/tidycrm.sqlite3
    TIDYCRM_DATA_DIR=/tmp/deduper-bench .venv/bin/python -m bench.dedupe_entry --db sqlite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tidycrm_bench_deduper \\
        .venv/bin/python -m bench.dedupe_entry --db postgres
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from bench.common import RESULTS_DIR, analyze, configure

NICKNAMES = {"Robert": "Bob", "William": "Bill", "Elizabeth": "Liz", "Katherine": "Kate"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {
        "p50_ms": round(percentile(ms, 0.50), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "p99_ms": round(percentile(ms, 0.99), 2),
        "max_ms": round(max(ms), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


def report_progress(done: int, total: int | None) -> None:
    if done % 100_000 < 5_000:
        print(f"  {done:,}/{total or 0:,}", flush=True)


def near_duplicate(record: Any, rng: random.Random) -> dict[str, Any]:
    given = NICKNAMES.get(record.given_name, record.given_name)
    data: dict[str, Any] = {
        "given_name": given.upper() if rng.random() < 0.3 else given,
        "family_name": record.family_name,
        "city": record.city,
        "country": record.country,
    }
    if record.emails and rng.random() < 0.7:
        data["emails"] = [record.emails[0].upper()]
    if record.phones and (rng.random() < 0.5 or "emails" not in data):
        data["phones"] = [record.phones[0]]
    return data


def new_person(donors: list[Any], n: int, rng: random.Random) -> dict[str, Any]:
    a, b = rng.choice(donors), rng.choice(donors)
    given, family = a.given_name or "Alex", b.family_name or "Smith"
    return {
        "given_name": given,
        "family_name": family,
        "emails": [f"{given}.{family}.{n}@bench-new.example".lower().replace(" ", "")],
        "city": b.city,
        "country": b.country,
    }


def run(records: int, seed: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from tidycrm.accounts.models import User
    from tidycrm.contacts import duplicates
    from tidycrm.contacts.models import Contact, ContactMatchKey
    from tidycrm.contacts.services import save_contact, standardise
    from tidycrm.contacts.services.match_keys import person_records, rebuild_all

    call_command("migrate", verbosity=0)
    contacts = Contact.objects.count()
    keyed = ContactMatchKey.objects.values("contact_id").distinct().count() if contacts else 0
    build_seconds = None
    if keyed < contacts * 0.99:
        print(f"Building match keys for {contacts:,} contacts…", flush=True)
        began = time.perf_counter()
        rebuild_all(
            lambda done, total: (
                print(f"  {done:,}/{total:,}", flush=True) if done % 100_000 < 5_000 else None
            )
        )
        build_seconds = round(time.perf_counter() - began, 1)
        print(f"  match keys built in {build_seconds} s", flush=True)
    analyze_seconds = analyze()
    rng = random.Random(seed)
    top = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    donors = person_records(rng.sample(range(1, top + 1), min(records * 2, top)))
    actor = User.objects.filter(username="bench-admin").first()
    labelled = [(near_duplicate(r, rng), True) for r in donors[: records // 2]]
    labelled += [(new_person(donors, n, rng), False) for n in range(records - len(labelled))]
    rng.shuffle(labelled)
    inputs = [data for data, _ in labelled]
    for data in inputs[:20]:  # warm caches (model load, prepared statements)
        duplicates.check(
            standardise(data, actor=actor, channel="api"), instance=None, actor=actor, channel="api"
        )
    check_times: list[float] = []
    save_times: list[float] = []
    flagged = {True: 0, False: 0}
    for data, twin in labelled:
        draft = standardise(data, actor=actor, channel="api")
        began = time.perf_counter()
        verdict = duplicates.check(draft, instance=None, actor=actor, channel="api")
        check_times.append(time.perf_counter() - began)
        flagged[twin] += bool(verdict.findings)
        began = time.perf_counter()
        save_contact(data, actor=actor, channel="api")
        save_times.append(time.perf_counter() - began)
    return {
        "database": connection.vendor,
        "contacts": contacts,
        "records": len(inputs),
        "near_duplicates_in_input": records // 2,
        "near_duplicates_flagged": flagged[True],
        "new_people_flagged": flagged[False],
        "match_key_build_seconds": build_seconds,
        "analyze_seconds": round(analyze_seconds, 1),
        "duplicate_check": summary(check_times),
        "whole_save": summary(save_times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    configure(args.db)
    import django

    django.setup()
    result = run(args.records, args.seed)
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    name = f"dedupe-entry-{args.db}-{result['contacts'] // 1000}k-{stamp}"
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    check, save = result["duplicate_check"], result["whole_save"]
    lines = [
        f"# Duplicate check at entry: {args.db}, {result['contacts']:,} contacts",
        "",
        f"{result['records']:,} records saved through the door (API channel, policy warn); "
        f"{result['near_duplicates_in_input']:,} of them near-duplicates of stored contacts, "
        f"{result['near_duplicates_flagged']:,} of those flagged, and "
        f"{result['new_people_flagged']:,} of the new people.",
        "",
        "| step | p50 ms | p95 ms | p99 ms | max ms | mean ms |",
        "|---|---|---|---|---|---|",
        f"| duplicate check | {check['p50_ms']} | {check['p95_ms']} | {check['p99_ms']} | "
        f"{check['max_ms']} | {check['mean_ms']} |",
        f"| whole save | {save['p50_ms']} | {save['p95_ms']} | {save['p99_ms']} | "
        f"{save['max_ms']} | {save['mean_ms']} |",
        "",
        f"Match keys built once for the copy: {result['match_key_build_seconds']} s.",
        "",
    ]
    (RESULTS_DIR / f"{name}.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
