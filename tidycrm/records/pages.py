"""The page shapes contacts and companies share: the filtered list with chosen columns and
keyset paging, the full history, the delete confirmation, and the door's answer on a form."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import Team
from tidycrm.accounts.selectors import active_users
from tidycrm.accounts.services import require
from tidycrm.accounts.views import AuthedRequest
from tidycrm.audit.selectors import history_for
from tidycrm.core.exceptions import DomainError
from tidycrm.core.htmx import render_page_or_partial
from tidycrm.core.pagination import paginate
from tidycrm.core.views import blank_means_any, chosen_columns
from tidycrm.records.filtering import SORTS, ordering_for
from tidycrm.records.history import readable

PAGE_SIZE = 50


@dataclass(frozen=True)
class RecordList:
    """One kind of record's list page: `name` keys the remembered columns."""

    name: str
    template: str
    columns: Mapping[str, str]
    default_columns: Sequence[str]


def record_list(
    request: AuthedRequest,
    kind: RecordList,
    filterset: Any,
    *,
    prepare: Callable[[QuerySet[Any]], QuerySet[Any]],
    decorate: Callable[[list[Any], list[str]], None],
) -> HttpResponse:
    """Filter, sort and page; `prepare` adds the joins, `decorate` the per-page extras."""
    columns = chosen_columns(request, kind.name, kind.columns, kind.default_columns)
    blank_means_any(filterset.form)
    sort = request.GET.get("sort") or "name"
    page, error = None, ""
    try:
        if filterset.is_bound and not filterset.is_valid():
            error = "; ".join(f"{k}: {' '.join(v)}" for k, v in filterset.errors.items())
        else:
            queryset = prepare(filterset.qs)
            page = paginate(queryset, ordering_for(sort), PAGE_SIZE, request.GET.get("cursor"))
    except DomainError as exc:
        error = exc.message
    if page is not None:
        decorate(page.items, columns)
    context = {
        "filterset": filterset,
        "page": page,
        "error": error,
        "columns": columns,
        "all_columns": kind.columns,
        "sort": sort,
        "sorts": SORTS,
        "owners": active_users(),
        "teams": Team.objects.all(),
    }
    return render_page_or_partial(
        request,
        kind.template,
        context,
        partial="table",
        target="record-table",
        status=400 if error else 200,
    )


def record_history(
    request: AuthedRequest, record: Model, *, name: str, template: str, url: str
) -> HttpResponse:
    """Every change to the record, newest first, a keyset page at a time."""
    try:
        page = paginate(history_for(record), ["-at", "-id"], PAGE_SIZE, request.GET.get("cursor"))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(url, pk=record.pk)
    readable(page.items)
    return render(request, template, {name: record, "page": page})


def record_delete(
    request: AuthedRequest,
    record: Model,
    *,
    name: str,
    delete: Callable[..., None],
    template: str,
    list_url: str,
) -> HttpResponse:
    """A confirmation page; on POST the record goes through its door's delete."""
    require(request.user, Permission.DELETE)
    if request.method == "POST":
        label = str(record)
        delete(record, actor=request.user, channel="ui")
        messages.success(request, f"Deleted {label}.")
        return redirect(list_url)
    return render(request, template, {name: record})


def show_refusal(form: Any, exc: DomainError, addresses: Any) -> None:
    """The door's field errors next to their fields; anything else above the form."""
    if exc.field_errors:
        form.add_door_errors(exc.field_errors, addresses)
    else:
        form.add_error(None, exc.message)


def announce_saved(request: AuthedRequest, label: str, warnings: Sequence[str]) -> None:
    messages.success(request, f"Saved {label}.")
    for warning in warnings:
        messages.warning(request, warning)
