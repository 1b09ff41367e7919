"""The monthly rollups: figures read through them equal the figures read from the deals, and a
write through the services takes a month out of use until it is built again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tidycrm.activities.services import log_activity
from tidycrm.deals.models import Deal, DealMonth, Stage
from tidycrm.deals.services import delete_deal, update_deal
from tidycrm.reports import metrics
from tidycrm.reports.filters import ReportFilter
from tidycrm.reports.models import BuiltMonth
from tidycrm.reports.selectors import period_parts
from tidycrm.reports.services import rollups
from tidycrm.reports.tests.history import make_history

pytestmark = pytest.mark.django_db


def year() -> ReportFilter:
    end = dt.date.today() + dt.timedelta(days=1)
    return ReportFilter(start=end - dt.timedelta(days=365), end=end)


def figures(user: Any, f: ReportFilter) -> dict[str, Any]:
    outcomes = metrics.outcomes(user, f)
    return {
        "outcomes": (outcomes.won, outcomes.lost, outcomes.won_amount, outcomes.won_by_month),
        "cycle": (outcomes.cycle_median_days, outcomes.cycle_p90_days),
        "reasons": metrics.loss_reasons(user, f),
        "reps": metrics.per_rep(user, f),
        "effort": metrics.effort_to_win(user, f),
        "funnel": metrics.funnel(user, f),
    }


def from_deals(user: Any, f: ReportFilter) -> dict[str, Any]:
    """The same figures with no month built: every one read from the deals."""
    built = list(BuiltMonth.objects.values())
    BuiltMonth.objects.all().delete()
    try:
        return figures(user, f)
    finally:
        BuiltMonth.objects.bulk_create([BuiltMonth(**row) for row in built])


@pytest.fixture
def history(make_user, team, admin):
    reps = [make_user("sales", team=team), make_user("sales")]
    made = make_history(11, reps, deals=200)
    rollups.build_due(timezone.now())
    return {"admin": admin, "rep": reps[0], **made}


def old_closed(status: str) -> Deal:
    """A deal of the given status closed in a whole month of the period, not the latest."""
    cutoff = timezone.now() - dt.timedelta(days=90)
    return Deal.objects.filter(status=status, closed_at__lt=cutoff).order_by("-closed_at")[0]


def test_every_whole_month_of_the_period_is_read_from_its_rollup(history):
    parts = period_parts(year())
    assert len(parts.months) >= 11
    # Only the partial first month is read from the deals: the rest of the last is to come.
    assert len(parts.spans) <= 1
    assert all(until <= year().since + dt.timedelta(days=31) for _, until in parts.spans)
    for user in (history["admin"], history["rep"]):
        assert figures(user, year()) == from_deals(user, year())


@pytest.mark.parametrize("change", ["amount", "reopen", "delete", "activity", "owner"])
def test_a_write_takes_its_month_out_of_use_until_built_again(history, change):
    admin, rep = history["admin"], history["rep"]
    deal = old_closed("won")
    month = deal.closed_at.date().replace(day=1)
    assert month in period_parts(year()).months
    if change == "amount":
        update_deal(deal, {"amount": "123456.78"}, actor=admin)
    elif change == "reopen":
        stage = Stage.objects.get(pipeline=deal.pipeline, position=1)
        update_deal(deal, {"stage_id": stage.pk}, actor=admin)
    elif change == "delete":
        delete_deal(deal, actor=admin)
    elif change == "activity":
        log_activity(
            {"kind": "meeting", "subject": "Review", "deal_ids": [deal.pk]},
            actor=admin,
            channel="ui",
        )
    else:
        update_deal(deal, {"owner_id": rep.pk}, actor=admin)
    assert month not in period_parts(year()).months
    expected = from_deals(admin, year())
    assert figures(admin, year()) == expected
    assert rollups.build_due(timezone.now())["months"] >= 1
    assert month in period_parts(year()).months
    assert figures(admin, year()) == expected
    assert figures(rep, year()) == from_deals(rep, year())


def test_a_month_is_rebuilt_once_a_day_even_without_a_change(history):
    now = timezone.now()
    assert rollups.due_months(now) == []
    assert len(rollups.due_months(now + dt.timedelta(days=1, minutes=1))) == (
        DealMonth.objects.count()
    )
