"""The sales figures, each read from the database with the user's visibility and the filter.

Definitions (decision 0022):
- closed in the period: a won or lost deal whose `closed_at` falls in [start, end);
- money figures count deals in the filter's currency only (amounts are not converted);
- sales cycle: days from a won deal's creation to its close;
- pipeline value: the open deals now (the period does not apply), weighted by stage probability;
- funnel: deals created in the period, by the furthest open stage each reached (a won deal
  reached every open stage);
- speed-to-lead: contacts created in the period, time to their first linked activity.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Count,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.lookups import Exact

from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visible
from tidycrm.activities.models import ActivityContact, AlertSettings
from tidycrm.contacts.models import Contact
from tidycrm.deals.choices import DealStatus, StageKind
from tidycrm.deals.models import Deal, LossReason, Pipeline, Stage
from tidycrm.reports.filters import ReportFilter
from tidycrm.reports.models import ClosedMonth, CreatedMonth
from tidycrm.reports.selectors import Span, next_month, period_parts, scoped
from tidycrm.reports.sql import DaysBetween, MonthOf, WholeDaysBetween
from tidycrm.reports.stats import counted_median, counted_percentile, median, percentile, ratio

DAY = 86400.0
ZERO = Decimal(0)
# Figures that follow each record into the activity tables are estimated from at most this
# many records of the period (every k-th by id): a year of a large CRM holds hundreds of
# thousands of new contacts, and a share or a median from 5,000 of them is within about a
# percentage point (decision 0022).
SAMPLE = 5000


def every_kth[M: Model](records: QuerySet[M], total: int) -> QuerySet[M]:
    """The records whose id is a multiple of k, k chosen to keep about SAMPLE of `total`."""
    step = math.ceil(total / SAMPLE) if total > SAMPLE else 1
    if step == 1:
        return records
    return records.filter(Exact(F("id") % step, 0))


def scoped_deals(user: User, f: ReportFilter) -> QuerySet[Deal]:
    return scoped(Deal.objects.all(), user, f)


def open_deals(user: User, f: ReportFilter) -> QuerySet[Deal]:
    """Open deals now. An open deal has no close date (the deal services see to it); saying so
    lets the database read them from the `deal_figures` index without a table scan."""
    return scoped_deals(user, f).filter(status=DealStatus.OPEN, closed_at__isnull=True)


def closed_between(user: User, f: ReportFilter, span: Span) -> QuerySet[Deal]:
    return scoped_deals(user, f).filter(
        status__in=[DealStatus.WON, DealStatus.LOST], closed_at__gte=span[0], closed_at__lt=span[1]
    )


@dataclass(frozen=True)
class ClosedGroup:
    """Deals closed in the period sharing owner and status, and for won deals currency and
    month, for lost deals the loss reason."""

    owner_id: int | None
    status: str
    loss_reason_id: int | None
    currency: str
    month: str
    deals: int
    amount: Decimal
    activities: int
    conversations: int


def closed_groups(user: User, f: ReportFilter) -> list[ClosedGroup]:
    """The deals closed in the period in groups: outcomes, loss reasons, per-rep results and
    effort all sum these. Whole months come from the monthly rollups where they are current;
    the rest of the period is read from the covering index `deal_figures`. Won deals are
    grouped by owner, currency and month, lost ones by owner and reason (two queries: the
    database sorts each side by its own few keys, not every deal by all of them)."""
    parts = period_parts(f)
    groups = _rollup_groups(user, f, parts.months)
    for span in parts.spans:
        groups += _span_groups(user, f, span)
    return groups


def _rollup_groups(user: User, f: ReportFilter, months: list[dt.date]) -> list[ClosedGroup]:
    if not months:
        return []
    rows = scoped(ClosedMonth.objects.filter(month__in=months), user, f).order_by()
    won = (
        rows.filter(status=DealStatus.WON)
        .values("owner_id", "currency", "month")
        .annotate(
            n=Sum("deals"), total=Sum("amount"), acts=Sum("activities"), talks=Sum("conversations")
        )
        .values_list("owner_id", "currency", "month", "n", "total", "acts", "talks")
    )
    lost = (
        rows.filter(status=DealStatus.LOST)
        .values("owner_id", "loss_reason_id")
        .annotate(n=Sum("deals"))
        .values_list("owner_id", "loss_reason_id", "n")
    )
    return _groups(won, lost)


def _span_groups(user: User, f: ReportFilter, span: Span) -> list[ClosedGroup]:
    closed = closed_between(user, f, span)
    won = (
        closed.filter(status=DealStatus.WON)
        .annotate(month=MonthOf("closed_at"))
        .values("owner_id", "currency", "month")
        .annotate(
            n=Count("id"),
            total=Sum("amount"),
            acts=Sum("activity_count"),
            talks=Sum("conversation_count"),
        )
        .order_by()
        .values_list("owner_id", "currency", "month", "n", "total", "acts", "talks")
    )
    lost = (
        closed.filter(status=DealStatus.LOST)
        .values("owner_id", "loss_reason_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("owner_id", "loss_reason_id", "n")
    )
    return _groups(won, lost)


def _groups(won: Iterable[tuple[Any, ...]], lost: Iterable[tuple[Any, ...]]) -> list[ClosedGroup]:
    """Groups from rows (owner, currency, month, deals, amount, activities, conversations) of
    won deals and (owner, loss reason, deals) of lost ones; a month is 'YYYY-MM' or a date."""
    return [
        ClosedGroup(
            owner_id=owner,
            status=DealStatus.WON,
            loss_reason_id=None,
            currency=currency,
            month=month if isinstance(month, str) else month.strftime("%Y-%m"),
            deals=n,
            amount=Decimal(total or 0),
            activities=int(acts or 0),
            conversations=int(talks or 0),
        )
        for owner, currency, month, n, total, acts, talks in won
    ] + [
        ClosedGroup(
            owner_id=owner,
            status=DealStatus.LOST,
            loss_reason_id=reason,
            currency="",
            month="",
            deals=n,
            amount=ZERO,
            activities=0,
            conversations=0,
        )
        for owner, reason, n in lost
    ]


@dataclass
class Outcomes:
    won: int
    lost: int
    won_amount: Decimal
    average_deal: Decimal | None
    win_rate: float | None
    cycle_median_days: float | None
    cycle_p90_days: float | None
    won_by_month: list[tuple[str, int, Decimal]]


def outcomes(user: User, f: ReportFilter, groups: list[ClosedGroup] | None = None) -> Outcomes:
    """Win rate, average won deal, sales-cycle length and won value per month."""
    groups = closed_groups(user, f) if groups is None else groups
    won = sum(g.deals for g in groups if g.status == DealStatus.WON)
    lost = sum(g.deals for g in groups if g.status == DealStatus.LOST)
    cycle = cycle_days(user, f)
    months: dict[str, tuple[int, Decimal]] = defaultdict(lambda: (0, ZERO))
    for g in groups:
        if g.status == DealStatus.WON and g.currency == f.currency:
            n, total = months[g.month]
            months[g.month] = (n + g.deals, total + g.amount)
    money_count = sum(n for n, _ in months.values())
    won_amount = sum((total for _, total in months.values()), ZERO)
    return Outcomes(
        won=won,
        lost=lost,
        won_amount=won_amount,
        average_deal=(
            (won_amount / money_count).quantize(Decimal("0.01")) if money_count else None
        ),
        win_rate=ratio(won, won + lost),
        cycle_median_days=counted_median(cycle),
        cycle_p90_days=counted_percentile(cycle, 0.9),
        won_by_month=[(m, *months.get(m, (0, ZERO))) for m in _month_keys(f)],
    )


def cycle_days(user: User, f: ReportFilter) -> Counter[int]:
    """How many won deals closed in the period took each whole number of days to close."""
    parts = period_parts(f)
    counts: Counter[int] = Counter()
    if parts.months:
        histograms = (
            scoped(ClosedMonth.objects.filter(month__in=parts.months), user, f)
            .filter(status=DealStatus.WON)
            .values_list("cycle_days", flat=True)
        )
        # A thousand small JSON texts: decoded in one call rather than one field at a time.
        texts = [v if isinstance(v, str) else json.dumps(v) for v in _column(histograms)]
        for histogram in json.loads("[" + ",".join(texts) + "]"):
            for days, n in histogram.items():
                counts[int(days)] += n
    for span in parts.spans:
        days = (
            closed_between(user, f, span)
            .filter(status=DealStatus.WON)
            .annotate(days=WholeDaysBetween("created_at", "closed_at"))
            .order_by()
            .values_list("days", flat=True)
        )
        counts.update(int(value) for value in _column(days))
    return counts


def _column(values: QuerySet[Any, Any]) -> list[Any]:
    """A one-column query's values read with the cursor, without the ORM's per-row work (tens
    of thousands of them)."""
    try:
        sql, params = values.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [value for (value,) in cursor.fetchall()]


def _month_keys(f: ReportFilter) -> list[str]:
    keys, day = [], f.start.replace(day=1)
    while day < f.end:
        keys.append(day.strftime("%Y-%m"))
        day = next_month(day)
    return keys


def loss_reasons(
    user: User, f: ReportFilter, groups: list[ClosedGroup] | None = None
) -> list[tuple[str, int]]:
    """Lost deals closed in the period per loss reason, most common first."""
    groups = closed_groups(user, f) if groups is None else groups
    counts: Counter[int | None] = Counter()
    for g in groups:
        if g.status == DealStatus.LOST:
            counts[g.loss_reason_id] += g.deals
    names = dict(
        LossReason.objects.filter(pk__in=[k for k in counts if k]).values_list("pk", "name")
    )
    rows = [(names.get(pk, "(no reason)") if pk else "(no reason)", n) for pk, n in counts.items()]
    merged: Counter[str] = Counter()
    for name, n in rows:
        merged[name] += n
    return sorted(merged.items(), key=lambda r: (-r[1], r[0]))


@dataclass
class StageValue:
    stage: str
    pipeline: str
    probability: int
    count: int
    total: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class OpenGroup:
    """Open deals sharing stage and owner; `amount` sums those in the filter's currency."""

    stage_id: int
    owner_id: int | None
    deals: int
    amount: Decimal


