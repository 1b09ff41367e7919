"""List pages: the lists, one list's members, adding from a file, removing, deleting."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from tidycrm.accounts.views import AuthedRequest
from tidycrm.audit.choices import Channel
from tidycrm.core.exceptions import DomainError
from tidycrm.core.pagination import paginate
from tidycrm.core.views import domain_errors
from tidycrm.lists import services
from tidycrm.lists.importing import MAX_BYTES, import_members
from tidycrm.lists.selectors import get_list, list_members, lists_with_counts

PAGE_SIZE = 50


@login_required
def list_index(request: AuthedRequest, **context: Any) -> HttpResponse:
    context["lists"] = lists_with_counts(request.user)
    status = 400 if context.get("error") else 200
    return render(request, "lists/index.html", context, status=status)


@login_required
@domain_errors
@require_POST
def list_create(request: AuthedRequest) -> HttpResponse:
    data = {
        "name": request.POST.get("name", ""),
        "description": request.POST.get("description", ""),
    }
    try:
        created = services.create_list(**data, actor=request.user, channel=Channel.UI)
    except DomainError as exc:
        return list_index(request, error=exc.message, form_data=data)
    messages.success(request, f"Created the list {created.name}.")
    return redirect("lists:detail", pk=created.pk)


def _detail(request: AuthedRequest, pk: int, report: dict[str, Any] | None = None) -> HttpResponse:
    contact_list = get_list(pk)
    members = list_members(request.user, contact_list)
    try:
        page = paginate(members, ["sort_key", "id"], PAGE_SIZE, request.GET.get("cursor"))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("lists:detail", pk=pk)
    context = {
        "contact_list": contact_list,
        "page": page,
        "count": members.count(),
        "report": report,
    }
    return render(request, "lists/detail.html", context)


@login_required
@domain_errors
def list_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@login_required
@domain_errors
@require_POST
def list_import(request: AuthedRequest, pk: int) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a file of e-mail addresses or external ids.")
        return redirect("lists:detail", pk=pk)
    try:
        report = import_members(
            get_list(pk), upload.read(MAX_BYTES + 1), actor=request.user, channel=Channel.UI
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("lists:detail", pk=pk)
    return _detail(request, pk, report.as_dict())


@login_required
@domain_errors
@require_POST
def list_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    change = services.remove_members(get_list(pk), ids, actor=request.user, channel=Channel.UI)
    messages.success(request, f"Removed {len(change.changed)} contacts from the list.")
    return redirect("lists:detail", pk=pk)


@login_required
@domain_errors
@require_POST
def list_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    contact_list = get_list(pk)
    services.delete_list(contact_list, actor=request.user, channel=Channel.UI)
    messages.success(request, f"Deleted the list {contact_list.name}; its contacts stay.")
    return redirect("lists:index")
