"""Add what the segments benchmark filters on to a copy of the 1M-contact bench database.

Set-based and idempotent (each step is skipped when done): a custom field `score` (integer
0-99) on every contact, 100,000 deals on random contacts (60% open, amounts 500-50,000) with
their contact links, and a list of 100,000 contacts. Never run it on the shared base
databases: copy them first (bench/README.md).
"""

from __future__ import annotations

import os
import random
import time
from typing import Any

from bench import common

# Smaller figures (environment) for a trial run on a small database.
DEALS = int(os.environ.get("BENCH_DEALS", "100000"))
LIST_NAME = "Bench 100k"
LIST_SIZE = int(os.environ.get("BENCH_LIST_SIZE", "100000"))


def _step(label: str, began: float) -> None:
    print(f"  {label}: {time.perf_counter() - began:.1f} s", flush=True)


def prepare(seed: int = 7) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from tidycrm.contacts.models import Contact
    from tidycrm.core.bulk_write import Table, insert, insert_with_ids
    from tidycrm.customfields.models import CustomFieldDefinition
    from tidycrm.deals.models import Deal, DealContact, Pipeline
    from tidycrm.lists.models import ContactList, ListMembership

    done: dict[str, Any] = {}
    contact_table = connection.ops.quote_name(Contact._meta.db_table)
    began = time.perf_counter()
    CustomFieldDefinition.objects.get_or_create(
        record_type="contact",
        key="score",
        defaults={"label": "Score", "field_type": "integer"},
    )
    has_score = Contact.objects.filter(custom_fields__has_key="score").order_by().exists()
    if not has_score:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"UPDATE {contact_table} SET custom_fields = "
                    "custom_fields || jsonb_build_object('score', (id * 7919) % 100)"
                )
            else:
                cursor.execute(
                    f"UPDATE {contact_table} SET custom_fields = "
                    "json_set(custom_fields, '$.score', (id * 7919) % 100)"
                )
        done["score_seconds"] = round(time.perf_counter() - began, 1)
        _step("custom field score on every contact", began)

    began = time.perf_counter()
    if Deal.objects.count() < DEALS:
        rng = random.Random(seed)
        pipeline = Pipeline.objects.prefetch_related("stages").order_by("position", "id").first()
        assert pipeline is not None, "the deals migration creates a first pipeline"
        stages = {s.kind: s for s in pipeline.stages.all()}
        # Each deal belongs to its contact's owner, as a salesperson's deals do.
        contacts = list(Contact.objects.order_by().values_list("pk", "owner_id"))
        table = Table(Deal)
        defaults = table.defaults()
        now = timezone.now()
        rows, links = [], []
        for n in range(DEALS):
            status = rng.choices(["open", "won", "lost"], weights=[60, 25, 15])[0]
            stage = stages.get(status) or next(iter(stages.values()))
            contact = rng.choice(contacts)
            values = {
                "name": f"Bench deal {n}",
                "amount": rng.randint(500, 50_000),
                "currency": pipeline.currency,
                "pipeline_id": pipeline.pk,
                "stage_id": stage.pk,
                "status": status,
                "owner_id": contact[1],
                "created_at": now,
                "updated_at": now,
                "stage_entered_at": now,
            }
            rows.append(table.row(values, defaults)[1])
            links.append(contact[0])
        with transaction.atomic():
            deal_ids = insert_with_ids(table, rows)
            link_table = Table(DealContact)
            link_defaults = link_table.defaults()
            insert(
                link_table.name,
                link_table.columns,
                [
                    link_table.row({"deal_id": d, "contact_id": c, "role": "buyer"}, link_defaults)[
                        1
                    ]
                    for d, c in zip(deal_ids, links, strict=True)
                ],
            )
        done["deals_seconds"] = round(time.perf_counter() - began, 1)
        _step(f"{DEALS:,} deals with their contacts", began)

    began = time.perf_counter()
    contact_list, _ = ContactList.objects.get_or_create(
        key=LIST_NAME.casefold(), defaults={"name": LIST_NAME}
    )
    if not ListMembership.objects.filter(contact_list=contact_list).exists():
        table = connection.ops.quote_name(ListMembership._meta.db_table)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (contact_list_id, contact_id, added_at, added_by_id) "
                f"SELECT %s, id, %s, NULL FROM {contact_table} WHERE id %% 7 = 3 "
                f"ORDER BY id LIMIT {LIST_SIZE}",
                [contact_list.pk, timezone.now()],
            )
        done["list_seconds"] = round(time.perf_counter() - began, 1)
        _step(f"a list of {LIST_SIZE:,} contacts", began)

    began = time.perf_counter()
    if connection.vendor == "postgresql":
        # Autovacuum is off here: clear the dead rows the updates left and refresh statistics.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    else:
        common.analyze()
    _step("VACUUM/ANALYZE", began)
    done["list_id"] = contact_list.pk
    return done
