"""Export downloads for the web UI: the list pages' current filters as CSV, Excel or vCard."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tidycrm.accounts.views import AuthedRequest
from tidycrm.core.exceptions import Conflict, ValidationFailed
from tidycrm.core.jobs import FINISHED, request_cancel
from tidycrm.core.views import domain_errors
from tidycrm.intake import export_jobs
from tidycrm.intake.exports import CONTENT_TYPES, ExportFile, export_companies, export_contacts

# Query parameters of the list pages that are not filters.
NOT_FILTERS = {"sort", "cursor", "col", "cols_set", "cf", "limit"}


def split_query(query: QueryDict) -> tuple[dict[str, str], list[str]]:
    """A list page's query string -> (filters, custom field conditions); blanks mean "any"."""
    filters = {k: str(v) for k, v in query.items() if k not in NOT_FILTERS and str(v).strip()}
    return filters, [c for c in query.getlist("cf") if c.strip()]


def download(export: ExportFile) -> HttpResponse:
    """Stream the export: CSV and vCard row by row, XLSX from its finished temporary file."""
    if export.path is not None:
        handle = export.path.open("rb")
        export.path.unlink()  # the open handle keeps the data until the response is sent
        return FileResponse(  # type: ignore[return-value]
            handle, as_attachment=True, filename=export.filename, content_type=export.content_type
        )
    streaming = StreamingHttpResponse(export.chunks or iter(()), content_type=export.content_type)
    streaming["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return streaming  # type: ignore[return-value]


def _bad_request(exc: ValidationFailed) -> HttpResponse:
    text = "\n".join(f"{name}: {' '.join(msgs)}" for name, msgs in exc.field_errors.items())
    return HttpResponse(text or exc.message, status=400, content_type="text/plain; charset=utf-8")


def _export(request: AuthedRequest, kind: str, fmt: str) -> HttpResponse:
    """Stream a list of modest size; a longer one becomes a background job with its page."""
    filters, cf = split_query(request.GET)
    make = export_contacts if kind == "contacts" else export_companies
    try:
        if export_jobs.is_large(request.user, kind, filters, cf):
            job = export_jobs.start_export(request.user, kind, fmt, filters, cf)
            return redirect("export:job", pk=job.pk)
        return download(make(request.user, fmt, filters, cf))
    except ValidationFailed as exc:
        return _bad_request(exc)


@login_required
@require_GET
@domain_errors
def contacts_export(request: AuthedRequest, fmt: str) -> HttpResponse:
    return _export(request, "contacts", fmt)


@login_required
@require_GET
@domain_errors
def companies_export(request: AuthedRequest, fmt: str) -> HttpResponse:
    return _export(request, "companies", fmt)


@login_required
@require_GET
@domain_errors
def export_job(request: AuthedRequest, pk: int) -> HttpResponse:
    """The export's progress (polled by htmx while it runs) and its download link."""
    job = export_jobs.visible_job(request.user, pk)
    context = {"job": job, "running": job.status not in FINISHED}
    if request.headers.get("HX-Request"):
        return render(request, "intake/export_job.html#progress", context)
    return render(request, "intake/export_job.html", context)


@login_required
@require_GET
@domain_errors
def export_job_file(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        path, filename = export_jobs.finished_file(request.user, pk)
    except Conflict as exc:  # not finished, or its file was cleared: say so on its page
        job = export_jobs.visible_job(request.user, pk)
        context = {"job": job, "running": job.status not in FINISHED, "problem": exc.message}
        return render(request, "intake/export_job.html", context, status=409)
    return FileResponse(  # type: ignore[return-value]
        path.open("rb"), as_attachment=True, filename=filename, content_type=_content_type(path)
    )


@login_required
@require_POST
@domain_errors
def export_job_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    job = export_jobs.visible_job(request.user, pk)
    request_cancel(job.pk)
    return redirect("export:job", pk=job.pk)


def _content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lstrip("."), "application/octet-stream")
