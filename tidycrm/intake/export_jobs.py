"""Exports of large lists as background Jobs: progress while the file is written, a download
link when it is done, the file deleted after a few days.

A list of up to TIDYCRM_EXPORT_INLINE_ROWS rows (default 10,000) is streamed in the request as
before; a longer one would hold a web worker for minutes, so it becomes a Job that the task
worker runs. The job keeps the exporting user, the format and the list's filters, and reads
the rows with that user's visibility at the time it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tidycrm.accounts.choices import Permission, Role
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.core.exceptions import Conflict, NotFound, ValidationFailed
from tidycrm.core.jobs import FINISHED, JobCancelled, advance, create_job, finish_job, start_job
from tidycrm.core.models import Job, JobStatus
from tidycrm.intake import exports

log = logging.getLogger(__name__)
KIND = "export"
FORMATS = {"contacts": ("csv", "xlsx", "vcf"), "companies": ("csv", "xlsx")}


def inline_limit() -> int:
    return int(getattr(settings, "TIDYCRM_EXPORT_INLINE_ROWS", 10_000))


def keep_days() -> int:
    return int(getattr(settings, "TIDYCRM_EXPORT_KEEP_DAYS", 7))


def export_dir() -> Path:
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _queryset(user: User | None, kind: str, filters: dict[str, str], cf: Sequence[str]) -> Any:
    if kind == "contacts":
        return exports.contacts_to_export(user, filters, cf)
    return exports.companies_to_export(user, filters, cf)


def _check(kind: str, fmt: str) -> None:
    if kind not in FORMATS:
        raise ValidationFailed({"kind": [f"'{kind[:20]}' is not one of: contacts, companies."]})
    if fmt not in FORMATS[kind]:
        allowed = ", ".join(FORMATS[kind])
        raise ValidationFailed({"format": [f"'{fmt[:20]}' is not one of: {allowed}."]})


def is_large(user: User, kind: str, filters: dict[str, str], cf: Sequence[str]) -> bool:
    """More rows than a request should stream (counted no further than the limit)."""
    limit = inline_limit()
    return bool(_queryset(user, kind, filters, cf)[: limit + 1].count() > limit)


def start_export(
    user: User,
    kind: str,
    fmt: str,
    filters: dict[str, str],
    cf: Sequence[str] = (),
    *,
    inline: bool = False,
) -> Job:
    """Queue the export of what the list shows (or run it here, inline)."""
    from tidycrm.intake.tasks import export_task

    require(user, Permission.VIEW)
    _check(kind, fmt)
    _queryset(user, kind, filters, cf)  # bad filters are refused now, not in the worker
    with transaction.atomic():
        job = create_job(
            KIND,
            created_by=user,
            params={"kind": kind, "format": fmt, "filters": dict(filters), "cf": list(cf)},
        )
        if not inline:
            transaction.on_commit(lambda: export_task.enqueue(job.pk))
    return run_export(job.pk) if inline else job


def run_export(job_id: int) -> Job:
    """Write the file with progress; safe to call again (a finished job is left as it is)."""
    job = start_job(job_id)
    if job.status in FINISHED:
        return job
    params, user = job.params, job.created_by
    if user is None or not user.is_active:
        return finish_job(job_id, error="The user who asked for this export no longer exists.")
    kind, fmt = params["kind"], params["format"]
    target = export_dir() / f"{job_id}-{kind}.{fmt}"
    try:
        queryset = _queryset(user, kind, params["filters"], params["cf"])
        advance(job_id, done=0, total=queryset.count())
        rows = _write(target, user, kind, fmt, params, lambda n: advance(job_id, done=n))
    except JobCancelled:
        target.unlink(missing_ok=True)
        return finish_job(job_id, cancelled=True)
    except ValidationFailed as exc:
        target.unlink(missing_ok=True)
        return finish_job(job_id, error=exc.message)
    except Exception:
        log.exception("export job %s failed", job_id)
        target.unlink(missing_ok=True)
        return finish_job(job_id, error="The export stopped on an unexpected error.")
    Job.objects.filter(pk=job_id).update(done=rows)
    return finish_job(
        job_id,
        result={"file": target.name, "filename": f"{kind}.{fmt}", "rows": rows},
    )


def _write(
    target: Path,
    user: User,
    kind: str,
    fmt: str,
    params: dict[str, Any],
    tick: Callable[[int], None],
) -> int:
    make = exports.export_contacts if kind == "contacts" else exports.export_companies
    counter = exports.RowCounter(tick)
    export = make(user, fmt, params["filters"], params["cf"], counter=counter)
    if export.path is not None:  # XLSX: written already, in the export's own temporary file
        export.path.replace(target)
    else:
        with target.open("wb") as out:
            for chunk in export.chunks or ():
                out.write(chunk)
    return counter.rows


def visible_job(user: User, job_id: int) -> Job:
    """An export job of the user (an admin sees everyone's)."""
    jobs = Job.objects.filter(kind=KIND, pk=job_id)
    if user.role != Role.ADMIN and not user.is_superuser:
        jobs = jobs.filter(created_by=user)
    job = jobs.first()
    if job is None:
        raise NotFound(f"export {job_id} does not exist.")
    return job


def finished_file(user: User, job_id: int) -> tuple[Path, str]:
    """The finished file and the name to download it as."""
    job = visible_job(user, job_id)
    if job.status != JobStatus.SUCCEEDED:
        raise Conflict(f"export {job_id} is not finished ({job.get_status_display().lower()}).")
    path = export_dir() / str(job.result.get("file", ""))
    if not job.result.get("file") or not path.is_file():
        raise Conflict(f"the file of export {job_id} was deleted after {keep_days()} days.")
    return path, str(job.result.get("filename", path.name))


def purge_exports(now: Any = None) -> int:
    """Delete export files older than TIDYCRM_EXPORT_KEEP_DAYS (default 7)."""
    cutoff = (now or timezone.now()) - timedelta(days=keep_days())
    count = 0
    for job in Job.objects.filter(kind=KIND, finished_at__lt=cutoff).only("result"):
        name = str((job.result or {}).get("file", ""))
        path = export_dir() / name
        if name and path.is_file():
            path.unlink()
            count += 1
    return count