def open_groups(user: User, f: ReportFilter) -> list[OpenGroup]:
    """One pass over the open deals now: pipeline value and the per-rep open pipeline."""
    rows = (
        open_deals(user, f)
        .values("stage_id", "owner_id")
        .annotate(n=Count("id"), total=Sum("amount", filter=Q(currency=f.currency)))
        .order_by()
        .values_list("stage_id", "owner_id", "n", "total")
    )
    return [OpenGroup(stage, owner, n, Decimal(total or 0)) for stage, owner, n, total in rows]


def pipeline_value(
    user: User, f: ReportFilter, groups: list[OpenGroup] | None = None
) -> list[StageValue]:
    """Open deals now, per stage: how many, their value and their probability-weighted value."""
    groups = open_groups(user, f) if groups is None else groups
    counts: Counter[int] = Counter()
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for g in groups:
        counts[g.stage_id] += g.deals
        totals[g.stage_id] += g.amount
    stages = Stage.objects.filter(pk__in=counts).select_related("pipeline")
    rows = []
    for stage in sorted(stages, key=lambda s: (s.pipeline.position, s.pipeline_id, s.position)):
        total = Decimal(totals.get(stage.pk) or 0)
        rows.append(
            StageValue(
                stage=stage.name,
                pipeline=stage.pipeline.name,
                probability=stage.probability,
                count=counts[stage.pk],
                total=total,
                weighted=(total * stage.probability / 100).quantize(Decimal("0.01")),
            )
        )
    return rows


