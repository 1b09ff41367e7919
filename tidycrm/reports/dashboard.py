"""The dashboard's figures and chart geometry, computed once per state of the data.

The figures are cached under a key made of the filter, the viewer's visibility and markers of
the data they read (the newest deal change, the deals' month versions, the newest activity
link, the newest contact): a write moves a marker, so a cached dashboard is not older than
the data. The markers are index look-ups, a few milliseconds even at millions of rows.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.cache import cache
from django.db.models import Max, Sum

from tidycrm.accounts.models import User
from tidycrm.activities.models import ActivityContact, ActivityDeal
from tidycrm.contacts.models import Contact
from tidycrm.deals.models import Deal, DealMonth
from tidycrm.reports import charts, metrics
from tidycrm.reports.filters import ReportFilter
from tidycrm.reports.forecast import forecast

CACHE_SECONDS = 900


def data_marker() -> str:
    # One statement each: alone, each maximum is an index look-up; together the database
    # scans the table for them.
    markers = [
        Deal.objects.aggregate(last=Max("updated_at"))["last"],
        Deal.objects.aggregate(top=Max("id"))["top"],
        ActivityDeal.objects.aggregate(top=Max("id"))["top"],
        ActivityContact.objects.aggregate(top=Max("id"))["top"],
        Contact.objects.aggregate(top=Max("id"))["top"],
        # Moved by every deal write, deletes and derived counters included (a call outcome
        # that now counts as connected recounts the deals' conversations, not touching them);
        # a count of the deals would scan them on PostgreSQL.
        DealMonth.objects.aggregate(total=Sum("version"))["total"],
    ]
    return "|".join(str(m) for m in markers)


def dashboard_figures(user: User, f: ReportFilter) -> dict[str, Any]:
    scope = user.visibility if user.visibility == "all" else f"{user.visibility}:{user.pk}"
    state = f"{sorted(f.as_params().items())}|{scope}|{user.team_id}|{data_marker()}"
    key = "reports:dashboard:" + hashlib.sha256(state.encode()).hexdigest()
    figures: dict[str, Any] | None = cache.get(key)
    if figures is None:
        figures = compute_figures(user, f)
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def compute_figures(user: User, f: ReportFilter) -> dict[str, Any]:
    """Every figure of the dashboard and the geometry of its charts."""
    closed = metrics.closed_groups(user, f)
    outcomes = metrics.outcomes(user, f, closed)
    reasons = metrics.loss_reasons(user, f, closed)
    opened = metrics.open_groups(user, f)
    values = metrics.pipeline_value(user, f, opened)
    funnel = metrics.funnel(user, f)
    reps = metrics.per_rep(user, f, closed, opened)
    effort = metrics.effort_to_win(user, f, closed)
    speed = metrics.speed_to_lead(user, f)
    fc = forecast(user, f)
    won_chart = charts.column_chart(
        [(m, float(total), charts.money(total)) for m, _, total in outcomes.won_by_month]
    )
    return {
        "outcomes": outcomes,
        "won_chart": won_chart,
        "won_width": max(len(won_chart) * 42, 42),
        "reasons_chart": charts.bar_chart([(name, n, str(n)) for name, n in reasons]),
        "values": values,
        "total_value": sum((v.total for v in values), start=0),
        "weighted_value": sum((v.weighted for v in values), start=0),
        "values_chart": charts.bar_chart(
            [(f"{v.stage}", float(v.weighted), charts.money(v.weighted)) for v in values],
            behind=[float(v.total) for v in values],
        ),
        "funnel_chart": charts.bar_chart(
            [
                (s.stage, s.reached, f"{s.reached} ({charts.percent(s.conversion)})")
                if s.conversion is not None
                else (s.stage, s.reached, str(s.reached))
                for s in funnel
            ]
        ),
        "reps": reps,
        "reps_chart": charts.bar_chart(
            [(r.owner, float(r.won_amount), charts.money(r.won_amount)) for r in reps[:12]]
        ),
        "effort": effort,
        "speed": speed,
        "speed_chart": charts.bar_chart([(label, n, str(n)) for label, n in speed.buckets]),
        "forecast": fc,
        "forecast_chart": charts.bar_chart(
            [("Weighted pipeline", float(fc.weighted), charts.money(fc.weighted))]
            + (
                [("Model", float(fc.model_expected), charts.money(fc.model_expected))]
                if fc.model_expected is not None
                else []
            ),
            behind=[float(fc.total)] * (2 if fc.model_expected is not None else 1),
        ),
        "fmt": {
            "win_rate": charts.percent(outcomes.win_rate),
            "average_deal": charts.money(outcomes.average_deal),
            "cycle_median": charts.days(outcomes.cycle_median_days),
            "cycle_p90": charts.days(outcomes.cycle_p90_days),
            "speed_median": charts.hours(speed.median_hours),
            "speed_p90": charts.hours(speed.p90_hours),
        },
    }
