"""Next quarter's forecast: the weighted pipeline, and the stored model's expected value with
its accuracy on held-back history (`learning.py` trains it, `training.py` stores it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import connection
from django.db.models import Case, DateTimeField, FloatField, IntegerField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from tidycrm.accounts.models import User
from tidycrm.deals.choices import DealStatus
from tidycrm.reports.filters import ReportFilter
from tidycrm.reports.learning import Trained
from tidycrm.reports.metrics import scoped_deals
from tidycrm.reports.sql import DaysBetween
from tidycrm.reports.training import current_model


def next_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    first_month = ((today.month - 1) // 3 + 1) * 3 + 1
    year = today.year + (first_month > 12)
    first_month = (first_month - 1) % 12 + 1
    start = dt.date(year, first_month, 1)
    end_month = first_month + 3
    end = dt.date(year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
    return start, end


CENTS = Decimal("0.01")


@dataclass
class Forecast:
    quarter: str
    start: dt.date
    end: dt.date  # first day after the quarter
    deals: int
    total: Decimal
    weighted: Decimal
    model_expected: Decimal | None
    by_month: list[tuple[str, Decimal, Decimal | None]]  # (month, weighted, model)
    trained: Trained


def forecast(user: User, f: ReportFilter, today: dt.date | None = None) -> Forecast:
    """Open deals expected to close next quarter, in the filter's currency."""
    start, end = next_quarter(today or timezone.now().date())
    firsts = [_add_months(start, m) for m in range(3)]
    month = Case(
        When(expected_close_date__lt=firsts[1], then=Value(0)),
        When(expected_close_date__lt=firsts[2], then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    deals = (
        scoped_deals(user, f)
        .filter(
            status=DealStatus.OPEN,
            currency=f.currency,
            expected_close_date__gte=start,
            expected_close_date__lt=end,
        )
        .annotate(
            month=month,
            age=DaysBetween("created_at", Value(timezone.now(), output_field=DateTimeField())),
            value=Cast("amount", FloatField()),
        )
        .order_by()
        .values_list("month", "stage_id", "stage__probability", "age", "value", "owner_id")
    )
    # Thousands of rows read as plain numbers, without the ORM's per-value converters.
    sql, params = deals.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    months = np.array([r[0] for r in rows], dtype=int)
    probability = np.array([r[2] for r in rows], dtype=np.int64)
    amount = np.array([r[4] for r in rows], dtype=float)
    # Amounts have two decimals: as whole cents the money sums are exact.
    cents = np.rint(amount * 100).astype(np.int64)
    trained = current_model(f.pipeline_id)
    model = trained.model
    chances = None
    if model is not None and rows:
        rates = {owner: model.owner_rate(owner) for owner in {r[5] for r in rows}}
        raw = model.matrix(
            [r[1] for r in rows],
            probability.astype(float),
            np.array([r[3] for r in rows], dtype=float),
            amount,
            [rates[r[5]] for r in rows],
        )
        chances = model.chances(raw)
    by_month = []
    for m, day in enumerate(firsts):
        mine = months == m
        weighted = _money(int((cents[mine] * probability[mine]).sum()), 10_000)
        expected = (
            Decimal(str(round(float((amount[mine] * chances[mine]).sum()), 2))).quantize(CENTS)
            if chances is not None
            else (Decimal("0.00") if model is not None else None)
        )
        by_month.append((f"{day:%Y-%m}", weighted, expected))
    return Forecast(
        quarter=f"{start.year} Q{(start.month - 1) // 3 + 1}",
        start=start,
        end=end,
        deals=len(rows),
        total=_money(int(cents.sum()), 100),
        weighted=_money(int((cents * probability).sum()), 10_000),
        model_expected=(
            Decimal(str(round(float((amount * chances).sum()), 2))).quantize(CENTS)
            if chances is not None
            else (Decimal("0.00") if model is not None else None)
        ),
        by_month=by_month,
        trained=trained,
    )


def _money(units: int, per: int) -> Decimal:
    """`units` / `per` as money, rounded to cents."""
    return (Decimal(units) / Decimal(per)).quantize(CENTS)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
