"""Set-based bulk insert of activities (imports of call logs, data loads): no model instance
per row, one prepared insert or COPY per table, links and audit written in the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from itertools import islice
from typing import Any

from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from tidycrm.activities.choices import Kind
from tidycrm.activities.models import Activity, ActivityCompany, ActivityContact, ActivityDeal
from tidycrm.activities.services.effort import recount_deals
from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.services import record_changes_bulk
from tidycrm.contacts.models import Contact
from tidycrm.core.bulk_write import Table, insert, insert_with_ids
from tidycrm.core.exceptions import ValidationFailed

LINK_COLUMNS = (
    ("contact_ids", ActivityContact, "contact_id"),
    ("company_ids", ActivityCompany, "company_id"),
    ("deal_ids", ActivityDeal, "deal_id"),
)
FIELDS = frozenset(f.attname for f in Activity._meta.concrete_fields if not f.primary_key)


@cache
def _table(model: type[Any]) -> Table:
    return Table(model)


def insert_activities(
    rows: Iterable[Mapping[str, Any]],
    *,
    actor: Any = None,
    channel: Channel | str = Channel.IMPORT,
    audit: bool = True,
    touch_contacts: bool = True,
    batch_size: int = 10_000,
) -> int:
    """Insert activities given as dicts of column values (`kind`, `subject`, `occurred_at`,
    `owner_id`, ...) plus optional `contact_ids`, `company_ids`, `deal_ids`; return the count.

    Rows are trusted to be clean (ids exist, kinds valid): this is the loader's path, checked
    only for the kind and the fields an Activity has. Each batch is one transaction.
    """
    total = 0
    iterator = iter(rows)
    while batch := list(islice(iterator, batch_size)):
        _check(batch)
        with transaction.atomic():
            total += _insert_batch(batch, actor, channel, audit, touch_contacts)
    return total


def _check(batch: list[Mapping[str, Any]]) -> None:
    links = {name for name, _, _ in LINK_COLUMNS}
    for number, row in enumerate(batch):
        unknown = set(row) - FIELDS - links
        if unknown:
            problem = ["is not a field of an activity."]
            raise ValidationFailed({f"{number}.{name}": problem for name in sorted(unknown)})
        if row.get("kind") not in Kind.values:
            allowed = ", ".join(Kind.values)
            raise ValidationFailed(
                {f"{number}.kind": [f"'{row.get('kind')}' is not one of: {allowed}."]}
            )


def _insert_batch(
    batch: list[Mapping[str, Any]], actor: Any, channel: Channel | str, audit: bool, touch: bool
) -> int:
    table = _table(Activity)
    defaults = table.defaults()
    now = timezone.now()
    prepared = []
    for row in batch:
        values = {k: v for k, v in row.items() if k in FIELDS}
        values.setdefault("occurred_at", now)
        if actor is not None:
            values.setdefault("created_by_id", actor.pk)
        prepared.append(table.row(values, defaults))
    ids = insert_with_ids(table, [db for _, db in prepared])
    occurred_column = table.attnames.index("occurred_at")
    touched: set[int] = set()
    for name, model, column in LINK_COLUMNS:
        link_table = _table(model)
        # The activity row's converted `occurred_at` is the link's `at`: no second conversion.
        link_rows = []
        for activity_id, row, (_, db) in zip(ids, batch, prepared, strict=True):
            at = db[occurred_column]
            for target in row.get(name) or ():
                link_rows.append((activity_id, target, at))
                if name == "contact_ids":
                    touched.add(target)
        insert(link_table.name, ["activity_id", column, "at"], link_rows)
    if audit:
        subject = table.attnames.index("subject")
        record_changes_bulk(
            Activity,
            [
                (pk, str(python[subject]), {"kind": {"before": None, "after": row["kind"]}}, None)
                for pk, row, (python, _) in zip(ids, batch, prepared, strict=True)
            ],
            action=Action.CREATE,
            channel=channel,
            actor=actor,
        )
    if touch and touched:
        _touch_contacts(sorted(touched), now)
    recount_deals(deal for row in batch for deal in row.get("deal_ids") or ())
    return len(ids)


def _touch_contacts(contact_ids: list[int], now: Any) -> None:
    """Set last_activity_at to each contact's latest past activity, in one UPDATE per chunk."""
    latest = (
        ActivityContact.objects.filter(contact_id=OuterRef("pk"), at__lte=now)
        .exclude(activity__kind=Kind.TASK, activity__completed_at__isnull=True)
        .order_by()
        .values("contact_id")
        .annotate(last=Max("at"))
        .values("last")
    )
    for start in range(0, len(contact_ids), 5000):
        chunk = contact_ids[start : start + 5000]
        # Never back, never to NULL: the later of what it held and the newest activity.
        current, newest = F("last_activity_at"), Subquery(latest)
        Contact.objects.filter(pk__in=chunk).update(
            last_activity_at=Greatest(Coalesce(newest, current), Coalesce(current, newest))
        )
