"""Segments at 1M contacts: count and first page of a three-condition segment, recomputing a
segment's stored membership, and a bulk tag of 100,000 contacts with its audit records.

    TIDYCRM_DATA_DIR=/tmp/me-bench .venv/bin/python bench/segments/run.py --db sqlite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tidycrm_bench_me \\
        .venv/bin/python bench/segments/run.py --db postgres

Run it on a copy of the bench database (it migrates it and adds a custom field, deals and a
list: bench/segments/prepare.py). Count and first page go through the real API routes
(Django test client, Bearer token) for an admin (sees all) and a sales user (sees own).
Writes bench/results/segments-<db>-<date>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import common

THREE_CONDITIONS = {
    "all": [
        {"field": "country", "op": "eq", "value": "DE"},
        {"field": "custom.score", "op": "gte", "value": 50},
        {
            "field": "deals",
            "op": "exists",
            "where": {
                "all": [
                    {"field": "status", "op": "eq", "value": "open"},
                    {"field": "amount", "op": "gt", "value": 10000},
                ]
            },
        },
    ]
}
BROAD = {"field": "custom.score", "op": "gte", "value": 50}
TARGETS = {"count_and_first_page_p95_ms": 500, "recompute_s": 10, "bulk_tag_100k_s": 30}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1)


def measure_segment(requests: int) -> list[dict[str, Any]]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tidycrm.accounts.models import User
    from tidycrm.accounts.services import issue_api_token
    from tidycrm.segments.models import Segment
    from tidycrm.segments.services.segments import create_segment

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    admin = User.objects.get(username=common.ADMIN)
    segment = Segment.objects.filter(name="Bench three conditions").first() or create_segment(
        name="Bench three conditions", filter=THREE_CONDITIONS, actor=admin, channel="system"
    )
    results = []
    for label, username in (("admin (all)", common.ADMIN), ("sales (own)", "bench-sales-01")):
        user = User.objects.get(username=username)
        _, secret = issue_api_token(user, "bench")
        client = Client(headers={"Authorization": f"Bearer {secret}"})
        timings, counts = [], set()
        for n in range(requests + 3):
            began = time.perf_counter()
            count = client.get(f"/api/v1/segments/{segment.pk}/count")
            page = client.get(f"/api/v1/segments/{segment.pk}/members?limit=50")
            elapsed = (time.perf_counter() - began) * 1000
            assert count.status_code == 200 and page.status_code == 200, count.content
            counts.add(count.json()["count"])
            if n >= 3:
                timings.append(elapsed)
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/api/v1/segments/{segment.pk}/count")
            client.get(f"/api/v1/segments/{segment.pk}/members?limit=50")
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
        result = {
            "op": "count_and_first_page",
            "user": label,
            "members": sorted(counts),
            "n": len(timings),
            "median_ms": round(statistics.median(timings), 1),
            "p95_ms": _p95(timings),
            "max_ms": round(max(timings), 1),
            "target_p95_ms": TARGETS["count_and_first_page_p95_ms"],
            "sql_ms": round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1),
            "slowest_sql": slowest["sql"][:2000],
            "slowest_sql_ms": round(float(slowest["time"]) * 1000, 1),
        }
        result["meets_target"] = result["p95_ms"] <= result["target_p95_ms"]
        print(
            f"  {label:12s} count+page median {result['median_ms']} ms p95 {result['p95_ms']} ms "
            f"({result['members']} members)",
            flush=True,
        )
        results.append(result)
    return results


def measure_recompute() -> list[dict[str, Any]]:
    from django.db import connection

    from tidycrm.accounts.models import User
    from tidycrm.contacts.models import Contact
    from tidycrm.segments.models import Segment, SegmentMember
    from tidycrm.segments.services.membership import recompute_segment
    from tidycrm.segments.services.segments import create_segment

    admin = User.objects.get(username=common.ADMIN)
    segment = Segment.objects.filter(name="Bench broad").first() or create_segment(
        name="Bench broad", filter=BROAD, actor=admin, channel="system"
    )
    SegmentMember.objects.filter(segment=segment).delete()
    results = []
    began = time.perf_counter()
    first = recompute_segment(segment)
    results.append(
        {
            "op": "recompute_first",
            "members": first.members,
            "entered": first.entered,
            "left": first.left,
            "seconds": round(time.perf_counter() - began, 2),
        }
    )
    # 20,000 contacts cross the line both ways, then the membership is recomputed.
    table = connection.ops.quote_name(Contact._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = (
                f"UPDATE {table} SET custom_fields = custom_fields || "
                "jsonb_build_object('score', 99 - (custom_fields->>'score')::int) "
                "WHERE id % 50 = 1"
            )
        else:
            sql = (
                f"UPDATE {table} SET custom_fields = json_set(custom_fields, '$.score', "
                "99 - json_extract(custom_fields, '$.score')) WHERE id % 50 = 1"
            )
        cursor.execute(sql)
    began = time.perf_counter()
    second = recompute_segment(segment)
    results.append(
        {
            "op": "recompute_after_changes",
            "members": second.members,
            "entered": second.entered,
            "left": second.left,
            "seconds": round(time.perf_counter() - began, 2),
        }
    )
    for r in results:
        r["target_s"] = TARGETS["recompute_s"]
        r["meets_target"] = r["seconds"] <= r["target_s"]
        print(
            f"  {r['op']}: {r['seconds']} s ({r['members']:,} members, "
            f"{r['entered']:,} entered, {r['left']:,} left)",
            flush=True,
        )
    return results


def measure_bulk_tag(list_id: int) -> dict[str, Any]:
    from tidycrm.accounts.models import User
    from tidycrm.audit.models import ChangeRecord
    from tidycrm.segments.services.bulk import request_bulk_action

    admin = User.objects.get(username=common.ADMIN)
    before = ChangeRecord.objects.count()
    tag = f"bench-{datetime.now(UTC):%H%M%S}"
    began = time.perf_counter()
    requested = request_bulk_action(
        kind="tag",
        params={"tags": [tag]},
        target={"list_id": list_id},
        actor=admin,
        channel="system",
        inline_limit=10**9,
    )
    seconds = round(time.perf_counter() - began, 2)
    audits = ChangeRecord.objects.count() - before
    result = {
        "op": "bulk_tag",
        "requested": requested.action.requested,
        "result": requested.action.result,
        "audit_records": audits,
        "seconds": seconds,
        "target_s": TARGETS["bulk_tag_100k_s"],
        "meets_target": seconds <= TARGETS["bulk_tag_100k_s"],
    }
    print(
        f"  bulk tag: {seconds} s for {result['requested']:,} contacts, {audits:,} audit records",
        flush=True,
    )
    return result


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Segments benchmark: {report['db']}, {report['contacts']:,} contacts",
        "",
        f"{report['date']}, commit {report['commit']}, load average "
        f"{report['load_average_before'][0]} before, {report['load_average_after'][0]} after.",
        "",
        "Segment of three conditions: country = DE, custom field score >= 50, and has an open "
        "deal over 10,000 (100,000 deals on random contacts). Count and first page of 50 through "
        "GET /segments/{id}/count and /members (server time in-process).",
        "",
        "| user | operation | members | median ms | p95 ms | target p95 | ok | SQL ms |",
        "|---|---|---:|---:|---:|---:|---|---:|",
    ]
    for r in report["segment"]:
        lines.append(
            f"| {r['user']} | count + first page | {r['members'][0]:,} | {r['median_ms']} | "
            f"{r['p95_ms']} | {r['target_p95_ms']} | {'yes' if r['meets_target'] else '**no**'} "
            f"| {r['sql_ms']} |"
        )
    lines += [
        "",
        "| operation | members | entered | left | seconds | target s | ok |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["recompute"]:
        lines.append(
            f"| {r['op']} | {r['members']:,} | {r['entered']:,} | {r['left']:,} | {r['seconds']} "
            f"| {r['target_s']} | {'yes' if r['meets_target'] else '**no**'} |"
        )
    b = report["bulk_tag"]
    lines += [
        "",
        "| operation | contacts | changed | audit records | seconds | target s | ok |",
        "|---|---:|---:|---:|---:|---:|---|",
        f"| bulk tag (list of 100,000) | {b['requested']:,} | {b['result'].get('changed', 0):,} "
        f"| {b['audit_records']:,} | {b['seconds']} | {b['target_s']} | "
        f"{'yes' if b['meets_target'] else '**no**'} |",
        "",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)
    common.configure(args.db)
    import django

    django.setup()
    from django.core.management import call_command

    import tidycrm.wsgi  # noqa: F401  (loaded as the server loads it)
    from bench.measure import _commit
    from bench.segments.prepare import prepare
    from tidycrm.contacts.models import Contact

    call_command("migrate", verbosity=0)
    print(f"{args.db}: preparing", flush=True)
    prepared = prepare()
    load_before = os.getloadavg()
    contacts = Contact.objects.count()
    print(f"{args.db}: {contacts:,} contacts; load average {load_before[0]:.1f}", flush=True)
    report = {
        "db": args.db,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": os.environ.get("BENCH_COMMIT") or _commit(),
        "contacts": contacts,
        "prepared": prepared,
        "load_average_before": [round(x, 2) for x in load_before],
        "segment": measure_segment(args.requests),
        "recompute": measure_recompute(),
        "bulk_tag": measure_bulk_tag(prepared["list_id"]),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    name = (
        f"segments-{args.db}-{datetime.now(UTC):%Y-%m-%d}{'-' + args.label if args.label else ''}"
    )
    common.RESULTS_DIR.mkdir(exist_ok=True)
    (common.RESULTS_DIR / f"{name}.json").write_text(json.dumps(report, indent=2, default=str))
    (common.RESULTS_DIR / f"{name}.md").write_text(markdown(report))
    print(f"wrote bench/results/{name}.json and .md")


if __name__ == "__main__":
    main()
