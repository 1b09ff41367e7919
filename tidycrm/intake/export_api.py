"""Exports over the REST API: the list endpoints' filters, the file as the response body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import create_model

from tidycrm.accounts.api import current_user
from tidycrm.companies.schemas import CompanyListQuery
from tidycrm.contacts.schemas import ContactListQuery
from tidycrm.core.api import errors, filterset_data
from tidycrm.intake.export_views import download
from tidycrm.intake.exports import CONTENT_TYPES, export_companies, export_contacts

router = Router(tags=["exports"])

PAGING = {"sort", "cursor", "limit"}


def _filters_only(schema: type[Schema], name: str) -> type[Schema]:
    """The list endpoint's query parameters without its paging: an export has every row."""
    fields: dict[str, Any] = {
        field_name: (info.annotation, info)
        for field_name, info in schema.model_fields.items()
        if field_name not in PAGING
    }
    return create_model(name, __base__=Schema, **fields)


ContactExportQuery = _filters_only(ContactListQuery, "ContactExportQuery")
CompanyExportQuery = _filters_only(CompanyListQuery, "CompanyExportQuery")


def _binary(fmt: str) -> dict[str, Any]:
    media = CONTENT_TYPES[fmt].split(";")[0]
    return {
        "responses": {
            200: {
                "description": f"The {fmt.upper()} file, streamed.",
                "content": {media: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def _contacts(fmt: str) -> Callable[..., HttpResponse]:
    def operation(request: HttpRequest, filters: Query[ContactExportQuery]) -> HttpResponse:  # type: ignore[valid-type]
        params = filterset_data(filters, exclude={"cf"})
        cf = filters.cf  # type: ignore[attr-defined]
        return download(export_contacts(current_user(request), fmt, params, cf))

    operation.__name__ = f"export_contacts_{fmt}"
    operation.__doc__ = (
        "Every contact you can see that matches the filters (the same as GET /contacts), "
        f"as {fmt.upper()}. Columns: docs/decisions/0007-export-format.md."
    )
    return operation


def _companies(fmt: str) -> Callable[..., HttpResponse]:
    def operation(request: HttpRequest, filters: Query[CompanyExportQuery]) -> HttpResponse:  # type: ignore[valid-type]
        params = filterset_data(filters, exclude={"cf"})
        cf = filters.cf  # type: ignore[attr-defined]
        return download(export_companies(current_user(request), fmt, params, cf))

    operation.__name__ = f"export_companies_{fmt}"
    operation.__doc__ = (
        "Every company you can see that matches the filters (the same as GET /companies), "
        f"as {fmt.upper()}."
    )
    return operation


for _fmt in ("csv", "xlsx", "vcf"):
    router.get(
        f"/contacts.{_fmt}",
        response=errors(403),
        summary=f"Export contacts as {_fmt.upper()}",
        openapi_extra=_binary(_fmt),
    )(_contacts(_fmt))

for _fmt in ("csv", "xlsx"):
    router.get(
        f"/companies.{_fmt}",
        response=errors(403),
        summary=f"Export companies as {_fmt.upper()}",
        openapi_extra=_binary(_fmt),
    )(_companies(_fmt))
