"""Companies over the REST API: thin operations that parse, call the door or a selector, render."""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from ninja import Query, Router, Status

from tidycrm.accounts.api import current_user
from tidycrm.audit.choices import Channel
from tidycrm.audit.schemas import ChangePage, history_page
from tidycrm.companies.filters import CompanyFilter
from tidycrm.companies.models import Company
from tidycrm.companies.schemas import (
    CompanyIn,
    CompanyListQuery,
    CompanyOut,
    CompanyPage,
    CompanyPatch,
    CompanySaved,
)
from tidycrm.companies.selectors import get_company, visible_companies
from tidycrm.companies.services import delete_company, save_company
from tidycrm.core.api import (
    HistoryQuery,
    RecordId,
    address_out,
    errors,
    filterset_data,
    phone_out,
)
from tidycrm.core.door import SaveResult
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.core.pagination import paginate
from tidycrm.customfields.choices import RecordType
from tidycrm.records.filtering import custom_field_filter, ordering_for
from tidycrm.tags.selectors import tag_names_for

router = Router(tags=["companies"])

RELATED = ("domains", "phones", "addresses")
PLAIN = (
    "id",
    "name",
    "industry",
    "size",
    "employee_count",
    "website",
    "description",
    "parent_id",
    "owner_id",
    "team_id",
    "custom_fields",
    "external_id",
    "raw_input",
    "data_flags",
    "version",
    "created_at",
    "updated_at",
)


def _with_related(companies: list[Company]) -> dict[int, list[str]]:
    """Load the collections and tags of a page of companies in a fixed number of queries."""
    prefetch_related_objects(companies, *RELATED)
    return tag_names_for(companies)


def company_out(company: Company, tags: list[str]) -> dict[str, Any]:
    return {
        **{name: getattr(company, name) for name in PLAIN},
        "tags": tags,
        "domains": [
            {"domain": d.domain, "is_primary": d.is_primary} for d in company.domains.all()
        ],
        "phones": [phone_out(p) for p in company.phones.all()],
        "addresses": [address_out(a) for a in company.addresses.all()],
    }


def _saved(result: SaveResult[Company]) -> dict[str, Any]:
    tags = _with_related([result.record])
    return {
        **company_out(result.record, tags.get(result.record.pk, [])),
        "warnings": result.warnings,
    }


@router.get("", response={200: CompanyPage, **errors()}, summary="List companies")
def list_companies(request: HttpRequest, filters: Query[CompanyListQuery]) -> dict[str, Any]:
    """Companies you can see, filtered and sorted, one keyset page at a time (no total count)."""
    ordering = ordering_for(filters.sort)
    filterset = CompanyFilter(
        data=filterset_data(filters, exclude={"sort", "cursor", "limit", "cf"}),
        queryset=visible_companies(current_user(request)),
    )
    if not filterset.is_valid():
        raise ValidationFailed({name: list(msgs) for name, msgs in filterset.errors.items()})
    queryset = filterset.qs
    if filters.cf:
        queryset = custom_field_filter(queryset, RecordType.COMPANY, filters.cf)
    page = paginate(queryset, ordering, filters.limit, filters.cursor)
    tags = _with_related(page.items)
    return {
        "items": [company_out(c, tags.get(c.pk, [])) for c in page.items],
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


@router.post("", response={201: CompanySaved, **errors(403, 409)}, summary="Create a company")
def create_company(request: HttpRequest, payload: CompanyIn) -> Status[dict[str, Any]]:
    result = save_company(payload.to_door(), actor=current_user(request), channel=Channel.API)
    return Status(201, _saved(result))


@router.get("/{company_id}", response={200: CompanyOut, **errors(404)}, summary="Get a company")
def read_company(request: HttpRequest, company_id: RecordId) -> dict[str, Any]:
    company = get_company(current_user(request), company_id)
    return company_out(company, tag_names_for([company]).get(company.pk, []))


@router.patch(
    "/{company_id}",
    response={200: CompanySaved, **errors(403, 404, 409)},
    summary="Change a company",
)
def update_company(
    request: HttpRequest, company_id: RecordId, payload: CompanyPatch
) -> dict[str, Any]:
    """Change only the fields sent. Send `version` to refuse to overwrite a newer edit (409)."""
    user = current_user(request)
    company = get_company(user, company_id)
    result = save_company(
        payload.to_door(),
        actor=user,
        channel=Channel.API,
        company=company,
        expected_version=payload.version,
    )
    return _saved(result)


@router.delete(
    "/{company_id}", response={204: None, **errors(403, 404)}, summary="Delete a company"
)
def remove_company(request: HttpRequest, company_id: RecordId) -> Status[None]:
    user = current_user(request)
    delete_company(get_company(user, company_id), actor=user, channel=Channel.API)
    return Status(204, None)


@router.get(
    "/{company_id}/history", response={200: ChangePage, **errors(404)}, summary="Company history"
)
def company_history(
    request: HttpRequest, company_id: RecordId, params: Query[HistoryQuery]
) -> dict[str, Any]:
    """Field-level changes, newest first: who, when, through which channel, before and after."""
    company = get_company(current_user(request), company_id)
    return history_page(company, params.limit, params.cursor)