@dataclass
class FunnelStep:
    stage: str
    reached: int
    conversion: float | None  # share of the previous step that reached this one


def report_pipeline(f: ReportFilter) -> Pipeline | None:
    if f.pipeline_id is not None:
        return Pipeline.objects.filter(pk=f.pipeline_id).first()
    return Pipeline.objects.filter(is_active=True).first() or Pipeline.objects.first()


def funnel(user: User, f: ReportFilter) -> list[FunnelStep]:
    """Deals of one pipeline created in the period: how many reached each stage, and the
    conversion from each stage to the next."""
    pipeline = report_pipeline(f)
    if pipeline is None:
        return []
    stages = list(pipeline.stages.exclude(kind=StageKind.LOST))
    parts = period_parts(f)
    counts: Counter[int] = Counter()
    # Whole months from the rollups: a won deal reached every stage; an open or lost one the
    # open stages up to the furthest it entered.
    rollups = scoped(CreatedMonth.objects.filter(month__in=parts.months), user, f).filter(
        pipeline_id=pipeline.pk
    )
    for status, reached, n in (
        rollups.values("status", "reached_position")
        .annotate(n=Sum("deals"))
        .order_by()
        .values_list("status", "reached_position", "n")
    ):
        for stage in stages:
            if status == DealStatus.WON or (
                stage.kind != StageKind.WON and reached is not None and reached >= stage.position
            ):
                counts[stage.pk] += n
    # The rest: one row of counts per span (no grouping, so no sort of the period's deals).
    won = Q(status=DealStatus.WON)
    for since, until in parts.spans:
        deals = scoped_deals(user, f).filter(
            pipeline=pipeline, created_at__gte=since, created_at__lt=until
        )
        found = deals.aggregate(
            **{
                f"s{stage.pk}": Count(
                    "id",
                    filter=won
                    if stage.kind == StageKind.WON
                    else won | Q(reached_position__gte=stage.position),
                )
                for stage in stages
            }
        )
        for stage in stages:
            counts[stage.pk] += found[f"s{stage.pk}"]
    steps: list[FunnelStep] = []
    previous: int | None = None
    for stage in stages:
        reached = counts[stage.pk]
        steps.append(
            FunnelStep(stage.name, reached, None if previous is None else ratio(reached, previous))
        )
        previous = reached
    return steps


