"""Every report over the REST API: the same tables the dashboard charts and CSVs show."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from annotated_types import MaxLen
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tidycrm.accounts.api import current_user
from tidycrm.core.api import MAX_ID, Text, errors
from tidycrm.reports.filters import parse_filter
from tidycrm.reports.tables import TABLES, Table, plain

router = Router(tags=["reports"])


class ReportQuery(Schema):
    start: date | None = Field(None, description="First day (default: 365 days ago).")
    end: date | None = Field(None, description="Last day, included (default: today).")
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="Owner's user id.")
    team: int | None = Field(None, ge=1, le=MAX_ID)
    pipeline: int | None = Field(None, ge=1, le=MAX_ID)
    currency: Annotated[Text, MaxLen(3)] | None = Field(
        None, description="ISO 4217; money figures count deals in it (default: the pipeline's)."
    )


class ReportOut(Schema):
    report: str
    title: str
    start: date
    end: date = Field(description="Last day, included.")
    currency: str
    header: list[str]
    rows: list[list[Any]] = Field(description="Amounts are decimal strings; rates are 0 to 1.")


def _operation(key: str, title: str) -> Any:
    def report(request: HttpRequest, filters: Query[ReportQuery]) -> dict[str, Any]:
        params = {k: str(v) for k, v in filters.model_dump(exclude_none=True).items()}
        f = parse_filter(params)
        table: Table = TABLES[key][1](current_user(request), f)
        return {
            "report": key,
            "title": title,
            "start": f.start,
            "end": date.fromisoformat(f.as_params()["end"]),
            "currency": f.currency,
            "header": table.header,
            "rows": [[plain(cell) for cell in row] for row in table.rows],
        }

    report.__doc__ = f"{title}, for a period and optionally one owner, team and pipeline."
    return report


for _key, (_title, _) in TABLES.items():
    router.add_api_operation(
        f"/reports/{_key}",
        ["GET"],
        _operation(_key, _title),
        response={200: ReportOut, **errors()},
        summary=_title,
        operation_id=f"report_{_key.replace('-', '_')}",
    )
