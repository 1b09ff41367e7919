"""The reports dashboard (server-rendered SVG charts) and each chart's CSV download."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from tidycrm.accounts.models import Team
from tidycrm.accounts.selectors import active_users
from tidycrm.accounts.views import AuthedRequest
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.deals.selectors import pipelines
from tidycrm.intake.formats.spreadsheet import csv_lines
from tidycrm.reports import charts, metrics
from tidycrm.reports.filters import ReportFilter, parse_filter
from tidycrm.reports.forecast import forecast
from tidycrm.reports.tables import TABLES


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    try:
        f = parse_filter(request.GET)
    except ValidationFailed as exc:
        context = _choices() | {"errors": exc.field_errors}
        return render(request, "reports/dashboard.html", context, status=400)
    context = _choices() | {"f": f, "query": _query(f), **dashboard_figures(request.user, f)}
    return render(request, "reports/dashboard.html", context)


def _choices() -> dict[str, Any]:
    return {"owners": active_users(), "teams": Team.objects.all(), "pipelines": pipelines()}


def _query(f: ReportFilter) -> str:
    return urlencode(f.as_params())


def dashboard_figures(user: Any, f: ReportFilter) -> dict[str, Any]:
    """Every figure of the dashboard and the geometry of its charts."""
    outcomes = metrics.outcomes(user, f)
    reasons = metrics.loss_reasons(user, f)
    values = metrics.pipeline_value(user, f)
    funnel = metrics.funnel(user, f)
    reps = metrics.per_rep(user, f)
    effort = metrics.effort_to_win(user, f)
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


@login_required
def chart_csv(request: AuthedRequest, chart: str) -> HttpResponse:
    """One chart's data as CSV, for the same filters; cells cannot run as formulas."""
    if chart not in TABLES:
        raise Http404("No such chart.")
    try:
        f = parse_filter(request.GET)
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    table = TABLES[chart][1](request.user, f)
    # Report tables are small (a row per stage, rep or month): one answer, no stream.
    response = HttpResponse(
        b"".join(csv_lines(table.header, table.rows)), content_type="text/csv; charset=utf-8"
    )
    name = f"{chart}-{f.start:%Y%m%d}-{f.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
