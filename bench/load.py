"""Load N generated contacts and ~N/20 companies through the one door, resumably.

    .venv/bin/python bench/load.py --db sqlite --contacts 1000000 [--fresh]

Contacts go through `save_contacts_bulk` (channel "import"), companies through `save_company`,
a batch of companies per transaction. A run that stops part-way resumes where the last committed
batch ended; a database that already holds N contacts is left as it is.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

SEED = 7


class _Plain:
    """Progress as plain lines when output goes to a log file rather than a terminal."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console()
        self.tasks: dict[int, dict[str, Any]] = {}
        self.last = 0.0

    def __enter__(self) -> _Plain:
        return self

    def __exit__(self, *exc: object) -> None:
        for task in self.tasks.values():
            self._line(task)

    def add_task(self, description: str, total: int, completed: int, rate: str) -> int:
        self.tasks[len(self.tasks)] = {
            "description": description,
            "total": total,
            "completed": completed,
            "rate": rate,
        }
        return len(self.tasks) - 1

    def update(self, task_id: int, **fields: Any) -> None:
        task = self.tasks[task_id]
        task.update(fields)
        if time.monotonic() - self.last > 30:
            self.last = time.monotonic()
            self._line(task)

    def _line(self, task: dict[str, Any]) -> None:
        print(
            f"{datetime.now(UTC):%H:%M:%S} {task['description']} {task['completed']:,}"
            f"/{task['total']:,} {task['rate']} rows/s",
            flush=True,
        )


def _progress() -> Any:
    if not sys.stdout.isatty():
        return _Plain()
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]:>8} rows/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )


def ensure_users() -> tuple[Any, list[int]]:
    """The admin that performs the load and the sales users who own the contacts."""
    from tidycrm.accounts.choices import Role
    from tidycrm.accounts.models import User
    from tidycrm.accounts.services import create_user, get_or_create_team

    admin = User.objects.filter(username=common.ADMIN).first() or create_user(
        username=common.ADMIN,
        password=common.PASSWORD,
        role=Role.ADMIN,
        is_superuser=True,
        check_password=False,
    )
    team = get_or_create_team("Bench sales")
    owners = [admin.pk]
    for i in range(1, common.SALES_USERS + 1):
        name = f"bench-sales-{i:02d}"
        user = User.objects.filter(username=name).first() or create_user(
            username=name,
            password=common.PASSWORD,
            role=Role.SALES,
            team=team,
            check_password=False,
        )
        owners.append(user.pk)
    return admin, owners


def load_companies(total: int, admin: Any, generator: Any, batch: int) -> dict[str, Any]:
    from django.db import transaction

    from tidycrm.companies.models import Company
    from tidycrm.companies.services import save_company

    have = Company.objects.filter(external_id__startswith="bench-co-").count()
    start, began, rejected = have, time.perf_counter(), 0
    with _progress() as progress:
        task = progress.add_task("companies", total=total, completed=have, rate="")
        index = start
        while index < total:
            generator.reseed(SEED * 10_000_019 + index)
            size = min(batch, total - index)
            with transaction.atomic():
                for i in range(index, index + size):
                    try:
                        save_company(generator.company(i), actor=admin, channel="import")
                    except Exception as exc:  # a rejected row is counted, the load goes on
                        rejected += 1
                        if rejected <= 3:
                            progress.console.print(f"company {i} rejected: {exc}")
            index += size
            rate = (index - start) / (time.perf_counter() - began)
            progress.update(task, completed=index, rate=f"{rate:,.0f}")
    seconds = time.perf_counter() - began
    return {
        "loaded": total - start,
        "seconds": round(seconds, 1),
        "rejected": rejected,
        "rows_per_second": round((total - start) / seconds, 1) if total > start else None,
    }


def _next_contact_index() -> int:
    from tidycrm.contacts.models import Contact

    last = (
        Contact.objects.filter(external_id__startswith="bench-")
        .order_by("-id")
        .values_list("external_id", flat=True)
        .first()
    )
    return int(last.removeprefix("bench-")) + 1 if last else 0


def load_contacts(
    total: int, admin: Any, owners: list[int], generator: Any, batch: int
) -> dict[str, Any]:
    from tidycrm.companies.models import Company, CompanyDomain
    from tidycrm.contacts.models import Contact
    from tidycrm.contacts.services import save_contacts_bulk

    company_ids = list(Company.objects.order_by("id").values_list("id", flat=True))
    primary = dict(
        CompanyDomain.objects.filter(is_primary=True).values_list("company_id", "domain")
    )
    domains = [primary.get(pk, "example.org") for pk in company_ids]
    have = Contact.objects.count()
    start = _next_contact_index()
    began, rejected, loaded = time.perf_counter(), 0, 0
    with _progress() as progress:
        task = progress.add_task("contacts", total=total, completed=have, rate="")
        index = start
        while have + loaded < total:
            generator.reseed(SEED * 10_000_019 + 1_000_000_007 + index)
            size = min(batch, total - have - loaded)
            rows = list(
                generator.contacts(
                    index, size, owner_ids=owners, company_ids=company_ids, company_domains=domains
                )
            )
            result = save_contacts_bulk(rows, actor=admin, channel="import")
            for row_index, errors in list(result.errors.items())[: max(0, 3 - rejected)]:
                progress.console.print(f"contact {index + row_index} rejected: {errors}")
            rejected += len(result.errors)
            loaded += len(result.created)
            index += size
            rate = loaded / (time.perf_counter() - began)
            progress.update(task, completed=have + loaded, rate=f"{rate:,.0f}")
            if not result.created:
                progress.console.print("a whole batch was rejected; stopping")
                break
    seconds = time.perf_counter() - began
    return {
        "loaded": loaded,
        "seconds": round(seconds, 1),
        "rejected": rejected,
        "rows_per_second": round(loaded / seconds, 1) if loaded else None,
    }


def load(
    db: str, contacts: int, companies: int | None, *, fresh: bool, batch: int
) -> dict[str, Any]:
    common.setup(db, fresh=fresh)
    from django.core.management import call_command

    from bench.generate import Generator
    from tidycrm.contacts.models import Contact

    call_command("migrate", verbosity=0)
    admin, owners = ensure_users()
    have = Contact.objects.count()
    companies = contacts // 20 if companies is None else companies
    report: dict[str, Any] = {
        "db": db,
        "contacts": contacts,
        "companies": companies,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if have >= contacts:
        print(f"{db}: already holds {have:,} contacts; nothing to load (use --fresh to start over)")
        report["skipped"] = True
        return report
    generator = Generator(SEED)
    report["company_load"] = load_companies(companies, admin, generator, batch=500)
    report["contact_load"] = load_contacts(contacts, admin, owners, generator, batch)
    report["analyze_seconds"] = common.analyze()
    print(json.dumps(report, indent=1))
    common.RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    (common.RESULTS_DIR / f"load-{db}-{stamp}.json").write_text(json.dumps(report, indent=1) + "\n")
    return report


def main(argv: list[str] | None = None) -> None:
    common.fixed_hash_seed()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, default=None, help="default: contacts / 20")
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--fresh", action="store_true", help="drop the bench database first")
    args = parser.parse_args(argv)
    load(args.db, args.contacts, args.companies, fresh=args.fresh, batch=args.batch)


if __name__ == "__main__":
    main()
