"""Import benchmark: a messy multi-country contact file through the one door, against the floor.

    .venv/bin/python bench/import_bench.py --db sqlite   --rows 100000 [--batch 2000] [--intake]
    .venv/bin/python bench/import_bench.py --db postgres --rows 100000

1. writes a CSV file of `--rows` contacts with the defects real files have (bad e-mails, phones
   in national format, country spellings, stray whitespace, wrong case, full names in one
   column, repeated rows, empty rows) in realistic shares (see `DEFECTS`);
2. **door**: reads it (csv module, streamed) into rows and writes them with
   `save_contacts_bulk` in batches of `--batch` rows (channel import, a source per row):
   standardisation, validation, audit records, search tokens, events;
3. **raw**: reads the same file and inserts the raw cells into the same tables with one
   prepared statement per table (COPY on PostgreSQL): no hygiene, no audit, no tokens;
   the floor of this machine and database;
4. with `--intake`, imports the file through the import pipeline (tidycrm.intake) as well.

Prints rows/s end to end (parse included), peak memory (this process plus its worker
processes) and the door/raw ratio; writes results/import-<db>-<date>.json and .md. Point it at
a scratch database: TIDYCRM_DATA_DIR=/tmp/... for SQLite, DATABASE_URL for PostgreSQL.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import random
import resource
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

HEADER = [
    "external_id",
    "first_name",
    "last_name",
    "name",
    "email",
    "phone",
    "company",
    "job_title",
    "street",
    "city",
    "postal_code",
    "country",
    "tags",
]
# Share of rows with each defect (independent draws), as seen in CRM exports and lists.
DEFECTS = {
    "bad_email": 0.03,
    "email_case_space": 0.10,
    "no_email": 0.05,
    "phone_garbage": 0.03,
    "country_spelling": 0.40,
    "country_unknown": 0.01,
    "country_empty": 0.03,
    "name_whitespace": 0.10,
    "name_case": 0.15,
    "full_name_only": 0.05,
    "repeated_row": 0.02,
    "empty_row": 0.01,
}
SPELLINGS = {
    "US": ["USA", "United States", "U.S.", "united states of america", "us"],
    "GB": ["UK", "United Kingdom", "Great Britain", "England", "gb"],
    "DE": ["Germany", "Deutschland", "GERMANY", "de"],
    "FR": ["France", "FRANCE", "République française"],
    "ES": ["Spain", "España"],
    "IT": ["Italy", "Italia"],
    "NL": ["Netherlands", "Nederland", "Holland"],
    "PL": ["Poland", "Polska"],
    "TR": ["Türkiye", "Turkey", "TURKIYE", "tr"],
    "BR": ["Brazil", "Brasil"],
    "KR": ["South Korea", "대한민국", "Korea, Republic of"],
    "JP": ["Japan", "日本"],
    "TH": ["Thailand", "ประเทศไทย"],
    "IN": ["India", "Bharat"],
}
BAD_EMAILS = ["{l}@", "{l}@@{d}", "{l} at {d}", "{l}@{d}.", "@{d}", "{l}@localhost"]
GARBAGE_PHONES = ["n/a", "12", "call me", "000", "+", "555-CALL-NOW"]
COMPANIES = 200
PROGRESS_EVERY = 100_000  # rows between the import pipeline's progress figures


def write_file(path: Path, rows: int, company_names: list[str], seed: int = 11) -> dict[str, int]:
    """The messy file; returns how many rows got each defect."""
    from bench.generate import Generator

    rng = random.Random(seed)
    generator = Generator(seed)
    counts = dict.fromkeys(DEFECTS, 0)
    recent: list[list[str]] = []

    def hit(name: str) -> bool:
        if rng.random() < DEFECTS[name]:
            counts[name] += 1
            return True
        return False

    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for index in range(rows):
            if hit("empty_row"):
                writer.writerow([""] * len(HEADER))
                continue
            if recent and hit("repeated_row"):
                writer.writerow(rng.choice(recent))
                continue
            row = generator.contact(index)
            given, family = row["given_name"], row["family_name"]
            if hit("name_case"):
                given, family = (
                    (given.upper(), family.upper())
                    if rng.random() < 0.5
                    else (given.lower(), family.lower())
                )
            if hit("name_whitespace"):
                given, family = f"  {given} ", f"{family}  "
            full = ""
            if hit("full_name_only"):
                full = f"{family}, {given}" if rng.random() < 0.3 else f"{given}  {family}"
                given = family = ""
            email = row["emails"][-1]["address"]
            local, _, domain = email.partition("@")
            if hit("bad_email"):
                email = rng.choice(BAD_EMAILS).format(l=local, d=domain)
            elif hit("email_case_space"):
                email = f" {email.upper()} " if rng.random() < 0.5 else email.title()
            if hit("no_email"):
                email = ""
            phone = row["phones"][0]["number"] if row["phones"] else ""
            if hit("phone_garbage"):
                phone = rng.choice(GARBAGE_PHONES)
            country = row["country"]
            if hit("country_spelling"):
                country = rng.choice(SPELLINGS[country])
            elif hit("country_unknown"):
                country = rng.choice(["Atlantis", "Narnia", "XX"])
            elif hit("country_empty"):
                country = ""
            address = (row.get("addresses") or [{}])[0]
            company = rng.choice(company_names) if rng.random() < 0.6 else ""
            if company and rng.random() < 0.2:
                company = f" {company.upper()} "
            cells = [
                f"imp-{index}",
                given,
                family,
                full,
                email,
                phone,
                company,
                row["job_title"],
                address.get("street", ""),
                row["city"],
                address.get("postal_code", ""),
                country,
                ";".join(row.get("tags", [])),
            ]
            writer.writerow(cells)
            recent = [*recent[-49:], cells]
    return counts


def read_rows(
    path: Path, companies: dict[str, int], run: str = ""
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows in the door's input format, with their line numbers; empty rows are skipped.
    `run` prefixes external ids, so that runs into one database do not collide."""
    with path.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        next(reader)
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            cell = dict(zip(HEADER, cells, strict=True))
            row: dict[str, Any] = {
                "external_id": run + cell["external_id"] if cell["external_id"] else "",
                "job_title": cell["job_title"],
                "city": cell["city"],
                "country": cell["country"],
            }
            if cell["first_name"] or cell["last_name"]:
                row["given_name"], row["family_name"] = cell["first_name"], cell["last_name"]
            elif cell["name"]:
                row["name"] = cell["name"]
            if cell["email"]:
                row["emails"] = [cell["email"]]
            if cell["phone"]:
                row["phones"] = [cell["phone"]]
            if cell["street"] or cell["postal_code"]:
                row["addresses"] = [
                    {
                        "street": cell["street"],
                        "city": cell["city"],
                        "postal_code": cell["postal_code"],
                        "country": cell["country"],
                    }
                ]
            if cell["tags"]:
                row["tags"] = cell["tags"].split(";")
            company_id = companies.get(" ".join(cell["company"].split()).casefold())
            if company_id:
                row["companies"] = [{"company_id": company_id, "job_title": cell["job_title"]}]
            yield number, row


