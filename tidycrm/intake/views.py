"""Import pages: upload, mapping with suggestions and sample values, dry run, live progress,
rejects download, cancel and revert."""

from __future__ import annotations

from itertools import islice
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.views import AuthedRequest
from tidycrm.core.exceptions import DomainError
from tidycrm.core.views import domain_errors
from tidycrm.intake import services
from tidycrm.intake.choices import Mode, Stage
from tidycrm.intake.mapping import TARGETS
from tidycrm.intake.models import Import, ImportMapping
from tidycrm.intake.runner import STANDARD, open_table_for

SAMPLE_ROWS = 3
RUNNING = (Stage.PREVIEWING, Stage.IMPORTING, Stage.REVERTING)


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Choose a CSV, TSV or XLSX file to upload.")
            return redirect("intake:list")
        try:
            imp = services.create_import(
                upload,
                upload.name or "upload",
                actor=request.user,
                mapping_name=request.POST.get("mapping_name", "")[:120],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("intake:list")
        return redirect("intake:detail", imp.pk)
    imports = services.visible_imports(request.user)[:50]
    saved = ImportMapping.objects.all()[:100]
    context = {
        "imports": imports,
        "saved": saved,
        "may_edit_policy": request.user.has_role_permission(Permission.MANAGE_SETTINGS),
    }
    return render(request, "intake/list.html", context)


def _samples(imp: Import) -> list[list[str]]:
    try:
        return [row.values for row in islice(open_table_for(imp).rows(), SAMPLE_ROWS)]
    except (DomainError, OSError):
        return []


@login_required
@domain_errors
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    imp = services.get_import(request.user, pk)
    samples = _samples(imp) if imp.stage in (Stage.UPLOADED, Stage.PREVIEWED) else []
    columns = [
        {
            "index": i,
            "name": name,
            "target": imp.mapping.get(str(i), ""),
            "samples": [row[i] if i < len(row) else "" for row in samples],
        }
        for i, name in enumerate(imp.header)
    ]
    context: dict[str, Any] = {
        "imp": imp,
        "columns": columns,
        "targets": TARGETS,
        "standard": imp.mapping.get("*") == STANDARD,
        "modes": Mode.choices,
        "match": ",".join(imp.match),
        "editable": imp.stage in (Stage.UPLOADED, Stage.PREVIEWED),
        "running": imp.stage in RUNNING,
    }
    if request.headers.get("HX-Request"):
        return render(request, "intake/detail.html#progress", context)
    return render(request, "intake/detail.html", context)


@login_required
@require_POST
@domain_errors
def import_configure(request: AuthedRequest, pk: int) -> HttpResponse:
    imp = services.get_import(request.user, pk)
    post = request.POST
    mapping = None
    if imp.mapping.get("*") != STANDARD:
        mapping = {}
        for i in range(len(imp.header)):
            target = post.get(f"col_{i}", "").strip()
            if target:
                mapping[i] = target
    defaults = {
        name: post.get(f"default_{name}", "").strip()
        for name in ("country", "tags", "lead_source", "lifecycle_stage")
        if post.get(f"default_{name}", "").strip()
    }
    match = [m.strip() for m in post.get("match", "").split(",") if m.strip()]
    try:
        services.configure(
            imp,
            actor=request.user,
            mapping=mapping,
            defaults=defaults,
            mode=post.get("mode") or None,
            match=match or None,
            skip_invalid=post.get("skip_invalid") == "on",
            save_as=post.get("save_as", "").strip(),
        )
        if "start" in post:
            services.start_import(imp, actor=request.user)
            messages.success(request, f"Import #{imp.pk} started.")
        else:
            services.start_preview(imp, actor=request.user)
    except DomainError as exc:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.field_errors.items())
        messages.error(request, problems or exc.message)
    return redirect("intake:detail", imp.pk)


@login_required
@require_POST
@domain_errors
def import_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    imp = services.get_import(request.user, pk)
    work = {
        "start": services.start_import,
        "cancel": services.cancel_import,
        "revert": services.start_revert,
    }.get(action)
    if work is None:
        return HttpResponse(status=404)
    try:
        work(imp, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("intake:detail", imp.pk)


@login_required
@domain_errors
def import_rejects(request: AuthedRequest, pk: int) -> HttpResponse:
    imp = services.get_import(request.user, pk)
    response = StreamingHttpResponse(services.rejects_csv(imp), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="import-{imp.pk}-rejects.csv"'
    return response  # type: ignore[return-value]  # streamed, like any response to Django
