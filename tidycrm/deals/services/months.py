"""The version of each calendar month of deal history (`DealMonth`), moved by every write to a
deal created or closed in that month, so figures summed per month know when they are stale
(decision 0055)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet

from tidycrm.deals.models import Deal, DealMonth


def month_of(moment: dt.datetime) -> dt.date:
    """The first day of the UTC calendar month of `moment`."""
    return moment.astimezone(dt.UTC).date().replace(day=1)


def touch(*moments: dt.datetime | None) -> None:
    """Move the version of the months of these moments (a deal's creation and its close before
    and after a change). One upsert per month: concurrent writers serialise on the month's row,
    so no change can slip between a rollup's reading of the version and of the deals."""
    months = sorted({month_of(m) for m in moments if m is not None})
    table = DealMonth._meta.db_table
    with connection.cursor() as cursor:
        for month in months:
            cursor.execute(
                f'INSERT INTO "{table}" (month, version) VALUES (%s, 1) '  # noqa: S608
                f'ON CONFLICT (month) DO UPDATE SET version = "{table}".version + 1',
                [connection.ops.adapt_datefield_value(month)],
            )


def touch_deals(deals: QuerySet[Deal]) -> None:
    """Move the months in which any of `deals` was created or closed (set-based changes)."""
    touch(*deals.datetimes("created_at", "month", tzinfo=dt.UTC))
    touch(*deals.filter(closed_at__isnull=False).datetimes("closed_at", "month", tzinfo=dt.UTC))


def touch_deal_ids(deal_ids: Iterable[int]) -> None:
    """After a set-based change of derived columns of closed deals (activity counters)."""
    ids = sorted(set(deal_ids))
    for start in range(0, len(ids), 5000):
        chunk = Deal.objects.filter(pk__in=ids[start : start + 5000], closed_at__isnull=False)
        touch(*chunk.datetimes("closed_at", "month", tzinfo=dt.UTC))