def ensure_companies(admin: Any) -> dict[str, int]:
    """COMPANIES companies through the door (once per database): the file names them."""
    from bench.generate import Generator
    from tidycrm.companies.models import Company
    from tidycrm.companies.services import save_company

    have = dict(Company.objects.filter(external_id__startswith="imp-co-").values_list("name", "pk"))
    if len(have) < COMPANIES:
        generator = Generator(5)
        for i in range(COMPANIES):
            if not Company.objects.filter(external_id=f"imp-co-{i}").exists():
                row = generator.company(i)
                row["external_id"] = f"imp-co-{i}"
                row["name"] = f"{row['name']} {i}"
                save_company(row, actor=admin, channel="import")
        have = dict(
            Company.objects.filter(external_id__startswith="imp-co-").values_list("name", "pk")
        )
    return {" ".join(name.split()).casefold(): pk for name, pk in have.items()}


def run_door(
    path: Path, admin: Any, companies: dict[str, int], batch: int, door: Any
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    sources: list[dict[str, Any]] = []
    created = rejected = warned = 0
    began = time.perf_counter()

    def flush() -> None:
        nonlocal created, rejected, warned
        result = door(rows, actor=admin, channel="import", sources=sources)
        created += len(result.created)
        rejected += len(result.errors)
        warned += len(result.warnings)
        rows.clear()
        sources.clear()

    read = 0
    for number, row in read_rows(path, companies, f"{int(time.time())}-"):
        rows.append(row)
        sources.append({"file": path.name, "row": number})
        read += 1
        if len(rows) >= batch:
            flush()
    if rows:
        flush()
    seconds = time.perf_counter() - began
    return {
        "rows": read,
        "created": created,
        "rejected": rejected,
        "with_warnings": warned,
        "seconds": round(seconds, 2),
        "rows_per_s": round(read / seconds),
    }


def run_raw(path: Path, companies: dict[str, int], batch: int) -> dict[str, Any]:
    """The same rows, raw cells straight into the same tables: the floor."""
    from django.db import transaction

    from tidycrm.contacts.models import (
        Affiliation,
        Contact,
        ContactAddress,
        ContactEmail,
        ContactPhone,
    )
    from tidycrm.core.bulk_write import Table, insert, insert_with_ids

    tables = {
        "contact": Table(Contact),
        "emails": Table(ContactEmail),
        "phones": Table(ContactPhone),
        "addresses": Table(ContactAddress),
        "companies": Table(Affiliation),
    }
    rows: list[dict[str, Any]] = []
    began = time.perf_counter()
    stamp, serial = int(time.time()), itertools.count()
    read = 0

    def flush() -> None:
        with transaction.atomic():
            contact = tables["contact"]
            defaults = contact.defaults()
            values = []
            for row in rows:
                given = row.get("given_name", "")[:120]
                family = row.get("family_name", "")[:120]
                display = (row.get("name") or f"{given} {family}")[:255]
                values.append(
                    contact.row(
                        {
                            "given_name": given,
                            "family_name": family,
                            "display_name": display,
                            "sort_key": display.casefold(),
                            "external_id": f"raw-{stamp}-{next(serial)}",
                            "job_title": row["job_title"][:160],
                            "city": row["city"][:120],
                            "country": row["country"][:2],
                        },
                        defaults,
                    )[1]
                )
            ids = insert_with_ids(contact, values)
            children: dict[str, list[Any]] = {name: [] for name in tables if name != "contact"}
            for pk, row in zip(ids, rows, strict=True):
                for address in row.get("emails", ()):
                    a = address[:320]
                    children["emails"].append({"contact_id": pk, "raw": a, "address": a, "key": a})
                for number in row.get("phones", ()):
                    children["phones"].append({"contact_id": pk, "raw": number[:64]})
                for place in row.get("addresses", ()):
                    children["addresses"].append(
                        {
                            "contact_id": pk,
                            "street": place["street"][:255],
                            "city": place["city"][:120],
                            "postal_code": place["postal_code"][:20],
                            "country": place["country"][:2],
                        }
                    )
                for link in row.get("companies", ()):
                    children["companies"].append({"contact_id": pk, **link})
            for name, items in children.items():
                table = tables[name]
                child_defaults = table.defaults()
                insert(table.name, table.columns, [table.row(i, child_defaults)[1] for i in items])
        rows.clear()

    for _, row in read_rows(path, companies):
        rows.append(row)
        read += 1
        if len(rows) >= batch:
            flush()
    if rows:
        flush()
    seconds = time.perf_counter() - began
    return {"rows": read, "seconds": round(seconds, 2), "rows_per_s": round(read / seconds)}


def fresh_ids(path: Path) -> Path:
    """A copy of the file whose external ids are new to the database (prefixed with the time),
    so that the pipeline creates its contacts rather than finding them from an earlier run."""
    run = f"{int(time.time())}-"
    copy = path.with_name(f"{path.stem}-intake.csv")
    with path.open(newline="", encoding="utf-8") as source, copy.open("w", newline="") as out:
        reader, writer = csv.reader(source), csv.writer(out)
        writer.writerow(next(reader))
        for cells in reader:
            if cells and cells[0]:
                cells[0] = run + cells[0]
            writer.writerow(cells)
    return copy


def run_intake(path: Path, admin: Any, limit: float = 0) -> dict[str, Any]:
    """The file through the import pipeline (upload, mapping, matching on external id, the
    background job run inline): what `tidycrm import FILE` does. With `limit` (seconds), the
    import is cancelled (as a user would, between two chunks) once that much time has passed,
    and the figures are those of the rows done."""
    from tidycrm.intake import runner, services

    path = fresh_ids(path)
    cpu_before = cpu_seconds()
    began = time.perf_counter()
    with path.open("rb") as stream:
        imp = services.create_import(stream, path.name, actor=admin)
    imp = services.start_import(imp, actor=admin, inline=True)
    steps: list[dict[str, Any]] = []

    def progress(done: int, _total: int | None) -> None:
        """Every 100,000 rows, the figures so far (a long run stopped early still tells)."""
        elapsed = time.perf_counter() - began
        if limit and elapsed > limit:
            services.cancel_import(imp, actor=admin)
        if done // PROGRESS_EVERY == (steps[-1]["rows"] if steps else 0) // PROGRESS_EVERY:
            return
        cpu = cpu_seconds() - cpu_before + worker_cpu_seconds()
        steps.append(
            {
                "rows": done,
                "seconds": round(elapsed, 1),
                "rows_per_s": round(done / elapsed),
                "rows_per_cpu_s": round(done / cpu) if cpu else None,
                "load": round(os.getloadavg()[0], 2),
                "memory": peak_mb() | {"workers_now_mb": worker_peak_mb()},
            }
        )
        print(f"intake progress: {steps[-1]}", flush=True)

    runner.run_import(imp.pk, progress)
    imp.refresh_from_db()
    seconds = time.perf_counter() - began
    from tidycrm.contacts.services import bulk_parallel

    bulk_parallel.shutdown()  # the workers' CPU time is counted once they have exited
    cpu = cpu_seconds() - cpu_before
    path.unlink()
    job = imp.job
    rows = int(job.done if job else 0)
    return {
        "seconds": round(seconds, 2),
        "rows": rows,
        "rows_per_s": round(rows / seconds) if rows else None,
        "cpu_seconds": round(cpu, 1),
        "rows_per_cpu_s": round(rows / cpu) if rows else None,
        "stage": imp.stage,
        "time_limit_s": limit or None,
        "progress": steps,
        "result": json.loads(json.dumps(job.result if job else {}, default=str))
        if job and len(json.dumps(job.result, default=str)) < 2000
        else "(long)",
    }


def cpu_seconds() -> float:
    """CPU time of this process and its finished worker processes (the database server's not
    included): unlike wall time, it does not depend on what else the machine runs."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _workers() -> list[int]:
    from tidycrm.contacts.services import bulk_parallel

    pool = bulk_parallel._pool
    return list(getattr(pool, "_processes", None) or {}) if pool else []


def worker_cpu_seconds() -> float:
    """CPU time of the running bulk workers (RUSAGE_CHILDREN counts them only once exited)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in _workers():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def worker_peak_mb() -> float:
    """The largest peak resident memory (VmHWM) among the running bulk workers."""
    peaks = [0.0]
    for pid in _workers():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return round(max(peaks))


def peak_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its (finished) worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "self_mb": round(own),
        "children_mb": round(children),
        "total_mb": round(own + children),
    }


