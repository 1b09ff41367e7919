"""Each chart's data as a table: what its CSV download holds and what its API answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tidycrm.accounts.models import User
from tidycrm.reports import metrics
from tidycrm.reports.filters import ReportFilter
from tidycrm.reports.forecast import Forecast, forecast


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[Any]]


def _num(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def outcomes_table(o: metrics.Outcomes, currency: str) -> Table:
    return Table(
        ["figure", "value"],
        [
            ["won_deals", o.won],
            ["lost_deals", o.lost],
            ["win_rate", _num(o.win_rate)],
            [f"won_amount_{currency}", o.won_amount],
            [f"average_deal_size_{currency}", o.average_deal],
            ["sales_cycle_median_days", _num(o.cycle_median_days, 2)],
            ["sales_cycle_p90_days", _num(o.cycle_p90_days, 2)],
        ],
    )


def won_by_month_table(o: metrics.Outcomes, currency: str) -> Table:
    return Table(
        ["month", "won_deals", f"won_amount_{currency}"],
        [[m, n, total] for m, n, total in o.won_by_month],
    )


def loss_table(rows: list[tuple[str, int]]) -> Table:
    return Table(["loss_reason", "lost_deals"], [[name, n] for name, n in rows])


def pipeline_table(rows: list[metrics.StageValue], currency: str) -> Table:
    return Table(
        [
            "pipeline",
            "stage",
            "probability",
            "open_deals",
            f"value_{currency}",
            f"weighted_{currency}",
        ],
        [[r.pipeline, r.stage, r.probability, r.count, r.total, r.weighted] for r in rows],
    )


def funnel_table(rows: list[metrics.FunnelStep]) -> Table:
    return Table(
        ["stage", "deals_reached", "conversion_from_previous"],
        [[r.stage, r.reached, _num(r.conversion)] for r in rows],
    )


def reps_table(rows: list[metrics.RepRow], currency: str) -> Table:
    return Table(
        [
            "owner",
            "won",
            "lost",
            "win_rate",
            f"won_amount_{currency}",
            "open_deals",
            f"open_amount_{currency}",
        ],
        [
            [r.owner, r.won, r.lost, _num(r.win_rate), r.won_amount, r.open_count, r.open_amount]
            for r in rows
        ],
    )


def effort_table(e: metrics.EffortToWin) -> Table:
    return Table(
        ["figure", "value"],
        [
            ["won_deals", e.won_deals],
            ["activities_on_won_deals", e.activities],
            ["conversations_on_won_deals", e.conversations],
            ["activities_per_won_deal", _num(e.activities_per_win, 2)],
            ["conversations_per_won_deal", _num(e.conversations_per_win, 2)],
        ],
    )


def speed_table(s: metrics.SpeedToLead) -> Table:
    summary: list[list[Any]] = [
        ["leads", s.leads],
        ["leads_counted", s.sampled],
        ["reached", s.reached],
        [f"within_sla_{s.sla_minutes}_minutes", s.within_sla],
        ["median_hours", _num(s.median_hours, 2)],
        ["p90_hours", _num(s.p90_hours, 2)],
    ]
    return Table(["figure", "value"], summary + [[f"time_{label}", n] for label, n in s.buckets])


def forecast_table(fc: Forecast, currency: str) -> Table:
    rows: list[list[Any]] = [[month, weighted, model] for month, weighted, model in fc.by_month]
    rows.append(["total", fc.weighted, fc.model_expected])
    accuracy = fc.trained.held_back
    if accuracy is not None:
        rows += [
            ["held_back_deals", accuracy.deals, None],
            ["held_back_accuracy", _num(accuracy.accuracy), None],
            ["held_back_brier_model", _num(accuracy.brier), None],
            ["held_back_brier_stage_probabilities", _num(accuracy.baseline_brier), None],
            ["held_back_auc", _num(accuracy.auc), None],
        ]
    return Table(["month", f"weighted_{currency}", f"model_{currency}"], rows)


def _outcomes(user: User, f: ReportFilter) -> Table:
    return outcomes_table(metrics.outcomes(user, f), f.currency)


def _won_by_month(user: User, f: ReportFilter) -> Table:
    return won_by_month_table(metrics.outcomes(user, f), f.currency)


def _loss(user: User, f: ReportFilter) -> Table:
    return loss_table(metrics.loss_reasons(user, f))


def _pipeline(user: User, f: ReportFilter) -> Table:
    return pipeline_table(metrics.pipeline_value(user, f), f.currency)


def _funnel(user: User, f: ReportFilter) -> Table:
    return funnel_table(metrics.funnel(user, f))


def _reps(user: User, f: ReportFilter) -> Table:
    return reps_table(metrics.per_rep(user, f), f.currency)


def _effort(user: User, f: ReportFilter) -> Table:
    return effort_table(metrics.effort_to_win(user, f))


def _speed(user: User, f: ReportFilter) -> Table:
    return speed_table(metrics.speed_to_lead(user, f))


def _forecast(user: User, f: ReportFilter) -> Table:
    return forecast_table(forecast(user, f), f.currency)


# Chart key -> (title, table builder). The dashboard, the CSV downloads and the API share it.
TABLES: dict[str, tuple[str, Callable[[User, ReportFilter], Table]]] = {
    "outcomes": ("Win rate, deal size and sales cycle", _outcomes),
    "won-by-month": ("Won value per month", _won_by_month),
    "loss-reasons": ("Most common loss reasons", _loss),
    "pipeline": ("Pipeline value by stage", _pipeline),
    "funnel": ("Stage-to-stage conversion", _funnel),
    "reps": ("Per-rep performance", _reps),
    "effort": ("Activities to win a deal", _effort),
    "speed-to-lead": ("Speed to lead", _speed),
    "forecast": ("Next quarter's forecast", _forecast),
}


def plain(value: Any) -> Any:
    """A cell as JSON: decimals as strings with two places."""
    return f"{value:.2f}" if isinstance(value, Decimal) else value
