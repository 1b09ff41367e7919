"""Segment pages: the list, the visual builder with a live count, a segment's members and
recomputes, bulk actions with their progress, and the contacts list's tools panel."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tidycrm.accounts.selectors import active_users
from tidycrm.accounts.views import AuthedRequest
from tidycrm.audit.choices import Channel
from tidycrm.contacts.choices import LeadSource, LeadStatus, LifecycleStage
from tidycrm.core.exceptions import DomainError, ValidationFailed
from tidycrm.core.htmx import is_htmx
from tidycrm.core.pagination import paginate
from tidycrm.core.views import domain_errors
from tidycrm.lists.selectors import all_lists, get_list
from tidycrm.segments import builder, selectors
from tidycrm.segments.choices import BulkKind, BulkStatus, Refresh
from tidycrm.segments.language.compiler import NO_VALUE
from tidycrm.segments.language.registry import FieldSpec, record_types
from tidycrm.segments.services import segments as segment_services
from tidycrm.segments.services import views as view_services
from tidycrm.segments.services.bulk import request_bulk_action
from tidycrm.segments.services.exporting import export_bulk_action
from tidycrm.segments.services.membership import recompute_segment
from tidycrm.segments.services.targets import target_contacts

PAGE_SIZE = 50


@login_required
def segment_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "segments/list.html", {"segments": selectors.all_segments()})


# -- the builder -----------------------------------------------------------------------------


def _count(request: AuthedRequest, node: Any) -> dict[str, Any]:
    if node is None:
        node = {"all": []}
    try:
        if node == {"all": []}:
            from tidycrm.contacts.selectors import visible_contacts

            return {"count": visible_contacts(request.user).count()}
        return {"count": selectors.matching_contacts(request.user, node).count()}
    except ValidationFailed as exc:
        return {"count_error": exc.field_errors}


def _grouped_fields(record_type: str) -> list[tuple[str, list[FieldSpec]]]:
    groups: dict[str, list[FieldSpec]] = defaultdict(list)
    for spec in selectors.field_catalog(record_type):
        groups[spec.group].append(spec)
    return list(groups.items())


def _builder_context(request: AuthedRequest, tree: builder.Node, **extra: Any) -> dict[str, Any]:
    builder.annotate(tree)
    context = {
        "fields_by_type": {t: _grouped_fields(t) for t in record_types()},
        "op_labels": builder.OP_LABELS,
        "tree": tree,
        "no_value_ops": NO_VALUE,
        "refresh_choices": Refresh.choices,
        **_count(request, builder.to_filter(tree)),
    }
    return {**context, **extra}


@login_required
@require_POST
def builder_update(request: AuthedRequest) -> HttpResponse:
    """Redraw the builder after a structural change (field, operator, add, remove)."""
    tree = builder.parse(request.POST)
    action = request.POST.get("action", "")
    if action:
        tree = builder.apply(tree, action)
    return render(request, "segments/builder.html#builder", _builder_context(request, tree))


@login_required
@require_POST
def builder_count(request: AuthedRequest) -> HttpResponse:
    """The live count for the filter as it stands in the builder."""
    node = builder.to_filter(builder.parse(request.POST))
    return render(request, "segments/partials/count.html", _count(request, node))


def _save(request: AuthedRequest, segment: Any) -> HttpResponse:
    tree = builder.parse(request.POST)
    node = builder.to_filter(tree) or {"all": []}
    refresh = request.POST.get("refresh_minutes") or "0"
    fields: dict[str, Any] = {
        "name": request.POST.get("name", ""),
        "description": request.POST.get("description", ""),
        "refresh_minutes": int(refresh) if refresh.isdigit() else -1,
    }
    try:
        if not (node.get("all") or node.get("any") or node.get("field")):
            raise ValidationFailed({"filter": ["add at least one condition."]})
        if segment is None:
            segment = segment_services.create_segment(
                **fields, filter=node, actor=request.user, channel=Channel.UI
            )
        else:
            segment = segment_services.update_segment(
                segment, {**fields, "filter": node}, actor=request.user, channel=Channel.UI
            )
    except DomainError as exc:
        context = _builder_context(request, tree, segment=segment, save_error=exc.message, **fields)
        return render(request, "segments/builder.html", context, status=400)
    messages.success(request, f"Saved the segment {segment.name}.")
    return redirect("segments:detail", pk=segment.pk)


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def segment_new(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    tree = builder.Node(path=builder.ROOT, group="all", children=[builder.Node(path="r.0")])
    context = _builder_context(request, tree, refresh_minutes=0)
    return render(request, "segments/builder.html", context)


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def segment_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    segment = selectors.get_segment(pk)
    if request.method == "POST":
        return _save(request, segment)
    tree = builder.from_filter(segment.filter)
    context = _builder_context(
        request,
        tree,
        segment=segment,
        name=segment.name,
        description=segment.description,
        refresh_minutes=segment.refresh_minutes,
    )
    return render(request, "segments/builder.html", context)


# -- a segment -------------------------------------------------------------------------------


@login_required
@domain_errors
def segment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    segment = selectors.get_segment(pk)
    context: dict[str, Any] = {
        "segment": segment,
        "filter_json": json.dumps(segment.filter, indent=2, ensure_ascii=False),
        "snapshots": selectors.snapshots(segment),
        "page": None,
    }
    try:
        members = selectors.matching_contacts(request.user, segment.filter)
        context["count"] = members.count()
        context["page"] = paginate(
            members.select_related("owner"),
            ["sort_key", "id"],
            PAGE_SIZE,
            request.GET.get("cursor"),
        )
    except DomainError as exc:
        context["error"] = exc.message
    return render(request, "segments/detail.html", context)


@login_required
@domain_errors
@require_POST
def segment_recompute(request: AuthedRequest, pk: int) -> HttpResponse:
    segment = selectors.get_segment(pk)
    snapshot = recompute_segment(segment)
    messages.success(
        request,
        f"Recomputed: {snapshot.members} members, "
        f"{snapshot.entered} entered, {snapshot.left} left.",
    )
    return redirect("segments:detail", pk=pk)


@login_required
@domain_errors
@require_POST
def segment_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    segment = selectors.get_segment(pk)
    segment_services.delete_segment(segment, actor=request.user, channel=Channel.UI)
    messages.success(request, f"Deleted the segment {segment.name}.")
    return redirect("segments:list")


# -- bulk actions ----------------------------------------------------------------------------


def _target(data: QueryDict) -> dict[str, Any]:
    ids = [int(v) for v in data.getlist("ids") if v.isdigit()]
    if ids:
        return {"ids": ids}
    for key in ("list_id", "segment_id"):
        if (data.get(key) or "").isdigit():
            return {key: int(data.get(key) or 0)}
    query = QueryDict(data.get("query", ""))
    filters = {
        k: v for k, v in query.items() if k not in ("cursor", "sort", "col", "cols_set") and v
    }
    return {"query": filters} if filters else {"query": {"q": ""}, "all": True}


def _describe(target: dict[str, Any]) -> str:
    if "ids" in target:
        return f"the {len(target['ids'])} contacts you selected"
    if "list_id" in target:
        return f"the members of the list {get_list(target['list_id']).name}"
    if "segment_id" in target:
        return f"the members of the segment {selectors.get_segment(target['segment_id']).name}"
    if target.get("all"):
        return "every contact you can see"
    return "the contacts that match the list's filters"


def _bulk_context(request: AuthedRequest, data: QueryDict) -> dict[str, Any]:
    target = _target(data)
    contacts = target_contacts(request.user, {k: v for k, v in target.items() if k != "all"})
    return {
        "target": target,
        "target_fields": data,
        "query": data.get("query", ""),
        "description": _describe(target),
        "count": contacts.count(),
        "kinds": BulkKind.choices,
        "lists": all_lists(),
        "owners": active_users(),
        "set_fields": [
            ("lifecycle_stage", "Lifecycle stage", LifecycleStage.choices),
            ("lead_status", "Lead status", LeadStatus.choices),
            ("lead_source", "Lead source", LeadSource.choices),
        ],
        "custom_fields": [s for s in selectors.field_catalog() if s.name.startswith("custom.")],
    }


def _params(data: QueryDict) -> dict[str, Any]:
    kind = data.get("kind", "")
    if kind in ("tag", "untag"):
        return {"tags": [t for t in data.get("tags", "").replace(";", ",").split(",") if t.strip()]}
    if kind in ("add_to_list", "remove_from_list"):
        value = data.get("list_id_param", "")
        return {"list_id": int(value) if value.isdigit() else value}
    if kind == "change_owner":
        value = data.get("owner_id", "")
        return {"owner_id": int(value) if value.isdigit() else value}
    if kind == "set_field":
        return {"field": data.get("field", ""), "value": data.get("value", "")}
    return {}


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def bulk_form(request: AuthedRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        target = {k: v for k, v in _target(data).items() if k != "all"}
        try:
            requested = request_bulk_action(
                kind=data.get("kind", ""),
                params=_params(data),
                target=target,
                actor=request.user,
                channel=Channel.UI,
                confirm=data.get("confirm") == "yes",
            )
        except DomainError as exc:
            context = {**_bulk_context(request, data), "error": exc.message, "chosen": data}
            return render(request, "segments/bulk.html", context, status=400)
        return redirect("segments:bulk_detail", pk=requested.action.pk)
    return render(request, "segments/bulk.html", {**_bulk_context(request, data), "chosen": data})


@login_required
@domain_errors
def bulk_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    action = selectors.get_bulk_action(request.user, pk)
    context = {
        "action": action,
        "running": action.status in (BulkStatus.QUEUED, BulkStatus.RUNNING),
    }
    if is_htmx(request):
        return render(request, "segments/bulk_detail.html#status", context)
    return render(request, "segments/bulk_detail.html", context)


@login_required
@domain_errors
def bulk_export(request: AuthedRequest, pk: int) -> HttpResponse:
    return export_bulk_action(request.user, selectors.get_bulk_action(request.user, pk))


# -- the contacts list's tools: bulk bar and saved views -------------------------------------


@login_required
def contact_list_tools(request: AuthedRequest) -> HttpResponse:
    """The bulk-action bar and saved views above the contacts list (a UI extension panel)."""
    views = list(selectors.views_for(request.user))
    for view in views:
        params: list[tuple[str, str]] = [
            *view.filters.items(),
            ("sort", view.sort),
            ("cols_set", "1"),
        ]
        params += [("col", c) for c in view.columns]
        view.url = reverse("contacts:list") + "?" + urlencode(params)  # type: ignore[attr-defined]
    return render(
        request,
        "segments/partials/contact_list_tools.html",
        {"views": views, "team": request.user.team},
    )


@login_required
@domain_errors
@require_POST
def view_save(request: AuthedRequest) -> HttpResponse:
    query = QueryDict(request.POST.get("query", "").lstrip("?"))
    filters = {
        k: v for k, v in query.items() if k not in ("cursor", "sort", "col", "cols_set") and v
    }
    stored = request.session.get("columns:contacts")
    fields = {
        "name": request.POST.get("name", ""),
        "filters": filters,
        "sort": query.get("sort") or "name",
        "columns": [c for c in query.getlist("col")]
        or (stored if isinstance(stored, list) else []),
        "team_id": request.user.team_id if request.POST.get("share") == "yes" else None,
    }
    try:
        view = view_services.save_view(fields, actor=request.user)
    except DomainError as exc:
        messages.error(request, f"The view was not saved: {exc.message}")
    else:
        messages.success(request, f"Saved the view {view.name}.")
    return redirect(reverse("contacts:list") + ("?" + query.urlencode() if query else ""))


@login_required
@domain_errors
@require_POST
def view_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    view = selectors.get_view(request.user, pk)
    view_services.delete_view(view, actor=request.user)
    messages.success(request, f"Deleted the view {view.name}.")
    return redirect("contacts:list")


@login_required
def list_panel(request: AuthedRequest, pk: int) -> HttpResponse:
    """On a list's page: act on its members."""
    return render(request, "segments/partials/list_panel.html", {"list_id": pk})