def main(argv: list[str] | None = None) -> None:
    common.fixed_hash_seed()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    parser.add_argument("--intake", action="store_true", help="also import via tidycrm.intake")
    parser.add_argument("--no-raw", action="store_true")
    parser.add_argument("--no-door", action="store_true", help="skip the door-only run")
    parser.add_argument("--door", default="", help="module:function to time instead of the door")
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--intake-seconds", type=float, default=0, help="cancel the import after this long"
    )
    args = parser.parse_args(argv)
    common.setup(args.db, fresh=args.fresh)
    import importlib

    from django.core.management import call_command
    from django.db import connection

    from bench.load import ensure_users
    from tidycrm.contacts.services import bulk_parallel, save_contacts_bulk

    call_command("migrate", verbosity=0)
    admin, _ = ensure_users()
    companies = ensure_companies(admin)
    door = save_contacts_bulk
    if args.door:
        module, _, name = args.door.partition(":")
        door = getattr(importlib.import_module(module), name)
    data_dir = Path(os.environ.get("TIDYCRM_DATA_DIR", "/tmp"))
    path = data_dir / f"import-{args.rows}.csv"
    if not path.exists():
        began = time.perf_counter()
        defects = write_file(path, args.rows, sorted(companies))
        print(f"wrote {path} in {time.perf_counter() - began:.1f} s: {defects}")
    load_before = os.getloadavg()
    figures: dict[str, Any] = {
        "db": args.db,
        "rows": args.rows,
        "batch": args.batch,
        "label": args.label,
        "workers": bulk_parallel.workers(),
        "load_before": [round(x, 2) for x in load_before],
        "file": str(path),
        "defects": DEFECTS,
    }
    if not args.no_door:
        cpu_before = cpu_seconds()
        figures["door"] = run_door(path, admin, companies, args.batch, door)
        bulk_parallel.shutdown()
        cpu = cpu_seconds() - cpu_before
        figures["door"]["cpu_seconds"] = round(cpu, 1)
        figures["door"]["rows_per_cpu_s"] = round(figures["door"]["rows"] / cpu)
        figures["worker_rows"] = bulk_parallel.stats["worker_rows"]
        print(f"door: {figures['door']}")
        figures["memory_after_door"] = peak_mb()
    if not args.no_raw:
        cpu_before = cpu_seconds()
        figures["raw"] = run_raw(path, companies, args.batch)
        figures["raw"]["cpu_seconds"] = round(cpu_seconds() - cpu_before, 1)
        print(f"raw:  {figures['raw']}")
        if "door" in figures:
            figures["ratio"] = round(figures["door"]["seconds"] / figures["raw"]["seconds"], 2)
            print(f"door takes {figures['ratio']}x the raw load's time")
    if args.intake:
        try:
            figures["intake"] = run_intake(path, admin, args.intake_seconds)
        except Exception as exc:  # the pipeline is optional here: report, do not hide
            figures["intake"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        print(f"intake: {figures['intake']}")
        bulk_parallel.shutdown()
    # Seconds the calling process waited for the workers' shares (absent in older code).
    figures["caller_waited_s"] = round(bulk_parallel.stats.get("caller_waited_s", 0), 1)
    figures["memory"] = peak_mb()
    figures["load_after"] = [round(x, 2) for x in os.getloadavg()]
    figures["vendor"] = connection.vendor
    print(f"peak memory: {figures['memory']}")
    write_results(figures)


def write_results(figures: dict[str, Any]) -> None:
    common.RESULTS_DIR.mkdir(exist_ok=True)
    stem = f"import-{figures['db']}-{date.today().isoformat()}"
    if figures["label"]:
        stem += f"-{figures['label']}"
    raw = figures.get("raw", {})
    for name in ("door", "intake"):
        run = figures.get(name, {})
        if raw and run.get("seconds") and run.get("rows"):
            # per row: a stopped run did fewer rows than the raw load
            per_row = run["seconds"] / run["rows"]
            run["ratio_to_raw"] = round(per_row / (raw["seconds"] / raw["rows"]), 2)
    (common.RESULTS_DIR / f"{stem}.json").write_text(json.dumps(figures, indent=1) + "\n")
    lines = [
        f"# Import bench, {figures['db']}, {figures['rows']:,} rows, batch {figures['batch']}",
        "",
        f"Workers: {figures['workers']} (plus the calling process). "
        f"Load average before/after: {figures['load_before']} / {figures['load_after']}.",
        "",
        "| path | rows | seconds | rows/s | rows per CPU s | time / raw |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    names = {
        "door": "door (save_contacts_bulk)",
        "intake": "import pipeline (tidycrm.intake)",
        "raw": "raw inserts (floor)",
    }
    for name, label in names.items():
        run = figures.get(name)
        if not run:
            continue
        if "error" in run:
            lines.append(f"| {label} | | | {run['error']} | | |")
            continue
        lines.append(
            f"| {label} | {run.get('rows', 0):,} | {run.get('seconds', '')} | "
            f"{run.get('rows_per_s') or 0:,} | {run.get('rows_per_cpu_s', '')} | "
            f"{run.get('ratio_to_raw', '1' if name == 'raw' else '')} |"
        )
    lines.append("")
    if "door" in figures:
        door = figures["door"]
        lines.append(
            f"Door: {door['created']:,} created, {door['rejected']:,} rejected, "
            f"{door['with_warnings']:,} with warnings."
        )
    if isinstance(figures.get("intake", {}).get("result"), dict):
        lines.append(f"Import pipeline: {figures['intake']['result']}.")
    lines += [f"Peak memory (this process + largest worker): {figures['memory']}.", ""]
    (common.RESULTS_DIR / f"{stem}.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
