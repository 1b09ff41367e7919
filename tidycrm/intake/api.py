"""File imports over the REST API: upload, map, dry run, start, follow, cancel, revert, rejects."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from tidycrm.accounts.api import current_user
from tidycrm.accounts.choices import Permission
from tidycrm.accounts.services import require
from tidycrm.core.api import RecordId, errors
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.core.models import Job
from tidycrm.intake import policy, services
from tidycrm.intake.models import Import
from tidycrm.intake.schemas import (
    EntryPolicyIn,
    EntryPolicyOut,
    ImportConfig,
    ImportList,
    ImportOut,
)

router = Router(tags=["imports"])

CSV_RESPONSE = {
    "responses": {
        "200": {
            "description": "The rejected rows with an `_errors` column.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


def job_out(job: Job | None) -> dict[str, Any] | None:
    if job is None:
        return None
    return {
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "rows_per_second": job.rate_per_second,
        "seconds_left": job.seconds_left,
        "result": job.result,
        "error": job.error,
    }


def import_out(imp: Import) -> dict[str, Any]:
    fields = {name: getattr(imp, name) for name in ImportOut.model_fields if hasattr(imp, name)}
    return {**fields, "job": job_out(imp.job), "revert_job": job_out(imp.revert_job)}


# -- the entry policy (declared before /{import_id}, whose pattern would take its path) -----


def _policy_out() -> dict[str, Any]:
    return {
        "items": [
            {
                "record_type": cell.record_type,
                "check": check,
                "description": description,
                "channel": cell.channel,
                "action": cell.action,
                "default": cell.default,
            }
            for rows in policy.policy_table().values()
            for check, description, cells in rows
            for cell in cells
        ]
    }


@router.get("/entry-policy", response={200: EntryPolicyOut, **errors(403)}, tags=["entry policy"])
def get_entry_policy(request: HttpRequest) -> dict[str, Any]:
    """What the door does with a value that is not right, per record type, check and channel."""
    require(current_user(request), Permission.MANAGE_SETTINGS)
    return _policy_out()


@router.put("/entry-policy", response={200: EntryPolicyOut, **errors(403)}, tags=["entry policy"])
def put_entry_policy(request: HttpRequest, payload: EntryPolicyIn) -> dict[str, Any]:
    """Change some cells (administrators); the others keep their action."""
    policy.save_policy(current_user(request), payload.choices, channel="api")
    return _policy_out()


@router.post(
    "",
    response={201: ImportOut, **errors(403)},
    summary="Upload a CSV, TSV or XLSX file",
    description="Reads the header and suggests a mapping; nothing is imported until /start.",
)
def upload(
    request: HttpRequest,
    file: File[UploadedFile],
    mapping_name: Form[str] = "",
) -> Status[dict[str, Any]]:
    if "\x00" in mapping_name or len(mapping_name) > 120:
        raise ValidationFailed({"mapping_name": ["is not a mapping name."]})
    imp = services.create_import(
        file, file.name or "upload", actor=current_user(request), mapping_name=mapping_name
    )
    return Status(201, import_out(imp))


@router.get("", response={200: ImportList, **errors()}, summary="List imports")
def list_imports(request: HttpRequest) -> dict[str, Any]:
    imports = services.visible_imports(current_user(request)).select_related("revert_job")[:100]
    return {"items": [import_out(i) for i in imports]}


@router.get("/{import_id}", response={200: ImportOut, **errors(404)}, summary="Get an import")
def get_import(request: HttpRequest, import_id: RecordId) -> dict[str, Any]:
    return import_out(services.get_import(current_user(request), import_id))


@router.patch(
    "/{import_id}",
    response={200: ImportOut, **errors(403, 404, 409)},
    summary="Set the mapping, defaults, mode and matching",
)
def configure(request: HttpRequest, import_id: RecordId, payload: ImportConfig) -> dict[str, Any]:
    actor = current_user(request)
    imp = services.get_import(actor, import_id)
    mapping = None
    if payload.mapping is not None:
        bad = [k for k in payload.mapping if not k.isdigit()]
        if bad:
            raise ValidationFailed({"mapping": [f"'{bad[0]}' is not a column number."]})
        mapping = {int(k): v for k, v in payload.mapping.items()}
    services.configure(
        imp,
        actor=actor,
        mapping=mapping,
        defaults=payload.defaults,
        mode=payload.mode,
        match=payload.match,
        skip_invalid=payload.skip_invalid,
        save_as=payload.save_as,
    )
    return import_out(imp)


def _action(request: HttpRequest, import_id: int, action: Any) -> Status[dict[str, Any]]:
    actor = current_user(request)
    imp = action(services.get_import(actor, import_id), actor=actor)
    return Status(202, import_out(imp))


@router.post(
    "/{import_id}/dry-run",
    response={202: ImportOut, **errors(403, 404, 409)},
    summary="Check every row without writing (runs in the background)",
)
def dry_run(request: HttpRequest, import_id: RecordId) -> Status[dict[str, Any]]:
    return _action(request, import_id, services.start_preview)


@router.post(
    "/{import_id}/start",
    response={202: ImportOut, **errors(403, 404, 409)},
    summary="Start the import (runs in the background)",
)
def start(request: HttpRequest, import_id: RecordId) -> Status[dict[str, Any]]:
    return _action(request, import_id, services.start_import)


@router.post(
    "/{import_id}/cancel",
    response={202: ImportOut, **errors(403, 404, 409)},
    summary="Ask a running import to stop after its current chunk",
)
def cancel(request: HttpRequest, import_id: RecordId) -> Status[dict[str, Any]]:
    return _action(request, import_id, services.cancel_import)


@router.post(
    "/{import_id}/revert",
    response={202: ImportOut, **errors(403, 404, 409)},
    summary="Undo an import: remove what it created, restore what it updated",
)
def revert(request: HttpRequest, import_id: RecordId) -> Status[dict[str, Any]]:
    return _action(request, import_id, services.start_revert)


@router.get(
    "/{import_id}/rejects.csv",
    response={200: None, **errors(404)},
    summary="The rejected rows, ready to fix and import again",
    openapi_extra=CSV_RESPONSE,
)
def rejects(request: HttpRequest, import_id: RecordId) -> StreamingHttpResponse:
    imp = services.get_import(current_user(request), import_id)
    response = StreamingHttpResponse(services.rejects_csv(imp), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="import-{imp.pk}-rejects.csv"'
    return response
