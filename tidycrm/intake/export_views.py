"""Export downloads for the web UI: the list pages' current filters as CSV, Excel or vCard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, QueryDict, StreamingHttpResponse
from django.views.decorators.http import require_GET

from tidycrm.accounts.views import AuthedRequest
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.core.views import domain_errors
from tidycrm.intake.exports import ExportFile, export_companies, export_contacts

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


@login_required
@require_GET
@domain_errors
def contacts_export(request: AuthedRequest, fmt: str) -> HttpResponse:
    filters, cf = split_query(request.GET)
    try:
        return download(export_contacts(request.user, fmt, filters, cf))
    except ValidationFailed as exc:
        return _bad_request(exc)


@login_required
@require_GET
@domain_errors
def companies_export(request: AuthedRequest, fmt: str) -> HttpResponse:
    filters, cf = split_query(request.GET)
    try:
        return download(export_companies(request.user, fmt, filters, cf))
    except ValidationFailed as exc:
        return _bad_request(exc)
