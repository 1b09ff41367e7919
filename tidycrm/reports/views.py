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
from tidycrm.reports.dashboard import dashboard_figures
from tidycrm.reports.filters import ReportFilter, parse_filter
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
