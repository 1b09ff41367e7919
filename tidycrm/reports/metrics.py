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
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, Max, Model, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.lookups import Exact

from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visible
from tidycrm.activities.choices import Kind
from tidycrm.activities.models import ActivityContact, ActivityDeal, AlertSettings
from tidycrm.contacts.models import Contact
from tidycrm.deals.choices import DealStatus, StageKind
from tidycrm.deals.models import Deal, Pipeline, Stage, StageChange
from tidycrm.deals.selectors import visible_deals
from tidycrm.reports.filters import ReportFilter
from tidycrm.reports.sql import DaysBetween, MonthOf
from tidycrm.reports.stats import median, percentile, ratio

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
    deals = visible_deals(user)
    if f.owner_id is not None:
        deals = deals.filter(owner_id=f.owner_id)
    if f.team_id is not None:
        deals = deals.filter(team_id=f.team_id)
    if f.pipeline_id is not None:
        deals = deals.filter(pipeline_id=f.pipeline_id)
    return deals


def closed_in_period(user: User, f: ReportFilter) -> QuerySet[Deal]:
    return scoped_deals(user, f).filter(
        status__in=[DealStatus.WON, DealStatus.LOST], closed_at__gte=f.since, closed_at__lt=f.until
    )


@dataclass
class Outcomes:
    won: int
    lost: int
    won_amount: Decimal
    average_deal: Decimal | None
    win_rate: float | None
    cycle_median_days: float | None
    cycle_p90_days: float | None
    cycle_days: list[float] = field(repr=False)
    won_by_month: list[tuple[str, int, Decimal]]


def outcomes(user: User, f: ReportFilter) -> Outcomes:
    """Win rate, average won deal, sales-cycle length and won value per month."""
    closed = closed_in_period(user, f)
    counts = dict(closed.values("status").annotate(n=Count("id")).values_list("status", "n"))
    won_deals = closed.filter(status=DealStatus.WON)
    cycle = [
        float(days)
        for days in won_deals.annotate(days=DaysBetween("created_at", "closed_at")).values_list(
            "days", flat=True
        )
    ]
    in_currency = won_deals.filter(currency=f.currency)
    months = {
        month: (n, Decimal(total or 0))
        for month, n, total in in_currency.annotate(month=MonthOf("closed_at"))
        .values("month")
        .annotate(n=Count("id"), total=Sum("amount"))
        .values_list("month", "n", "total")
    }
    money_count = sum(n for n, _ in months.values())
    won, lost = counts.get(DealStatus.WON, 0), counts.get(DealStatus.LOST, 0)
    won_amount = sum((total for _, total in months.values()), ZERO)
    return Outcomes(
        won=won,
        lost=lost,
        won_amount=won_amount,
        average_deal=(
            (won_amount / money_count).quantize(Decimal("0.01")) if money_count else None
        ),
        win_rate=ratio(won, won + lost),
        cycle_median_days=median(cycle),
        cycle_p90_days=percentile(cycle, 0.9),
        cycle_days=cycle,
        won_by_month=[(m, *months.get(m, (0, ZERO))) for m in _month_keys(f)],
    )


def _month_keys(f: ReportFilter) -> list[str]:
    keys, day = [], f.start.replace(day=1)
    while day < f.end:
        keys.append(day.strftime("%Y-%m"))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return keys


def loss_reasons(user: User, f: ReportFilter) -> list[tuple[str, int]]:
    """Lost deals closed in the period per loss reason, most common first."""
    rows = (
        closed_in_period(user, f)
        .filter(status=DealStatus.LOST)
        .values("loss_reason__name")
        .annotate(n=Count("id"))
        .values_list("loss_reason__name", "n")
    )
    return sorted(((name or "(no reason)", n) for name, n in rows), key=lambda r: (-r[1], r[0]))


@dataclass
class StageValue:
    stage: str
    pipeline: str
    probability: int
    count: int
    total: Decimal
    weighted: Decimal


