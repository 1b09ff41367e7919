"""Server time of the deal board, a contact timeline and the reports dashboard at sales scale.

    TIDYCRM_DATA_DIR=/tmp/dealer-bench .venv/bin/python bench/sales/run.py --db sqlite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tidycrm_bench_dealer \\
        .venv/bin/python bench/sales/run.py --db postgres

In-process through the real URL routes and middleware (Django test client, session login), as
bench/measure.py does, for an admin (sees all) and a sales user (sees own). The dashboard is
measured twice: as served (figures from the cache while the data is unchanged) and with the
cache cleared before every request (every figure computed; the forecast applies the stored
model, which the worker retrains on its schedule, and the monthly rollups of deals, which the
worker builds: the run first does both as the worker would and records how long they took).
Writes bench/results/sales-<db>-<date>.json and .md.
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
from bench.measure import QueryTimer, _commit, explain

TARGET_MS = 300
WARMUP = 3


def time_requests(client: Any, urls: list[str], before: Any = None) -> list[float]:
    timings = []
    for url in urls:
        if before:
            before()
        began = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        timings.append(elapsed)
    return timings


def traced(client: Any, url: str) -> dict[str, Any]:
    from django.db import connection

    timer = QueryTimer()
    with connection.execute_wrapper(timer):
        client.get(url)
    slowest = sorted(timer.queries, key=lambda q: -q["ms"])[:3]
    return {
        "queries": len(timer.queries),
        "sql_ms": round(sum(q["ms"] for q in timer.queries), 1),
        "slowest": [
            {"ms": q["ms"], "sql": q["sql"][:2000], "params": [str(p)[:80] for p in q["params"]]}
            for q in slowest
        ],
    }


def summary(op: str, user: str, timings: list[float], trace: dict[str, Any]) -> dict[str, Any]:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "op": op,
        "user": user,
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(ordered[-1], 1),
        "target_p95_ms": TARGET_MS,
        "meets_target": p95 <= TARGET_MS,
        "traced_request": {k: v for k, v in trace.items() if k != "slowest"},
        "slowest_queries": trace["slowest"],
    }


def measure(db: str, requests: int, note: str) -> dict[str, Any]:
    common.configure(db)
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    import tidycrm.wsgi  # noqa: F401  (the app as the server builds it)
    from tidycrm.accounts.models import User
    from tidycrm.activities.models import Activity, ActivityContact
    from tidycrm.contacts.models import Contact
    from tidycrm.deals.models import Deal, Pipeline

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    analyze_seconds = common.analyze()
    sales = Pipeline.objects.get(name="Sales")
    sales_user = User.objects.get(username="bench-sales-01")
    # The loader gives this contact 2,000 activities (bench/sales/load.py).
    hot = Contact.objects.filter(owner=sales_user).order_by("id").values_list("id", flat=True)[0]
    counts = {
        "contacts": Contact.objects.count(),
        "deals": Deal.objects.count(),
        "open_deals_on_board": Deal.objects.filter(pipeline=sales, status="open").count(),
        "activities": Activity.objects.count(),
        "timeline_contact_activities": ActivityContact.objects.filter(contact_id=hot).count(),
    }
    print(f"{db}: {counts}", flush=True)
    from tidycrm.reports.training import train

    began = time.perf_counter()
    train(None)  # the model of all pipelines, which the default dashboard shows
    training_seconds = round(time.perf_counter() - began, 1)
    print(f"  forecast model trained (worker's job) in {training_seconds} s", flush=True)
    from django.utils import timezone

    from tidycrm.reports.services.rollups import build_due

    began = time.perf_counter()
    built = build_due(timezone.now())["months"]
    rollup_seconds = round(time.perf_counter() - began, 1)
    print(f"  {built} monthly rollups built (worker's job) in {rollup_seconds} s", flush=True)
    users = {
        "admin (all)": User.objects.get(username=common.ADMIN),
        "sales (own)": sales_user,
    }
    results = []
    load_before = os.getloadavg()
    for label, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        ops = {
            "board": [f"/deals/pipelines/{sales.pk}/board/"],
            "contact_timeline": [f"/activities/timeline/contact/{hot}/"],
            "dashboard_year": ["/reports/"],
            "dashboard_year_uncached": ["/reports/"],
        }
        for op, (url,) in ops.items():
            before = cache.clear if op.endswith("uncached") else None
            time_requests(client, [url] * WARMUP, before)
            timings = time_requests(client, [url] * requests, before)
            if before:
                before()
            trace = traced(client, url)
            result = summary(op, label, timings, trace)
            results.append(result)
            print(
                f"  {label:12s} {op:24s} median {result['median_ms']:>7} ms  p95 "
                f"{result['p95_ms']:>7} ms  ({trace['queries']} queries, {trace['sql_ms']} ms SQL)",
                flush=True,
            )
    for result in results:
        if not result["meets_target"] and result["slowest_queries"]:
            slowest = result["slowest_queries"][0]
            try:
                result["plan_of_slowest"] = explain(slowest["sql"], slowest["params"])
            except Exception as exc:  # a truncated statement cannot be explained
                result["plan_of_slowest"] = f"(not explained: {exc})"
    return {
        "db": db,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        **counts,
        "requests_per_op": requests,
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "analyze_seconds": analyze_seconds,
        "forecast_training_seconds": training_seconds,
        "rollup_build_seconds": rollup_seconds,
        "note": note,
        "commit": _commit(),
        "results": results,
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Sales benchmark: {report['db']}",
        "",
        f"{report['date']}, commit {report['commit']}, {report['machine']['cpus']} CPUs, load "
        f"average {report['machine']['load_average_before'][0]} before and "
        f"{report['machine']['load_average_after'][0]} after.",
        f"{report['contacts']:,} contacts, {report['deals']:,} deals "
        f"({report['open_deals_on_board']:,} open on the measured board), "
        f"{report['activities']:,} activities; the timeline contact has "
        f"{report['timeline_contact_activities']:,} activities.",
        f"{report['requests_per_op']} timed requests per operation after {WARMUP} warm-up; "
        "server time in-process (Django test client, real URL routes and middleware).",
        f"Forecast model trained beforehand, as the worker's periodic job does, in "
        f"{report.get('forecast_training_seconds', '?')} s, and the monthly rollups of deals "
        f"built in {report.get('rollup_build_seconds', '?')} s (neither part of any request).",
        "",
        *([f"**Note:** {report['note']}", ""] if report.get("note") else []),
        "| user | operation | median ms | p95 ms | target p95 | ok | SQL ms | queries |",
        "|---|---|---:|---:|---:|---|---:|---:|",
    ]
    for r in report["results"]:
        traced = r["traced_request"]
        ok = "yes" if r["meets_target"] else "**no**"
        lines.append(
            f"| {r['user']} | {r['op']} | {r['median_ms']} | {r['p95_ms']} | {TARGET_MS} | "
            f"{ok} | {traced['sql_ms']} | {traced['queries']} |"
        )
    misses = [r for r in report["results"] if not r["meets_target"]]
    if misses:
        lines += ["", "## Over target: slowest statements", ""]
        for r in misses:
            lines += [f"### {r['user']} {r['op']}", ""]
            for q in r["slowest_queries"]:
                lines += [f"- {q['ms']} ms: `{q['sql'][:300]}`"]
            lines += ["", "```", r.get("plan_of_slowest", ""), "```", ""]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--note", default="")
    parser.add_argument("--tag", default="", help="suffix of the results file name")
    args = parser.parse_args()
    report = measure(args.db, args.requests, args.note)
    common.RESULTS_DIR.mkdir(exist_ok=True)
    stem = f"sales-{args.db}-{report['date'][:10]}{'-' + args.tag if args.tag else ''}"
    (common.RESULTS_DIR / f"{stem}.json").write_text(json.dumps(report, indent=1, default=str))
    (common.RESULTS_DIR / f"{stem}.md").write_text(markdown(report))
    print(f"wrote bench/results/{stem}.json and .md")


if __name__ == "__main__":
    main()
