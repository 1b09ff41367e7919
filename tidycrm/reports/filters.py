"""What a report is about: a period, and optionally one owner, team, pipeline and currency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import timezone

from tidycrm.core.exceptions import ValidationFailed
from tidycrm.deals.models import Pipeline

DEFAULT_DAYS = 365
MAX_DAYS = 3660


@dataclass(frozen=True)
class ReportFilter:
    start: dt.date  # first day in the period
    end: dt.date  # first day after it
    owner_id: int | None = None
    team_id: int | None = None
    pipeline_id: int | None = None
    currency: str = "USD"

    @property
    def since(self) -> dt.datetime:
        return midnight(self.start)

    @property
    def until(self) -> dt.datetime:
        return midnight(self.end)

    def as_params(self) -> dict[str, str]:
        params = {
            "start": self.start.isoformat(),
            "end": (self.end - dt.timedelta(days=1)).isoformat(),
            "currency": self.currency,
        }
        for name in ("owner_id", "team_id", "pipeline_id"):
            value = getattr(self, name)
            if value is not None:
                params[name.removesuffix("_id")] = str(value)
        return params


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _day(value: str, name: str, errors: dict[str, list[str]]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        errors.setdefault(name, []).append(f"'{value[:40]}' is not a date as YYYY-MM-DD.")
        return None


def _id(value: str, name: str, errors: dict[str, list[str]]) -> int | None:
    if not value.strip():
        return None
    if value.strip().isdigit() and 0 < int(value) < 2**63:
        return int(value)
    errors.setdefault(name, []).append("must be an id.")
    return None


def parse_filter(params: Mapping[str, str]) -> ReportFilter:
    """Read `start`, `end` (inclusive), `owner`, `team`, `pipeline`, `currency`; the default is
    the last 365 days, in the chosen pipeline's currency (else the first pipeline's)."""
    errors: dict[str, list[str]] = {}
    today = timezone.now().date()
    end = today + dt.timedelta(days=1)
    start = end - dt.timedelta(days=DEFAULT_DAYS)
    if params.get("end"):
        day = _day(params["end"], "end", errors)
        end = day + dt.timedelta(days=1) if day else end
    if params.get("start"):
        start = _day(params["start"], "start", errors) or start
    if not errors and start >= end:
        errors["start"] = ["must be on or before the end of the period."]
    elif not errors and (end - start).days > MAX_DAYS:
        errors["start"] = [f"the period may span at most {MAX_DAYS} days."]
    owner = _id(params.get("owner", ""), "owner", errors)
    team = _id(params.get("team", ""), "team", errors)
    pipeline_id = _id(params.get("pipeline", ""), "pipeline", errors)
    currency = (params.get("currency") or "").strip().upper()
    if currency and (len(currency) != 3 or not currency.isalpha()):
        errors["currency"] = ["must be an ISO 4217 code such as EUR."]
    pipeline = Pipeline.objects.filter(pk=pipeline_id).first() if pipeline_id else None
    if pipeline_id and pipeline is None:
        errors["pipeline"] = [f"no pipeline has the id {pipeline_id}."]
    if errors:
        raise ValidationFailed(errors)
    if not currency:
        pipeline = pipeline or Pipeline.objects.first()
        currency = pipeline.currency if pipeline else "USD"
    return ReportFilter(start, end, owner, team, pipeline_id, currency)
