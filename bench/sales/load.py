"""Add a sales history to a copy of the 1M-contact bench database: 300,000 deals in three
pipelines (the first with exactly 10,000 open deals), their stage history and people, and
5,000,000 activities linked to contacts and deals, one contact with 2,000 timeline entries.

    TIDYCRM_DATA_DIR=/tmp/dealer-bench .venv/bin/python bench/sales/load.py --db sqlite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tidycrm_bench_dealer \\
        .venv/bin/python bench/sales/load.py --db postgres

Never on the shared base databases (copy them first, bench/README.md). Set-based: rows are
generated with numpy and written with `core.bulk_write.insert` (one prepared statement on
SQLite, COPY on PostgreSQL) in batches of 100,000, ids assigned here. Contacts imported in one
go all carry the load's date; their `created_at` is first spread over three years, as a CRM's
contacts are. Idempotent by step: a step whose rows exist is skipped.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import common

DEALS = int(os.environ.get("BENCH_SALES_DEALS", "300000"))
ACTIVITIES = int(os.environ.get("BENCH_SALES_ACTIVITIES", "5000000"))
BOARD_OPEN = int(os.environ.get("BENCH_SALES_BOARD_OPEN", "10000"))
HOT_CONTACT_ENTRIES = 2000
BATCH = 100_000
YEARS = 3
DAY = 86400


def refuse_base_databases(db: str) -> None:
    if db == "sqlite":
        data = Path(os.environ.get("TIDYCRM_DATA_DIR", "")).resolve()
        if data == (common.BENCH_DIR / "data").resolve():
            raise SystemExit("Refusing to write the shared base database: copy it first.")
    elif os.environ.get("DATABASE_URL", "").rstrip("/").endswith("/tidycrm_bench"):
        raise SystemExit("Refusing to write the shared base database: copy it first.")


class Writer:
    """Timestamps as the database takes them, ids continuing each table's, batched inserts."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.pg = connection.vendor == "postgresql"

    def stamps(self, seconds: np.ndarray) -> list[str]:
        text = np.datetime_as_string(seconds.astype("datetime64[s]").astype("datetime64[us]"))
        suffix = "+00:00" if self.pg else ""
        return [t.replace("T", " ") + suffix for t in text.tolist()]

    def days(self, seconds: np.ndarray) -> list[str]:
        return np.datetime_as_string(
            seconds.astype("datetime64[s]").astype("datetime64[D]")
        ).tolist()

    def next_id(self, table: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            return int(cursor.fetchone()[0]) + 1

    def insert(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        from django.db import transaction

        from tidycrm.core.bulk_write import insert

        for start in range(0, len(rows), BATCH):
            with transaction.atomic():
                insert(table, columns, rows[start : start + BATCH])

    def reset_sequence(self, table: str) -> None:
        if self.pg:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT MAX(id) FROM "{table}"))'
                )

    def count(self, table: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            return int(cursor.fetchone()[0])

    def column(self, sql: str) -> np.ndarray:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            return np.array([row[0] for row in cursor.fetchall()])


def spread_contacts(w: Writer, now: int) -> None:
    """Creation dates over three years (older ids first), unless already spread."""
    from django.db import transaction
    from django.db.models import Max, Min

    from tidycrm.contacts.models import Contact

    bounds = Contact.objects.aggregate(low=Min("created_at"), high=Max("created_at"))
    low, high = bounds["low"], bounds["high"]
    if low is None or (high - low).days > 30:
        return
    top = int(w.column('SELECT MAX(id) FROM "contacts_contact"')[0])
    span = YEARS * 365 * DAY
    with transaction.atomic(), w.connection.cursor() as cursor:
        if w.pg:
            cursor.execute(
                'UPDATE "contacts_contact" SET created_at = '
                "to_timestamp(%s - %s * (1 - id::float8 / %s))",
                [now, span, top],
            )
        else:
            cursor.execute(
                'UPDATE "contacts_contact" SET created_at = '
                "strftime('%%Y-%%m-%%d %%H:%%M:%%f', "
                "%s - %s * (1 - CAST(id AS REAL) / %s), 'unixepoch')",
                [now, span, top],
            )


def load_deals(w: Writer, rng: np.random.Generator, now: int) -> dict[str, Any]:
    from tidycrm.accounts.models import User
    from tidycrm.deals.models import LossReason, Pipeline, Stage

    sales = list(User.objects.filter(username__startswith="bench-sales-").order_by("username"))
    owners = np.array([u.pk for u in sales])
    teams = {u.pk: u.team_id for u in sales}
    # Some reps carry more deals than others.
    owner_weights = rng.pareto(2.0, len(owners)) + 1
    owner_weights /= owner_weights.sum()
    pipelines = [Pipeline.objects.get(name="Sales")]
    for name, currency in (("Renewals", "USD"), ("Partners", "EUR")):
        pipeline, made = Pipeline.objects.get_or_create(
            name=name, defaults={"currency": currency, "position": len(pipelines)}
        )
        if made:
            for position, (stage, prob, kind) in enumerate(
                [
                    ("Contacted", 20, "open"),
                    ("Quoted", 50, "open"),
                    ("Committed", 80, "open"),
                    ("Won", 100, "won"),
                    ("Lost", 0, "lost"),
                ]
            ):
                Stage.objects.create(
                    pipeline=pipeline, name=stage, position=position, probability=prob, kind=kind
                )
        pipelines.append(pipeline)
    reasons = np.array(list(LossReason.objects.values_list("id", flat=True)))
    contact_ids = w.column('SELECT id FROM "contacts_contact" ORDER BY id')
    company_ids = w.column('SELECT id FROM "companies_company" ORDER BY id')
    info = {"owners": owners, "contact_ids": contact_ids, "pipelines": pipelines}
    if w.count("deals_deal") >= DEALS:
        return info
    shares = [
        (pipelines[0], DEALS // 2, BOARD_OPEN),
        (pipelines[1], DEALS // 3, BOARD_OPEN // 2),
        (pipelines[2], DEALS - DEALS // 2 - DEALS // 3, BOARD_OPEN // 3),
    ]
    deal_id = w.next_id("deals_deal")
    change_id = w.next_id("deals_stagechange")
    link_id = w.next_id("deals_dealcontact")
    deal_rows, change_rows, link_rows = [], [], []
    roles = np.array(["decision_maker", "champion", "influencer", "buyer", "user", "technical"])
    sources = np.array(["website", "referral", "event", "cold_outreach", "inbound", "partner", ""])
    for pipeline, n, open_n in shares:
        stages = list(pipeline.stages.all())
        opened = [s for s in stages if s.kind == "open"]
        won = next(s for s in stages if s.kind == "won")
        lost = next(s for s in stages if s.kind == "lost")
        ids = np.arange(deal_id, deal_id + n)
        deal_id += n
        is_open = np.zeros(n, dtype=bool)
        is_open[rng.choice(n, open_n, replace=False)] = True
        is_won = ~is_open & (rng.random(n) < 0.32)
        cycle = np.clip(rng.lognormal(np.log(35 * DAY), 0.8, n), DAY, 400 * DAY)
        # Closed deals were created over three years; open ones in the last six months.
        closed_at = now - rng.uniform(0, YEARS * 365 * DAY - 400 * DAY, n)
        created = np.where(is_open, now - rng.uniform(0, 180 * DAY, n), closed_at - cycle)
        furthest = rng.integers(0, len(opened), n)
        furthest = np.where(is_won & (rng.random(n) < 0.7), len(opened) - 1, furthest)
        amount = np.round(np.clip(rng.lognormal(np.log(6000), 1.1, n), 200, 2_000_000), 2)
        owner = rng.choice(owners, n, p=owner_weights)
        company = (
            np.where(rng.random(n) < 0.7, rng.choice(company_ids, n), 0)
            if len(company_ids)
            else np.zeros(n, int)
        )
        expected = np.where(is_open, now + rng.uniform(-20 * DAY, 200 * DAY, n), closed_at)
        currency = np.where(rng.random(n) < 0.9, pipeline.currency, "GBP")
        reason = rng.choice(reasons, n)
        source = rng.choice(sources, n)
        created_s, closed_s = w.stamps(created), w.stamps(closed_at)
        expected_d = w.days(expected)
        final_enter = np.where(is_open, created + (now - created) * 0.6, closed_at)
        enter_s = w.stamps(final_enter)
        for i in range(n):
            path = opened[: furthest[i] + 1]
            if is_open[i]:
                final, status, closed = path[-1], "open", None
            elif is_won[i]:
                final, status, closed = won, "won", closed_s[i]
            else:
                final, status, closed = lost, "lost", closed_s[i]
            deal_rows.append(
                (
                    int(ids[i]),
                    created_s[i],
                    enter_s[i],
                    f"{pipeline.name} deal {int(ids[i])}",
                    f"{amount[i]:.2f}",
                    str(currency[i]),
                    expected_d[i],
                    pipeline.pk,
                    final.pk,
                    status,
                    enter_s[i],
                    closed,
                    int(owner[i]),
                    teams.get(int(owner[i])),
                    int(company[i]) or None,
                    str(source[i]),
                    int(reason[i]) if status == "lost" else None,
                    "",
                    1,
                    opened[furthest[i]].position,
                    0,
                    0,
                )
            )
            steps = path if is_open[i] else [*path, final]
            end = final_enter[i]
            gap = (end - created[i]) / max(len(steps) - 1, 1)
            previous = None
            for k, stage in enumerate(steps):
                at = created[i] + gap * k
                change_rows.append((change_id, int(ids[i]), previous, stage.pk, at, int(owner[i])))
                change_id += 1
                previous = stage.pk
            for c in rng.choice(
                contact_ids, 1 + (rng.random() < 0.5) + (rng.random() < 0.2), replace=False
            ):
                link_rows.append((link_id, int(ids[i]), int(c), str(rng.choice(roles))))
                link_id += 1
    when = w.stamps(np.array([row[4] for row in change_rows]))
    change_rows = [(*row[:4], when[j], row[5]) for j, row in enumerate(change_rows)]
    w.insert(
        "deals_deal",
        [
            "id",
            "created_at",
            "updated_at",
            "name",
            "amount",
            "currency",
            "expected_close_date",
            "pipeline_id",
            "stage_id",
            "status",
            "stage_entered_at",
            "closed_at",
            "owner_id",
            "team_id",
            "company_id",
            "source",
            "loss_reason_id",
            "loss_note",
            "version",
            "reached_position",
            "activity_count",
            "conversation_count",
        ],
        deal_rows,
    )
    w.insert(
        "deals_stagechange",
        ["id", "deal_id", "from_stage_id", "to_stage_id", "changed_at", "changed_by_id"],
        change_rows,
    )
    w.insert("deals_dealcontact", ["id", "deal_id", "contact_id", "role"], link_rows)
    for table in ("deals_deal", "deals_stagechange", "deals_dealcontact"):
        w.reset_sequence(table)
    return info


def load_activities(w: Writer, rng: np.random.Generator, now: int, info: dict[str, Any]) -> None:
    from tidycrm.activities.models import Activity, Outcome
    from tidycrm.core.bulk_write import Table

    if w.count("activities_activity") >= ACTIVITIES:
        return
    table = Table(Activity, with_pk=True)
    _, defaults = table.defaults()
    index = {name: i for i, name in enumerate(table.attnames)}
    template = [defaults.get(name) for name in table.attnames]
    contact_ids = info["contact_ids"]
    contact_created = w.column(
        "SELECT CAST(strftime('%s', created_at) AS INTEGER) FROM \"contacts_contact\" ORDER BY id"
        if not w.pg
        else 'SELECT EXTRACT(EPOCH FROM created_at)::bigint FROM "contacts_contact" ORDER BY id'
    )
    deals = w.connection.cursor()
    deals.execute(
        "SELECT dc.deal_id, dc.contact_id, d.owner_id, d.team_id, "
        + (
            "CAST(strftime('%s', d.created_at) AS INTEGER)"
            if not w.pg
            else "EXTRACT(EPOCH FROM d.created_at)::bigint"
        )
        + ", "
        + (
            "CAST(strftime('%s', COALESCE(d.closed_at, d.stage_entered_at)) AS INTEGER)"
            if not w.pg
            else "EXTRACT(EPOCH FROM COALESCE(d.closed_at, d.stage_entered_at))::bigint"
        )
        + ' FROM "deals_dealcontact" dc JOIN "deals_deal" d ON d.id = dc.deal_id ORDER BY dc.id'
    )
    links = np.array(deals.fetchall(), dtype=np.int64)
    deals.close()
    outcomes = {o.name: o for o in Outcome.objects.filter(kind="call")}
    connected = [o.pk for o in outcomes.values() if o.is_connected] or [None]
    missed = [o.pk for o in outcomes.values() if not o.is_connected] or [None]
    kinds = np.array(["call", "email", "meeting", "note", "task", "conversation"])
    kind_p = [0.35, 0.3, 0.1, 0.1, 0.1, 0.05]
    activity_id = w.next_id("activities_activity")
    contact_link_id = w.next_id("activities_activitycontact")
    deal_link_id = w.next_id("activities_activitydeal")
    owners = info["owners"]
    # The timeline contact belongs to the first sales user, so both measured users see it.
    first_rep = int(info["owners"][0])
    hot = int(
        w.column(
            f'SELECT id FROM "contacts_contact" WHERE owner_id = {first_rep} ORDER BY id LIMIT 1'
        )[0]
    )
    done = 0
    while done < ACTIVITIES:
        n = min(500_000, ACTIVITIES - done)
        kind = rng.choice(kinds, n, p=kind_p)
        on_deal = rng.random(n) < 0.6
        pick = rng.integers(0, len(links), n)
        free = rng.integers(0, len(contact_ids), n)
        contact = np.where(on_deal, links[pick, 1], contact_ids[free])
        deal = np.where(on_deal, links[pick, 0], 0)
        owner = np.where(on_deal, links[pick, 2], rng.choice(owners, n))
        start = np.where(on_deal, links[pick, 4], contact_created[free])
        stop = np.where(on_deal, links[pick, 5], now)
        # Contacts are reached within hours to weeks of being created; deal work spreads
        # over the deal's life.
        lag = np.where(
            on_deal,
            rng.uniform(0, 1, n) * np.maximum(stop - start, DAY),
            rng.lognormal(np.log(20 * 3600), 1.6, n),
        )
        at = np.minimum(start + lag, now)
        if done == 0:
            contact[:HOT_CONTACT_ENTRIES] = hot
            deal[:HOT_CONTACT_ENTRIES] = 0
            at[:HOT_CONTACT_ENTRIES] = now - rng.uniform(0, 700 * DAY, HOT_CONTACT_ENTRIES)
        stamp = w.stamps(at)
        outcome = np.where(rng.random(n) < 0.45, rng.choice(connected, n), rng.choice(missed, n))
        rows, contact_rows, deal_rows = [], [], []
        for i in range(n):
            row = list(template)
            row[index["id"]] = activity_id
            row[index["kind"]] = str(kind[i])
            row[index["subject"]] = f"{kind[i]} {activity_id}"
            row[index["occurred_at"]] = stamp[i]
            row[index["created_at"]] = stamp[i]
            row[index["updated_at"]] = stamp[i]
            row[index["owner_id"]] = int(owner[i])
            row[index["created_by_id"]] = int(owner[i])
            if kind[i] == "call":
                row[index["outcome_id"]] = int(outcome[i]) if outcome[i] else None
                row[index["direction"]] = "outbound"
                row[index["duration_seconds"]] = 120
            elif kind[i] == "task":
                row[index["due_at"]] = stamp[i]
                row[index["priority"]] = "normal"
                row[index["assignee_id"]] = int(owner[i])
                row[index["completed_at"]] = stamp[i]
            rows.append(tuple(row))
            contact_rows.append((contact_link_id, activity_id, int(contact[i]), stamp[i]))
            contact_link_id += 1
            if deal[i]:
                deal_rows.append((deal_link_id, activity_id, int(deal[i]), stamp[i]))
                deal_link_id += 1
            activity_id += 1
        w.insert("activities_activity", table.columns, rows)
        w.insert(
            "activities_activitycontact", ["id", "activity_id", "contact_id", "at"], contact_rows
        )
        w.insert("activities_activitydeal", ["id", "activity_id", "deal_id", "at"], deal_rows)
        done += n
        print(f"  activities {done:,}/{ACTIVITIES:,}", flush=True)
    for name in ("activities_activity", "activities_activitycontact", "activities_activitydeal"):
        w.reset_sequence(name)


def count_effort(w: Writer) -> None:
    """The deals' activity counters, as the activity services keep them (recounted from the
    links); skipped when they are counted already."""
    from django.db import transaction

    from tidycrm.activities.services.effort import recount_deals

    if w.column('SELECT COALESCE(SUM(activity_count), 0) FROM "deals_deal"')[0] > 0:
        return
    ids = w.column('SELECT id FROM "deals_deal" ORDER BY id').tolist()
    began = time.perf_counter()
    for start in range(0, len(ids), 50_000):
        with transaction.atomic():
            recount_deals(ids[start : start + 50_000])
    print(f"  deal counters: {len(ids):,} deals in {time.perf_counter() - began:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    refuse_base_databases(args.db)
    common.configure(args.db)
    import django

    django.setup()
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    w = Writer()
    now = int(time.time())
    rng = np.random.default_rng(args.seed)
    spread_contacts(w, now)
    print(f"contacts spread: {time.perf_counter() - began:.0f} s", flush=True)
    info = load_deals(w, rng, now)
    print(f"deals: {w.count('deals_deal'):,} ({time.perf_counter() - began:.0f} s)", flush=True)
    load_activities(w, rng, now, info)
    count_effort(w)
    from tidycrm.deals.models import Deal
    from tidycrm.deals.services.months import touch_deals

    touch_deals(Deal.objects.all())  # the months the reports' rollups cover, as services do
    print(f"activities: {w.count('activities_activity'):,} ({time.perf_counter() - began:.0f} s)")
    if w.pg:
        with w.connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    else:
        common.analyze()
    print(f"done in {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
