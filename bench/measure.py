"""Server time of the contact list, search, detail and API list, per user and database.

    .venv/bin/python bench/measure.py --db sqlite [--requests 60]

Requests go in-process through Django's test client to the real URL routes and middleware
(session login for the web UI, a Bearer token for the API), so the figures are server time
without the network. Every request asks for a different record, name, e-mail or phone sampled
from the database. Writes bench/results/foundation-<db>-<date>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

# p95 targets in ms (the issue's): lists and detail 100, searches 200.
TARGETS = {
    "list_first": 100,
    "list_deep": 100,
    "detail": 100,
    "api_list": 100,
    "search_name": 200,
    "search_email": 200,
    "search_phone": 200,
    "api_search": 200,
}
WARMUP = 5


@dataclass
class Op:
    name: str
    urls: list[str]
    api: bool = False


@dataclass
class Result:
    op: str
    user: str
    timings_ms: list[float] = field(default_factory=list)
    failures: int = 0
    slowest_queries: list[dict[str, Any]] = field(default_factory=list)
    traced: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.timings_ms)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else None
        target = TARGETS[self.op]
        return {
            "op": self.op,
            "user": self.user,
            "n": len(ordered),
            "failures": self.failures,
            "median_ms": round(statistics.median(ordered), 1) if ordered else None,
            "p95_ms": round(p95, 1) if p95 is not None else None,
            "max_ms": round(ordered[-1], 1) if ordered else None,
            "target_p95_ms": target,
            "meets_target": p95 is not None and p95 <= target,
            "traced_request": self.traced,
            "slowest_queries": self.slowest_queries,
        }


def _sample(user: Any, count: int, rng: random.Random) -> list[Any]:
    """Contacts the user may see, spread over the whole id range (no OFFSET scans)."""
    from tidycrm.contacts.selectors import visible_contacts

    qs = visible_contacts(user)
    bounds = qs.order_by("id").values_list("id", flat=True)
    low, high = bounds.first(), bounds.last()
    found: dict[int, Any] = {}
    while len(found) < count and low is not None:
        ids = [rng.randint(low, high) for _ in range(count * 4)]
        for contact in qs.filter(pk__in=ids).prefetch_related("emails", "phones"):
            found[contact.pk] = contact
    picked = list(found.values())
    rng.shuffle(picked)
    return picked[:count]


def build_ops(user: Any, count: int, rng: random.Random) -> list[Op]:
    from urllib.parse import urlencode

    from tidycrm.core.pagination import encode_cursor

    # Extra contacts, since not everyone has a phone.
    sampled = _sample(user, count * 2, rng)
    contacts = sampled[:count]
    names = [c.family_name or c.given_name for c in contacts]
    emails = [e.address for c in contacts for e in c.emails.all()[:1]]
    phones = [p.national_number for c in sampled for p in c.phones.all()[:1] if p.national_number]
    phones = phones[:count]
    cursors = [encode_cursor([c.sort_key, c.pk]) for c in contacts]

    def q(path: str, **params: Any) -> str:
        return f"{path}?{urlencode(params)}"

    return [
        Op("list_first", ["/"] * count),
        Op("list_deep", [q("/", cursor=c) for c in cursors]),
        Op("search_name", [q("/", q=n) for n in names]),
        Op("search_email", [q("/", q=e) for e in emails]),
        Op("search_phone", [q("/", q=p) for p in phones]),
        Op("detail", [f"/contacts/{c.pk}/" for c in contacts]),
        Op("api_list", [q("/api/v1/contacts", limit=50)] * count, api=True),
        Op("api_search", [q("/api/v1/contacts", q=n, limit=50) for n in names], api=True),
    ]


class QueryTimer:
    """Wraps database calls during one request to find its slowest statements."""

    def __init__(self) -> None:
        self.queries: list[dict[str, Any]] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(
                {
                    "ms": round((time.perf_counter() - began) * 1000, 2),
                    "sql": sql,
                    "params": list(params or []),
                }
            )


def run_op(client: Any, op: Op, headers: dict[str, str], user_label: str) -> Result:
    from django.db import connection

    result = Result(op=op.name, user=user_label)
    urls = op.urls
    for url in urls[:WARMUP]:
        client.get(url, headers=headers)
    for url in urls[WARMUP:]:
        began = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = (time.perf_counter() - began) * 1000
        if response.status_code != 200:
            result.failures += 1
            if result.failures <= 2:
                print(f"  {op.name} {url[:80]} -> {response.status_code}", file=sys.stderr)
            continue
        result.timings_ms.append(elapsed)
    # One more request, traced: its three slowest SQL statements explain a slow operation.
    timer = QueryTimer()
    with connection.execute_wrapper(timer):
        client.get(urls[len(urls) // 2], headers=headers)
    result.traced = {
        "queries": len(timer.queries),
        "sql_ms": round(sum(q["ms"] for q in timer.queries), 1),
    }
    result.slowest_queries = sorted(timer.queries, key=lambda q: -q["ms"])[:3]
    for query in result.slowest_queries:
        query["params"] = [str(p)[:80] for p in query["params"]]
    return result


def explain(sql: str, params: list[Any]) -> str:
    from django.db import connection

    prefix = (
        "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    )
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        return "\n".join(f"{'  ' * (r[1] != 0)}{r[-1]}" for r in rows)
    return "\n".join(r[0] for r in rows)


def measure(db: str, requests: int, seed: int, note: str = "") -> dict[str, Any]:
    common.setup(db)
    # Load the app as the server does: tidycrm.wsgi builds it and freezes start-up objects.
    from django.conf import settings
    from django.test import Client

    import tidycrm.wsgi  # noqa: F401
    from tidycrm.accounts.models import User
    from tidycrm.accounts.services import issue_api_token
    from tidycrm.companies.models import Company
    from tidycrm.contacts.models import Contact

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    rng = random.Random(seed)
    analyze_seconds = common.analyze()
    contacts, companies = Contact.objects.count(), Company.objects.count()
    load_before = os.getloadavg()
    print(
        f"{db}: {contacts:,} contacts, {companies:,} companies; load average {load_before[0]:.1f}"
    )
    users = {
        "admin (all)": User.objects.get(username=common.ADMIN),
        "sales (own)": User.objects.get(username="bench-sales-01"),
    }
    results: list[Result] = []
    for label, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        _, secret = issue_api_token(user, "bench")
        api_headers = {"authorization": f"Bearer {secret}"}
        for op in build_ops(user, requests + WARMUP, rng):
            result = run_op(client, op, api_headers if op.api else {}, label)
            summary = result.summary()
            print(
                f"  {label:12s} {op.name:13s} median {summary['median_ms']:>7} ms"
                f"  p95 {summary['p95_ms']:>7} ms  ({summary['n']} requests; one request:"
                f" {result.traced['queries']} queries, {result.traced['sql_ms']} ms SQL)",
                flush=True,
            )
            results.append(result)
    summaries = [r.summary() for r in results]
    for summary in summaries:
        if not summary["meets_target"] and summary["slowest_queries"]:
            slowest = summary["slowest_queries"][0]
            summary["plan_of_slowest"] = explain(slowest["sql"], slowest["params"])
    return {
        "db": db,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "contacts": contacts,
        "companies": companies,
        "requests_per_op": requests,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "analyze_seconds": analyze_seconds,
        "note": note,
        "commit": _commit(),
        "results": summaries,
    }


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=common.ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Foundation benchmark: {report['db']}, {report['contacts']:,} contacts",
        "",
        f"{report['date']}, commit {report['commit']}, {report['machine']['cpus']} CPUs, "
        f"load average {report['machine']['load_average_before'][0]} before and "
        f"{report['machine']['load_average_after'][0]} after; "
        f"{report['requests_per_op']} timed requests per operation after {WARMUP} warm-up.",
        "Server time in-process (Django test client, real URL routes and middleware).",
        "",
        *([f"**Note:** {report['note']}", ""] if report.get("note") else []),
        "SQL ms and queries are of one traced request; the rest of the time is Python",
        "(filters, ORM, templates or JSON).",
        "",
        "| user | operation | median ms | p95 ms | target p95 | ok | SQL ms | queries |",
        "|---|---|---:|---:|---:|---|---:|---:|",
    ]
    for r in report["results"]:
        ok = "yes" if r["meets_target"] else "**no**"
        traced = r["traced_request"]
        lines.append(
            f"| {r['user']} | {r['op']} | {r['median_ms']} | {r['p95_ms']} | "
            f"{r['target_p95_ms']} | {ok} | {traced.get('sql_ms')} | {traced.get('queries')} |"
        )
    misses = [r for r in report["results"] if not r["meets_target"]]
    if misses:
        lines += ["", "## Over target: slowest statement and its plan", ""]
        for r in misses:
            slowest = r["slowest_queries"][0] if r["slowest_queries"] else {}
            lines += [
                f"### {r['user']} {r['op']} ({slowest.get('ms')} ms)",
                "",
                "```sql",
                slowest.get("sql", ""),
                "```",
                "",
                "```",
                r.get("plan_of_slowest", ""),
                "```",
                "",
            ]
    return "\n".join(lines) + "\n"


def print_table(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{report['db']}: {report['contacts']:,} contacts")
    for column in ("user", "operation", "median ms", "p95 ms", "target", "ok", "SQL ms", "queries"):
        table.add_column(
            column, justify="right" if "ms" in column or column == "target" else "left"
        )
    for r in report["results"]:
        table.add_row(
            r["user"],
            r["op"],
            str(r["median_ms"]),
            str(r["p95_ms"]),
            str(r["target_p95_ms"]),
            "yes" if r["meets_target"] else "[red]no[/red]",
            str(r["traced_request"].get("sql_ms")),
            str(r["traced_request"].get("queries")),
        )
    Console(width=120).print(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=60, help="timed requests per operation")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", default=str(common.RESULTS_DIR))
    parser.add_argument("--note", default="", help="context to keep with the figures")
    args = parser.parse_args(argv)
    report = measure(args.db, args.requests, args.seed, args.note)
    print_table(report)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"foundation-{args.db}-{datetime.now(UTC):%Y-%m-%d}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    stem.with_suffix(".md").write_text(markdown(report))
    print(f"wrote {stem}.json and .md")


if __name__ == "__main__":
    main()