@dataclass
class RepRow:
    owner: str
    won: int
    lost: int
    win_rate: float | None
    won_amount: Decimal
    open_count: int
    open_amount: Decimal


def per_rep(
    user: User,
    f: ReportFilter,
    groups: list[ClosedGroup] | None = None,
    opened: list[OpenGroup] | None = None,
) -> list[RepRow]:
    """Per owner: deals won and lost in the period, won value, and open pipeline now."""
    groups = closed_groups(user, f) if groups is None else groups
    table: dict[int | None, dict[str, Any]] = defaultdict(
        lambda: {"won": 0, "lost": 0, "won_amount": ZERO, "open_count": 0, "open_amount": ZERO}
    )
    for g in groups:
        row = table[g.owner_id]
        row[g.status] += g.deals
        if g.status == DealStatus.WON and g.currency == f.currency:
            row["won_amount"] += g.amount
    for o in open_groups(user, f) if opened is None else opened:
        table[o.owner_id]["open_count"] += o.deals
        table[o.owner_id]["open_amount"] += o.amount
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=[k for k in table if k])}
    rows = [
        RepRow(
            owner=names.get(owner_id, "(no owner)") if owner_id else "(no owner)",
            win_rate=ratio(v["won"], v["won"] + v["lost"]),
            **v,
        )
        for owner_id, v in table.items()
    ]
    return sorted(rows, key=lambda r: (-r.won_amount, -r.won, r.owner))


@dataclass
class EffortToWin:
    won_deals: int
    activities: int
    conversations: int

    @property
    def activities_per_win(self) -> float | None:
        return ratio(self.activities, self.won_deals)

    @property
    def conversations_per_win(self) -> float | None:
        return ratio(self.conversations, self.won_deals)


def effort_to_win(
    user: User, f: ReportFilter, groups: list[ClosedGroup] | None = None
) -> EffortToWin:
    """Activities and conversations logged on the won deals closed in the period, per deal
    (summed from the deals' counters, kept by the activity services)."""
    groups = closed_groups(user, f) if groups is None else groups
    won = [g for g in groups if g.status == DealStatus.WON]
    return EffortToWin(
        won_deals=sum(g.deals for g in won),
        activities=sum(g.activities for g in won),
        conversations=sum(g.conversations for g in won),
    )


@dataclass
class SpeedToLead:
    leads: int
    sampled: int  # the leads whose first activity was looked up; the rest count from these
    reached: int
    within_sla: int
    sla_minutes: int
    median_hours: float | None
    p90_hours: float | None
    buckets: list[tuple[str, int]]


BUCKETS = (
    ("under 1 hour", 1.0),
    ("1 to 4 hours", 4.0),
    ("4 to 24 hours", 24.0),
    ("1 to 3 days", 72.0),
    ("3 to 7 days", 168.0),
    ("over 7 days", float("inf")),
)


def speed_to_lead(user: User, f: ReportFilter) -> SpeedToLead:
    """Contacts created in the period (with the owner/team filter): hours from creation to
    their first linked activity at or after creation."""
    leads = visible(Contact.objects.all(), user).filter(
        created_at__gte=f.since, created_at__lt=f.until
    )
    if f.owner_id is not None:
        leads = leads.filter(owner_id=f.owner_id)
    if f.team_id is not None:
        leads = leads.filter(team_id=f.team_id)
    total = leads.count()
    first = (
        ActivityContact.objects.filter(contact_id=OuterRef("pk"), at__gte=OuterRef("created_at"))
        .order_by("at")
        .values("at")[:1]
    )
    sample = every_kth(leads, total)
    # Hours computed by the database: thousands of timestamps cost more to convert than to read.
    rows = list(
        sample.annotate(first=Subquery(first))
        .annotate(days=DaysBetween("created_at", "first"))
        .order_by()
        .values_list("days", flat=True)
    )
    hours = sorted(float(days) * 24 for days in rows if days is not None)
    settings = AlertSettings.objects.first()
    sla = settings.lead_sla_minutes if settings else 60
    counts = [0] * len(BUCKETS)
    for value in hours:
        counts[next(i for i, (_, top) in enumerate(BUCKETS) if value < top)] += 1
    buckets = [(label, n) for (label, _), n in zip(BUCKETS, counts, strict=True)]
    buckets.append(("no activity yet", len(rows) - len(hours)))
    return SpeedToLead(
        leads=total,
        sampled=len(rows),
        reached=len(hours),
        within_sla=sum(1 for h in hours if h * 60 <= sla),
        sla_minutes=sla,
        median_hours=median(hours),
        p90_hours=percentile(hours, 0.9),
        buckets=buckets,
    )
