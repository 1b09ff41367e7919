"""Suggestions for the deal form's company and people fields: the records the user may see
whose names begin with what was typed, as options of an HTML datalist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tidycrm.accounts.views import AuthedRequest
from tidycrm.companies.selectors import search_companies, visible_companies
from tidycrm.contacts.selectors import search_contacts, visible_contacts

SUGGESTIONS = 15
MIN_TYPED = 2


@login_required
@require_GET
def record_choices(request: AuthedRequest, kind: str) -> HttpResponse:
    # The typed text comes under the input's own name (company, person_0, ...).
    typed = next((str(v) for _, v in request.GET.items() if str(v).strip()), "")[:100]
    choices: list[tuple[int, str]] = []
    if len(typed.strip()) >= MIN_TYPED and "#" not in typed:
        if kind == "company":
            companies = search_companies(visible_companies(request.user), typed)
            choices = list(companies.order_by("name", "id").values_list("id", "name")[:SUGGESTIONS])
        elif kind == "contact":
            contacts = search_contacts(visible_contacts(request.user), typed)
            choices = list(
                contacts.order_by("sort_key", "id").values_list("id", "display_name")[:SUGGESTIONS]
            )
        else:
            raise Http404("No such kind of record.")
    context = {"choices": choices}
    return render(request, "deals/partials/choices.html", context)
