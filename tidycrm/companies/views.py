"""Company pages: list with search, filters, sorting and keyset paging; detail; form; history."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Model
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.selectors import visible
from tidycrm.accounts.services import require
from tidycrm.accounts.views import AuthedRequest
from tidycrm.audit.selectors import history_for
from tidycrm.companies.filters import CompanyFilter
from tidycrm.companies.forms import CompanyForm
from tidycrm.companies.models import Company, CompanyDomain
from tidycrm.companies.selectors import get_company, visible_companies
from tidycrm.companies.services import delete_company, save_company
from tidycrm.core.exceptions import DomainError, PermissionDenied
from tidycrm.core.views import domain_errors
from tidycrm.customfields.choices import RecordType
from tidycrm.customfields.selectors import definitions_for
from tidycrm.records.forms import AddressFormSet, address_initial, address_rows
from tidycrm.records.history import readable
from tidycrm.records.pages import (
    RecordList,
    announce_saved,
    record_delete,
    record_history,
    record_list,
    show_refusal,
)
from tidycrm.tags.selectors import tag_names_for

PEOPLE_ON_DETAIL = 25
HISTORY_ON_DETAIL = 10
COLUMNS = {
    "domain": "Domain",
    "industry": "Industry",
    "size": "Size",
    "employees": "Employees",
    "contacts": "Contacts",
    "owner": "Owner",
    "tags": "Tags",
    "created": "Created",
    "updated": "Updated",
}
DEFAULT_COLUMNS = ["domain", "industry", "size", "contacts", "owner"]


def _page_related(companies: list[Company], columns: list[str]) -> None:
    """Primary domain, contact count and tags for one page, one query each."""
    ids = [c.pk for c in companies]
    domains = {
        d.company_id: d.domain
        for d in CompanyDomain.objects.filter(company_id__in=ids, is_primary=True)
    }
    counts: dict[int, int] = {}
    if "contacts" in columns:
        counts = dict(
            Company.objects.filter(pk__in=ids)
            .annotate(n=Count("affiliations"))
            .values_list("pk", "n")
        )
    records: list[Model] = list(companies)
    tags = tag_names_for(records) if "tags" in columns else {}
    for company in companies:
        company.primary_domain = domains.get(company.pk, "")  # type: ignore[attr-defined]
        company.contact_count = counts.get(company.pk, 0)  # type: ignore[attr-defined]
        company.tag_names = tags.get(company.pk, [])  # type: ignore[attr-defined]


LIST = RecordList("companies", "companies/list.html", COLUMNS, DEFAULT_COLUMNS)


@login_required
@domain_errors
def company_list(request: AuthedRequest) -> HttpResponse:
    filterset = CompanyFilter(request.GET or None, queryset=visible_companies(request.user))
    return record_list(
        request,
        LIST,
        filterset,
        prepare=lambda companies: companies.select_related("owner"),
        decorate=_page_related,
    )


def _people(company: Company, user: Any) -> list[Any]:
    """Contacts the user may see at this company; the model is reached through the relation."""
    contact_model = company.affiliations.model._meta.get_field("contact").related_model
    people = visible(contact_model._default_manager.filter(affiliations__company=company), user)
    return list(people.order_by("sort_key", "id")[: PEOPLE_ON_DETAIL + 1])


@login_required
@domain_errors
def company_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    company = get_company(request.user, pk)
    definitions = definitions_for(RecordType.COMPANY)
    values = company.custom_fields or {}
    context = {
        "company": company,
        "people": _people(company, request.user),
        "people_limit": PEOPLE_ON_DETAIL,
        "subsidiaries": list(visible(company.subsidiaries.all(), request.user)[:50]),
        "custom_fields": [(d, values.get(d.key)) for d in definitions],
        "tags": tag_names_for([company]).get(company.pk, []),
        "history": readable(history_for(company)[: HISTORY_ON_DETAIL + 1]),
        "history_limit": HISTORY_ON_DETAIL,
    }
    return render(request, "companies/detail.html", context)


@login_required
@domain_errors
def company_history(request: AuthedRequest, pk: int) -> HttpResponse:
    company = get_company(request.user, pk)
    return record_history(
        request, company, name="company", template="companies/history.html", url="companies:history"
    )


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def company_create(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.EDIT)
    return _edit(request, None)


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def company_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    company = get_company(request.user, pk)
    require(request.user, Permission.EDIT)
    return _edit(request, company)


def _edit(request: AuthedRequest, company: Company | None) -> HttpResponse:
    definitions = definitions_for(RecordType.COMPANY)
    if request.method == "POST":
        form = CompanyForm(request.POST, definitions=definitions)
        addresses = AddressFormSet(request.POST, prefix="addresses")
        if form.is_valid() and addresses.is_valid():
            saved = _save(request, form, addresses, company)
            if saved is not None:
                return redirect("companies:detail", pk=saved.pk)
    elif company is None:
        form = CompanyForm(definitions=definitions)
        addresses = AddressFormSet(prefix="addresses")
    else:
        form = CompanyForm(
            definitions=definitions, initial=CompanyForm.initial_for(company, definitions)
        )
        addresses = AddressFormSet(
            prefix="addresses", initial=address_initial(company.addresses.all())
        )
    context = {"form": form, "addresses": addresses, "company": company}
    return render(request, "companies/form.html", context, status=400 if form.errors else 200)


def _save(
    request: AuthedRequest, form: CompanyForm, addresses: Any, company: Company | None
) -> Company | None:
    data = form.to_data(creating=company is None, companies=visible_companies(request.user))
    data["addresses"] = address_rows(addresses)
    if form.errors:
        return None
    try:
        result = save_company(
            data,
            actor=request.user,
            channel="ui",
            company=company,
            expected_version=form.cleaned_data.get("version") if company else None,
        )
    except PermissionDenied:
        raise
    except DomainError as exc:
        show_refusal(form, exc, addresses)
        return None
    announce_saved(request, result.record.name, result.warnings)
    return result.record


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def company_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    return record_delete(
        request,
        get_company(request.user, pk),
        name="company",
        delete=delete_company,
        template="companies/delete.html",
        list_url="companies:list",
    )
