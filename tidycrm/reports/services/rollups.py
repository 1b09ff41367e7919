"""Build the monthly rollups of deals (`ClosedMonth`, `CreatedMonth`) from the deals table.

A month is (re)built when its version in `deals.DealMonth` differs from the one it was built
from, and once a day whatever happened, so a change made around the services (a user deleted
in the admin, say) cannot stay wrong for long. The version is read before the deals: a write
that commits meanwhile moves it again, and the month is built once more (decision 0055).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from tidycrm.deals.choices import DealStatus
from tidycrm.deals.models import Deal, DealMonth
from tidycrm.reports.models import BuiltMonth, ClosedMonth, CreatedMonth
from tidycrm.reports.selectors import month_bounds
from tidycrm.reports.sql import WholeDaysBetween

EVERY = dt.timedelta(minutes=1)
MAX_AGE = dt.timedelta(days=1)
CLOSED_KEYS = ("pipeline_id", "owner_id", "team_id", "status", "currency", "loss_reason_id")
CREATED_KEYS = ("pipeline_id", "owner_id", "team_id", "status", "reached_position")


def due_months(now: dt.datetime) -> list[dt.date]:
    """Months whose deals changed since they were built, never built, or built a day ago."""
    versions = dict(DealMonth.objects.values_list("month", "version"))
    built = {b.month: b for b in BuiltMonth.objects.all()}
    return sorted(
        month
        for month, version in versions.items()
        if month not in built
        or built[month].version != version
        or built[month].built_at < now - MAX_AGE
    )


def build_month(month: dt.date, now: dt.datetime | None = None) -> bool:
    """Rebuild one month's rollups; False when no deal was ever created or closed in it."""
    version = DealMonth.objects.filter(month=month).values_list("version", flat=True).first()
    if version is None:
        return False
    since, until = month_bounds(month)
    closed = _closed_rows(month, since, until)
    created = [
        CreatedMonth(month=month, **row)
        for row in Deal.objects.filter(created_at__gte=since, created_at__lt=until)
        .values(*CREATED_KEYS)
        .annotate(deals=Count("id"))
        .order_by()
    ]
    with transaction.atomic():
        ClosedMonth.objects.filter(month=month).delete()
        ClosedMonth.objects.bulk_create(closed, batch_size=2000)
        CreatedMonth.objects.filter(month=month).delete()
        CreatedMonth.objects.bulk_create(created, batch_size=2000)
        values = {"version": version, "built_at": now or timezone.now()}
        try:
            with transaction.atomic():
                BuiltMonth.objects.update_or_create(month=month, defaults=values)
        except IntegrityError:  # another worker built it at the same moment
            BuiltMonth.objects.filter(month=month).update(**values)
    return True


def _closed_rows(month: dt.date, since: dt.datetime, until: dt.datetime) -> list[ClosedMonth]:
    deals = Deal.objects.filter(
        status__in=[DealStatus.WON, DealStatus.LOST], closed_at__gte=since, closed_at__lt=until
    )
    groups = deals.values(*CLOSED_KEYS).annotate(
        deals=Count("id"),
        amount=Sum("amount"),
        activities=Sum("activity_count"),
        conversations=Sum("conversation_count"),
    )
    cycles: dict[tuple[Any, ...], dict[str, int]] = defaultdict(dict)
    for row in (
        deals.filter(status=DealStatus.WON)
        .annotate(days=WholeDaysBetween("created_at", "closed_at"))
        .values(*CLOSED_KEYS, "days")
        .annotate(n=Count("id"))
        .order_by()
    ):
        cycles[tuple(row[k] for k in CLOSED_KEYS)][str(row["days"])] = row["n"]
    return [
        ClosedMonth(
            month=month,
            deals=row["deals"],
            amount=Decimal(row["amount"] or 0),
            activities=row["activities"] or 0,
            conversations=row["conversations"] or 0,
            cycle_days=cycles.get(tuple(row[k] for k in CLOSED_KEYS), {}),
            **{k: row[k] for k in CLOSED_KEYS},
        )
        for row in groups.order_by()
    ]


def build_due(now: dt.datetime) -> dict[str, int]:
    """The periodic job: rebuild every month that is due."""
    months = due_months(now)
    built = sum(build_month(month, now) for month in months)
    return {"months": built}
