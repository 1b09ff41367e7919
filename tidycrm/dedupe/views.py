"""Duplicates pages: the review queue, a group side by side, settings; the record panel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.services import require
from tidycrm.accounts.views import AuthedRequest
from tidycrm.companies.selectors import get_company
from tidycrm.contacts.selectors import get_contact
from tidycrm.core.exceptions import DomainError
from tidycrm.core.views import domain_errors
from tidycrm.dedupe.choices import EntryAction, RecordKind, Survivorship
from tidycrm.dedupe.models import Merge
from tidycrm.dedupe.selectors import (
    get_group,
    group_view,
    merges_of,
    open_groups,
    recent_scans,
    record_names,
    visible_members,
)
from tidycrm.dedupe.services.merge import unmerge
from tidycrm.dedupe.services.policy import CHANNELS, current_policy, update_policy
from tidycrm.dedupe.services.queue import accept_groups, mark_not_duplicates, merge_group
from tidycrm.dedupe.services.scan import resume_stalled, start_scan

PAGE = 50


def _kind(request: AuthedRequest) -> str:
    kind = request.GET.get("kind") or request.POST.get("kind") or RecordKind.CONTACT
    return kind if kind in RecordKind.values else RecordKind.CONTACT


@login_required
@domain_errors
def queue(request: AuthedRequest) -> HttpResponse:
    kind = _kind(request)
    resume_stalled()
    groups = list(open_groups(kind)[: PAGE * 4])
    members = visible_members(groups, request.user)
    shown = [g for g in groups if len(members.get(g.pk, ())) >= 2][:PAGE]
    model = RecordKind(kind)
    names = record_names(kind, [pk for g in shown for pk in members[g.pk]])
    rows = [(g, [(pk, names.get(pk, str(pk))) for pk in members[g.pk]]) for g in shown]
    scans = recent_scans(kind)
    context = {
        "kind": kind,
        "kind_label": model.label,
        "rows": rows,
        "scans": scans,
        "can_configure": request.user.has_role_permission(Permission.MANAGE_SETTINGS),
    }
    return render(request, "dedupe/queue.html", context)


@login_required
@domain_errors
def group_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    group = get_group(request.user, pk)
    view = group_view(group)
    return render(request, "dedupe/group.html", {"view": view, "group": group})


@login_required
@domain_errors
@require_POST
def group_merge(request: AuthedRequest, pk: int) -> HttpResponse:
    group = get_group(request.user, pk)
    view = group_view(group)
    ids = {r.pk for r in view.records}
    choices = {}
    for row in view.rows:
        value = request.POST.get(f"choice:{row.label}", "")
        if value.isdigit() and int(value) in ids:
            choices[row.label] = int(value)
    survivor = request.POST.get("survivor", "")
    versions = {
        r.pk: int(request.POST[f"version:{r.pk}"])
        for r in view.records
        if request.POST.get(f"version:{r.pk}", "").isdigit()
    }
    try:
        merge = merge_group(
            group,
            actor=request.user,
            survivor_id=int(survivor) if survivor.isdigit() else None,
            choices=choices,
            versions=versions,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("dedupe:group", pk=pk)
    messages.success(request, f"Merged {len(merge.merged_ids) + 1} records. You can undo this.")
    return redirect(_record_url(merge.kind, merge.survivor_id))


def _record_url(kind: str, pk: int) -> str:
    name = "contacts:detail" if kind == RecordKind.CONTACT else "companies:detail"
    return reverse(name, args=[pk])


@login_required
@domain_errors
@require_POST
def group_dismiss(request: AuthedRequest, pk: int) -> HttpResponse:
    group = get_group(request.user, pk)
    try:
        mark_not_duplicates(group, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("dedupe:group", pk=pk)
    messages.success(request, "Marked as different records; they will not be proposed again.")
    return redirect(f"{reverse('dedupe:queue')}?kind={group.kind}")


@login_required
@domain_errors
@require_POST
def accept(request: AuthedRequest) -> HttpResponse:
    kind = _kind(request)
    try:
        threshold = float(request.POST.get("min_confidence", ""))
    except ValueError:
        messages.error(request, "Minimum confidence: enter a number between 0 and 1.")
        return redirect(f"{reverse('dedupe:queue')}?kind={kind}")
    if not 0.5 <= threshold <= 1:
        messages.error(request, "Minimum confidence: must be between 0.5 and 1.")
        return redirect(f"{reverse('dedupe:queue')}?kind={kind}")
    outcome = accept_groups(kind, min_confidence=threshold, actor=request.user, limit=500)
    messages.success(request, f"Merged {outcome.merged} groups.")
    for group_id, message in sorted((outcome.failed or {}).items())[:10]:
        messages.warning(request, f"Group {group_id} left for review: {message}")
    return redirect(f"{reverse('dedupe:queue')}?kind={kind}")


@login_required
@domain_errors
@require_POST
def scan(request: AuthedRequest) -> HttpResponse:
    kind = _kind(request)
    try:
        job = start_scan(kind, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Scan #{job.pk} started; new groups appear here as it ends.")
    return redirect(f"{reverse('dedupe:queue')}?kind={kind}")


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def policy(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.MANAGE_SETTINGS)
    if request.method == "POST":
        actions = {
            kind: {
                channel: request.POST.get(f"action:{kind}:{channel}", "")
                for channel in CHANNELS
                if request.POST.get(f"action:{kind}:{channel}")
            }
            for kind in RecordKind.values
        }
        try:
            threshold = float(request.POST.get("auto_merge_threshold", "") or "nan")
        except ValueError:
            threshold = float("nan")
        try:
            update_policy(
                actor=request.user,
                actions=actions,
                survivorship=request.POST.get("survivorship") or None,
                trusted_sources=request.POST.getlist("trusted_sources"),
                auto_merge_threshold=threshold if threshold == threshold else None,
            )
        except DomainError as exc:
            for problems in exc.field_errors.values():
                for problem in problems:
                    messages.error(request, problem)
        else:
            messages.success(request, "Duplicate settings saved.")
            return redirect("dedupe:policy")
    context: dict[str, Any] = {
        "policy": current_policy(),
        "channels": CHANNELS,
        "kinds": RecordKind.choices,
        "actions": EntryAction.choices,
        "rules": Survivorship.choices,
    }
    return render(request, "dedupe/policy.html", context)


@login_required
@domain_errors
@require_POST
def unmerge_view(request: AuthedRequest, pk: int) -> HttpResponse:
    merge = Merge.objects.filter(pk=pk).first()
    if merge is None:
        messages.error(request, f"Merge {pk} does not exist.")
        return redirect("dedupe:queue")
    try:
        unmerge(merge.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        restored = ", ".join(str(i) for i in merge.merged_ids)
        messages.success(request, f"Merge undone: records {restored} are back.")
    return redirect(_record_url(merge.kind, merge.survivor_id))


def _panel(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    merges = list(merges_of(kind, pk)[:20])
    return render(request, "dedupe/partials/panel.html", {"merges": merges, "kind": kind, "pk": pk})


@login_required
@domain_errors
def contact_panel(request: AuthedRequest, pk: int) -> HttpResponse:
    get_contact(request.user, pk)
    return _panel(request, RecordKind.CONTACT, pk)


@login_required
@domain_errors
def company_panel(request: AuthedRequest, pk: int) -> HttpResponse:
    get_company(request.user, pk)
    return _panel(request, RecordKind.COMPANY, pk)
