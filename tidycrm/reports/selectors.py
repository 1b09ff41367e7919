"""Which parts of a report's period the monthly rollups answer, and the rest read from the
deals themselves (decision 0055)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.utils import timezone

from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visible
from tidycrm.deals.models import DealMonth
from tidycrm.reports.filters import ReportFilter, midnight
from tidycrm.reports.models import BuiltMonth

Span = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class PeriodParts:
    months: list[dt.date]  # whole months whose rollups are current
    spans: list[Span]  # the rest of the period, as [start, end) spans, read from the deals


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after `day`'s."""
    return (day + dt.timedelta(days=32)).replace(day=1)


def month_bounds(month: dt.date) -> Span:
    """The month beginning on `month` (a first day) as a [start, end) span in UTC."""
    return midnight(month), midnight(next_month(month))


def current_months(months: list[dt.date]) -> set[dt.date]:
    """The months among these whose rollups were built from the month's present version."""
    if not months:
        return set()
    versions = dict(DealMonth.objects.filter(month__in=months).values_list("month", "version"))
    built = BuiltMonth.objects.filter(month__in=months).values_list("month", "version")
    return {month for month, version in built if versions.get(month) == version}


def period_parts(f: ReportFilter, now: dt.datetime | None = None) -> PeriodParts:
    """Split [f.since, f.until) into whole months with current rollups and spans to read.

    A month the period ends in counts as whole when the rest of it is still to come: no deal is
    created or closed in the future (the services stamp both with the time of the write), so
    this month's rollup, while current, holds exactly the deals of the period's last days."""
    now = now or timezone.now()
    first = f.start if f.start.day == 1 else next_month(f.start)
    whole = []
    month = first
    while midnight(month) < f.until and (next_month(month) <= f.end or f.until >= now):
        whole.append(month)
        month = next_month(month)
    current = current_months(whole)
    spans: list[Span] = []
    cursor = f.since
    for month in sorted(current):
        start = midnight(month)
        if cursor < start:
            spans.append((cursor, start))
        cursor = month_bounds(month)[1]
    if cursor < f.until:
        spans.append((cursor, f.until))
    return PeriodParts(months=sorted(current), spans=spans)


def scoped[M: Model](records: QuerySet[M], user: User, f: ReportFilter) -> QuerySet[M]:
    """Records with owner, team and pipeline columns that `user` may see, narrowed by the
    filter's owner, team and pipeline."""
    records = visible(records, user)
    if f.owner_id is not None:
        records = records.filter(owner_id=f.owner_id)
    if f.team_id is not None:
        records = records.filter(team_id=f.team_id)
    if f.pipeline_id is not None:
        records = records.filter(pipeline_id=f.pipeline_id)
    return records
