"""The deal list, detail page, create/edit/delete forms, and panels on contact/company pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import Team
from tidycrm.accounts.selectors import active_users
from tidycrm.accounts.services import require
from tidycrm.accounts.views import AuthedRequest
from tidycrm.audit.selectors import history_for
from tidycrm.companies.selectors import get_company, visible_companies
from tidycrm.contacts.selectors import get_contact, visible_contacts
from tidycrm.core.exceptions import DomainError, PermissionDenied
from tidycrm.core.htmx import render_page_or_partial
from tidycrm.core.pagination import paginate
from tidycrm.core.views import blank_means_any, domain_errors
from tidycrm.deals.choices import ContactRole
from tidycrm.deals.filters import SORTS, DealFilter
from tidycrm.deals.forms import DealForm, picked
from tidycrm.deals.models import Deal
from tidycrm.deals.selectors import (
    deal_contacts,
    deals_of_company,
    deals_of_contact,
    get_deal,
    loss_reasons,
    pipelines,
    stage_history,
    visible_deals,
)
from tidycrm.deals.services import create_deal, delete_deal, update_deal
from tidycrm.records.history import readable

PAGE_SIZE = 50
PANEL_SIZE = 20
HISTORY_ON_DETAIL = 10


@login_required
@domain_errors
def deal_list(request: AuthedRequest) -> HttpResponse:
    filterset = DealFilter(request.GET or None, queryset=visible_deals(request.user))
    blank_means_any(filterset.form)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "-created"
    page, error = None, ""
    try:
        if filterset.is_bound and not filterset.is_valid():
            error = "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())
        else:
            queryset = filterset.qs.select_related("stage", "pipeline", "owner", "company")
            page = paginate(queryset, SORTS[str(sort)], PAGE_SIZE, request.GET.get("cursor"))
    except DomainError as exc:
        error = exc.message
    context = {
        "filterset": filterset,
        "page": page,
        "error": error,
        "sort": sort,
        "sorts": SORTS,
        "owners": active_users(),
        "teams": Team.objects.all(),
        "pipelines": pipelines().prefetch_related("stages"),
    }
    return render_page_or_partial(
        request,
        "deals/list.html",
        context,
        partial="table",
        target="record-table",
        status=400 if error else 200,
    )


@login_required
@domain_errors
def deal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    deal = get_deal(request.user, pk)
    context = {
        "deal": deal,
        "people": deal_contacts(deal),
        "stage_history": stage_history(deal),
        "history": readable(history_for(deal)[: HISTORY_ON_DETAIL + 1]),
        "history_limit": HISTORY_ON_DETAIL,
        "stages": deal.pipeline.stages.all(),
        "loss_reasons": loss_reasons(active_only=True),
    }
    return render(request, "deals/detail.html", context)


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def deal_create(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.EDIT)
    return _edit(request, None)


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def deal_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    deal = get_deal(request.user, pk)
    require(request.user, Permission.EDIT)
    return _edit(request, deal)


def _edit(request: AuthedRequest, deal: Deal | None) -> HttpResponse:
    if request.method == "POST":
        form = DealForm(request.POST)
        if form.is_valid():
            saved = _save(request, form, deal)
            if saved is not None:
                return redirect("deals:detail", pk=saved.pk)
    elif deal is None:
        form = DealForm(initial=_prefilled(request))
    else:
        form = DealForm(initial=DealForm.initial_for(deal))
    context = {"form": form, "deal": deal}
    return render(request, "deals/form.html", context, status=400 if form.errors else 200)


def _prefilled(request: AuthedRequest) -> dict[str, Any]:
    """A new deal from a board, a company or a person: those filled in (what the user may see)."""
    initial: dict[str, Any] = {"owner": request.user.pk, "team": request.user.team_id or ""}
    for name in ("pipeline", "stage"):
        if request.GET.get(name, "").isdigit():
            initial[name] = request.GET[name]
    company = request.GET.get("company", "")
    if company.isdigit():
        found = visible_companies(request.user).filter(pk=company).values_list("name", flat=True)
        initial["company"] = picked(int(company), found[0]) if found else ""
    contact = request.GET.get("contact", "")
    if contact.isdigit():
        names = visible_contacts(request.user).filter(pk=contact).values_list("display_name")
        if names:
            initial["person_0"] = picked(int(contact), names[0][0])
            initial["role_0"] = ContactRole.DECISION_MAKER
    return initial


def _save(request: AuthedRequest, form: DealForm, deal: Deal | None) -> Deal | None:
    data = form.to_data()
    try:
        if deal is None:
            result = create_deal(data, actor=request.user, channel="ui")
        else:
            result = update_deal(
                deal,
                data,
                actor=request.user,
                channel="ui",
                expected_version=form.cleaned_data.get("version"),
            )
    except PermissionDenied:
        raise
    except DomainError as exc:
        if exc.field_errors:
            form.add_service_errors(exc.field_errors)
        else:
            form.add_error(None, exc.message)
        return None
    messages.success(request, f"Saved {result.record.name}.")
    return result.record


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def deal_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    deal = get_deal(request.user, pk)
    require(request.user, Permission.DELETE)
    if request.method == "POST":
        name = deal.name
        delete_deal(deal, actor=request.user, channel="ui")
        messages.success(request, f"Deleted {name}.")
        return redirect("deals:list")
    return render(request, "deals/delete.html", {"deal": deal})


@login_required
@domain_errors
def contact_panel(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = get_contact(request.user, pk)
    deals = deals_of_contact(request.user, contact.pk, PANEL_SIZE + 1)
    return _panel(request, deals, f"contact={contact.pk}")


@login_required
@domain_errors
def company_panel(request: AuthedRequest, pk: int) -> HttpResponse:
    company = get_company(request.user, pk)
    deals = deals_of_company(request.user, company.pk, PANEL_SIZE + 1)
    return _panel(request, deals, f"company={company.pk}")


def _panel(request: AuthedRequest, deals: list[Deal], query: str) -> HttpResponse:
    """The record's deals; `query` both filters the full list and pre-fills a new deal."""
    context = {"deals": deals[:PANEL_SIZE], "more": len(deals) > PANEL_SIZE, "query": query}
    return render(request, "deals/partials/panel.html", context)