def pipeline_value(user: User, f: ReportFilter) -> list[StageValue]:
    """Open deals now, per stage: how many, their value and their probability-weighted value."""
    deals = scoped_deals(user, f).filter(status=DealStatus.OPEN)
    counts = dict(deals.values("stage_id").annotate(n=Count("id")).values_list("stage_id", "n"))
    totals = dict(
        deals.filter(currency=f.currency)
        .values("stage_id")
        .annotate(total=Sum("amount"))
        .values_list("stage_id", "total")
    )
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
    deals = scoped_deals(user, f).filter(
        pipeline=pipeline, created_at__gte=f.since, created_at__lt=f.until
    )
    furthest = (
        StageChange.objects.filter(deal_id=OuterRef("pk"), to_stage__kind=StageKind.OPEN)
        .values("deal_id")
        .annotate(m=Max("to_stage__position"))
        .values("m")
    )
    inner = deals.annotate(reach=Subquery(furthest)).values("reach", "status")
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT reach, status, COUNT(*) FROM ({sql}) AS d GROUP BY reach, status",  # noqa: S608
            params,
        )
        groups = cursor.fetchall()
    stages = list(pipeline.stages.exclude(kind=StageKind.LOST))
    steps: list[FunnelStep] = []
    previous: int | None = None
    for stage in stages:
        if stage.kind == StageKind.WON:
            reached = sum(n for _, status, n in groups if status == DealStatus.WON)
        else:
            reached = sum(
                n
                for reach, status, n in groups
                if status == DealStatus.WON or (reach is not None and reach >= stage.position)
            )
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


def per_rep(user: User, f: ReportFilter) -> list[RepRow]:
    """Per owner: deals won and lost in the period, won value, and open pipeline now."""
    closed = (
        closed_in_period(user, f)
        .values("owner_id", "status")
        .annotate(n=Count("id"), total=Sum("amount", filter=Q(currency=f.currency)))
        .values_list("owner_id", "status", "n", "total")
    )
    opened = (
        scoped_deals(user, f)
        .filter(status=DealStatus.OPEN)
        .values("owner_id")
        .annotate(n=Count("id"), total=Sum("amount", filter=Q(currency=f.currency)))
        .values_list("owner_id", "n", "total")
    )
    table: dict[int | None, dict[str, Any]] = defaultdict(
        lambda: {"won": 0, "lost": 0, "won_amount": ZERO, "open_count": 0, "open_amount": ZERO}
    )
    for owner_id, status, n, total in closed:
        table[owner_id][status] = n
        if status == DealStatus.WON:
            table[owner_id]["won_amount"] = Decimal(total or 0)
    for owner_id, n, total in opened:
        table[owner_id]["open_count"] = n
        table[owner_id]["open_amount"] = Decimal(total or 0)
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


def conversation_q(prefix: str = "") -> Q:
    """Activities that reached the person: conversations, meetings, calls that connected."""
    return Q(**{f"{prefix}kind__in": [Kind.CONVERSATION, Kind.MEETING]}) | Q(
        **{f"{prefix}kind": Kind.CALL, f"{prefix}outcome__is_connected": True}
    )


@dataclass
class EffortToWin:
    won_deals: int
    sampled_deals: int  # the won deals whose activities were counted
    activities: int
    conversations: int

    @property
    def activities_per_win(self) -> float | None:
        return ratio(self.activities, self.sampled_deals)

    @property
    def conversations_per_win(self) -> float | None:
        return ratio(self.conversations, self.sampled_deals)


def effort_to_win(user: User, f: ReportFilter) -> EffortToWin:
    """Activities and conversations logged on the won deals closed in the period, per deal."""
    won = closed_in_period(user, f).filter(status=DealStatus.WON)
    total = won.count()
    sample = every_kth(won, total)
    sampled = total if sample is won else sample.count()
    links = ActivityDeal.objects.filter(deal_id__in=sample.values("id"))
    return EffortToWin(
        won_deals=total,
        sampled_deals=sampled,
        activities=links.count(),
        conversations=links.filter(conversation_q("activity__")).count(),
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
    rows = list(sample.annotate(first=Subquery(first)).values_list("created_at", "first"))
    hours = sorted((a - c).total_seconds() / 3600 for c, a in rows if a is not None)
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
