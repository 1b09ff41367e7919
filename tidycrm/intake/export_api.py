"""Exports over the REST API: the list endpoints' filters, the file as the response body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import create_model

from tidycrm.accounts.api import current_user
from tidycrm.companies.schemas import CompanyListQuery
from tidycrm.contacts.schemas import ContactListQuery
from tidycrm.core.api import RecordId, errors, filterset_data
from tidycrm.core.models import Job, JobStatus
from tidycrm.intake import export_jobs
from tidycrm.intake.api import job_out
from tidycrm.intake.export_views import download
from tidycrm.intake.exports import CONTENT_TYPES, export_companies, export_contacts
from tidycrm.intake.schemas import ExportJobIn, ExportJobOut

router = Router(tags=["exports"])

PAGING = {"sort", "cursor", "limit"}


def _filters_only(schema: type[Schema], name: str) -> type[Schema]:
    """The list endpoint's query parameters without its paging: an export has every row."""
    fields: dict[str, Any] = {
        field_name: (info.annotation, info)
        for field_name, info in schema.model_fields.items()
        if field_name not in PAGING
    }
    return create_model(name, __base__=Schema, **fields)


ContactExportQuery = _filters_only(ContactListQuery, "ContactExportQuery")
CompanyExportQuery = _filters_only(CompanyListQuery, "CompanyExportQuery")


def _binary(fmt: str) -> dict[str, Any]:
    media = CONTENT_TYPES[fmt].split(";")[0]
    return {
        "responses": {
            200: {
                "description": f"The {fmt.upper()} file, streamed.",
                "content": {media: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def _contacts(fmt: str) -> Callable[..., HttpResponse]:
    def operation(request: HttpRequest, filters: Query[ContactExportQuery]) -> HttpResponse:  # type: ignore[valid-type]
        params = filterset_data(filters, exclude={"cf"})
        cf = filters.cf  # type: ignore[attr-defined]
        return download(export_contacts(current_user(request), fmt, params, cf))

    operation.__name__ = f"export_contacts_{fmt}"
    operation.__doc__ = (
        "Every contact you can see that matches the filters (the same as GET /contacts), "
        f"as {fmt.upper()}. Columns: docs/decisions/0007-export-format.md."
    )
    return operation


def _companies(fmt: str) -> Callable[..., HttpResponse]:
    def operation(request: HttpRequest, filters: Query[CompanyExportQuery]) -> HttpResponse:  # type: ignore[valid-type]
        params = filterset_data(filters, exclude={"cf"})
        cf = filters.cf  # type: ignore[attr-defined]
        return download(export_companies(current_user(request), fmt, params, cf))

    operation.__name__ = f"export_companies_{fmt}"
    operation.__doc__ = (
        "Every company you can see that matches the filters (the same as GET /companies), "
        f"as {fmt.upper()}."
    )
    return operation


for _fmt in ("csv", "xlsx", "vcf"):
    router.get(
        f"/contacts.{_fmt}",
        response=errors(403),
        summary=f"Export contacts as {_fmt.upper()}",
        openapi_extra=_binary(_fmt),
    )(_contacts(_fmt))

for _fmt in ("csv", "xlsx"):
    router.get(
        f"/companies.{_fmt}",
        response=errors(403),
        summary=f"Export companies as {_fmt.upper()}",
        openapi_extra=_binary(_fmt),
    )(_companies(_fmt))


# -- large exports as background jobs ----------------------------------------------------------


def _job_out(job: Job) -> dict[str, Any]:
    done = job.status == JobStatus.SUCCEEDED
    return {
        "id": job.pk,
        "kind": job.params.get("kind", ""),
        "format": job.params.get("format", ""),
        "job": job_out(job),
        "download_url": f"/api/v1/exports/jobs/{job.pk}/file" if done else None,
        "created_at": job.created_at,
    }


@router.post(
    "/jobs",
    response={202: ExportJobOut, **errors(403)},
    summary="Export a list in the background",
    description="For lists too long for one response: the job writes the file with progress; "
    "fetch it from `download_url` when the job has succeeded.",
)
def create_export_job(request: HttpRequest, payload: ExportJobIn) -> Status[dict[str, Any]]:
    job = export_jobs.start_export(
        current_user(request), payload.kind, payload.format, payload.filters, payload.cf
    )
    return Status(202, _job_out(job))


@router.get("/jobs/{job_id}", response={200: ExportJobOut, **errors(403, 404)})
def get_export_job(request: HttpRequest, job_id: RecordId) -> dict[str, Any]:
    """The export's progress; `download_url` once it is done."""
    return _job_out(export_jobs.visible_job(current_user(request), job_id))


@router.get(
    "/jobs/{job_id}/file",
    response=errors(403, 404, 409),
    summary="Download a finished export",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as the export's format.",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def export_job_file(request: HttpRequest, job_id: RecordId) -> HttpResponse:
    path, filename = export_jobs.finished_file(current_user(request), job_id)
    media = CONTENT_TYPES.get(path.suffix.lstrip("."), "application/octet-stream")
    return FileResponse(  # type: ignore[return-value]
        path.open("rb"), as_attachment=True, filename=filename, content_type=media
    )
